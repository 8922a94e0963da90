"""The rest of the demo region's 综合素质评价 term: most classes have finished it (审核 → 归档), a few have not.

Beside the cast's class (publicity in progress, ``demo.growth_term``), each class with a 班主任 goes through the term
process as a school would, through the growth services: its 班主任 records one class activity, saves the whole
class's levels and 教师评语 in one sheet (``class_sheet_save``, the bulk write the class page uses), and publishes
the selection — two weeks before the demo is built, so the five working days are over — then the school's committee
audits and archives it (the demo ``principal`` at the cast's school, the district bureau elsewhere: never the
account that published). About one class in sixteen, and every class of one school that is behind, is still in 遴选,
so the 综评完成率 on the statistics page, its plan indicator and its warnings show a real spread (decision
00xx-growthfix-school-grants).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterable

from django.utils import timezone

from zhijiao.access.scope import scope_for
from zhijiao.audit.services import Origin
from zhijiao.growth import services
from zhijiao.growth.models import TermReview
from zhijiao.growth.records import class_pupils, dimensions_for, framework_of
from zhijiao.identity.models import Account
from zhijiao.org.models import SchoolClass, Term

ORIGIN = Origin(channel="cli")
UNFINISHED_SHARE = 0.06  # classes still in 遴选 outside the school that is behind
PUBLISHED_DAYS_AGO = 14  # calendar days: five working days are over, whatever the weekday
LEVEL_WEIGHTS = {"A": 35, "B": 45, "C": 18, "D": 2}
ACTIVITIES = {  # by framework: (dimension, title, place, hours, description)
    "compulsory": ("c5", "秋季校园大扫除与绿化养护", "学校校园", "2", "全班分组清扫包干区，给花坛除草浇水。"),
    "senior": ("s5", "社区志愿服务：敬老院探访", "街道敬老院", "3", "全班分组为老人表演节目、打扫房间、陪伴聊天。"),
}
COMMENTS = [
    "学习认真，乐于助人，课堂上积极发言。希望继续保持阅读习惯，做事更有条理。",
    "热爱集体，劳动积极，和同学相处融洽。书写还可以更工整一些，加油！",
    "思维活跃，动手能力强，在实践活动中表现突出。希望上课更专注。",
    "性格开朗，体育锻炼坚持得很好。学习上遇到困难要多问，相信你会更棒。",
    "做事踏实稳重，作业认真细致。希望课堂上多举手，大胆表达自己的想法。",
    "有责任心，积极参加班级活动。希望合理安排时间，劳逸结合。",
]


def _heads(classes: Iterable[SchoolClass]) -> dict[int, Account]:
    """Each class's 班主任 account (provisioned from the registry), by class id."""
    persons = {c.pk: c.head_teacher.person_id for c in classes if c.head_teacher is not None}
    accounts = {a.person_id: a for a in Account.objects.filter(person_id__in=set(persons.values()), is_active=True)}
    return {cid: accounts[pid] for cid, pid in persons.items() if pid in accounts}


def demo_growth_classes(
    *, term: Term, skip: set[int], seed: int = 42, progress: Callable[[str], None] = print
) -> tuple[int, int]:
    """Finish the term's review for most classes (not those in ``skip``); returns (archived, still selecting)."""
    accounts = {a.username: a for a in Account.objects.filter(username__in=["principal", "bureau"])}
    bureau, principal = accounts.get("bureau"), accounts.get("principal")
    if bureau is None:
        return 0, 0
    principal_schools = set(scope_for(principal).grant_school_ids()) if principal else set()
    classes = list(
        SchoolClass.objects.filter(is_active=True, head_teacher__isnull=False)
        .exclude(pk__in=skip)
        .exclude(growth_reviews__term=term)
        .select_related("school", "grade", "head_teacher")
        .order_by("school__code", "grade__entry_year", "name")
    )
    if not classes:
        return 0, 0
    started = time.monotonic()
    rng = random.Random(seed + 16)
    heads = _heads(classes)
    schools = sorted({c.school.code for c in classes if c.school_id not in principal_schools})
    behind = schools[-1] if len(schools) > 2 else None  # one school that has not started its reviews yet
    today = timezone.localdate()
    published_on = today - dt.timedelta(days=PUBLISHED_DAYS_AGO)
    activity_on = max(term.starts_on, published_on - dt.timedelta(days=20))
    archived = selecting = 0
    for school_class in classes:
        head = heads.get(school_class.pk)
        pupils = class_pupils(school_class)
        if head is None or not pupils:
            continue
        review = services.review_open(actor=head, school_class=school_class, origin=ORIGIN)
        if school_class.school.code == behind or rng.random() < UNFINISHED_SHARE:
            selecting += 1
            continue
        framework = framework_of(school_class)
        dim, title, place, hours, text = ACTIVITIES[framework]
        services.class_activity_record(
            actor=head, school_class=school_class, student_ids=[p.pk for p in pupils], origin=ORIGIN,
            data=services.RecordInput(dimension=dim, title=title, occurred_on=activity_on,
                                      place=place, hours=hours, description=text, vouched_by=head.display_name),
        )  # fmt: skip
        dims = [code for code, _ in dimensions_for(framework)]
        levels = {
            (p.pk, d): rng.choices(list(LEVEL_WEIGHTS), weights=list(LEVEL_WEIGHTS.values()))[0]
            for p in pupils
            for d in dims
        }
        comments = {p.pk: rng.choice(COMMENTS) for p in pupils}
        services.class_sheet_save(actor=head, review=review, levels=levels, comments=comments, origin=ORIGIN)
        # entered after the fact: its period is over, so nobody is invited to object now
        services.review_publish(actor=head, review=review, origin=ORIGIN, today=published_on, notify=False)
        auditor = principal if (principal is not None and school_class.school_id in principal_schools) else bureau
        services.review_audit(actor=auditor, review=review, origin=ORIGIN, today=today, note="材料齐全，同意归档。")
        services.review_archive(actor=auditor, review=review, origin=ORIGIN)
        archived += 1
    done = TermReview.objects.filter(term=term, state="archived").count()
    took = time.monotonic() - started
    progress(f"综合素质评价：{done} 个班级本学期已审核归档，{selecting} 个班级仍在遴选（{took:.1f} 秒）")
    return archived, selecting
