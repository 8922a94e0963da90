"""The rest of the demo region's 综合素质评价 term: most classes have finished it (审核 → 归档), a few have not.

Beside the cast's class (publicity in progress, ``demo.growth_term``, through the per-class services), each class
with a 班主任 goes through the term as a school would, in set-based writes (a district has over a thousand classes):
the school opens the term for all its classes (``reviews_open_bulk``); each 班主任's part — one class activity for
the class, the whole class's levels and 教师评语 (one sheet version), the publicity two weeks before the demo is
built, so the five working days are over — is written in bulk as the demo's past, with the versions the services
leave (class_activity_record, class_sheet_save, review_publish with notify=False); then the school's committee audits
and archives them all (``reviews_archive_bulk``, the services' checks, one audit event per school and step): the demo
``principal`` at the cast's school, the district bureau elsewhere, never the account that published. About one class
in sixteen, and every class of one school that is behind, is still in 遴选, so the 综评完成率 on the statistics page,
its plan indicator and its warnings show a real spread (decision 0066-school-grants).
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import F
from django.utils import timezone

from zhijiao.access.scope import scope_for
from zhijiao.audit.services import Origin
from zhijiao.core.student_status import studying_q
from zhijiao.growth import services
from zhijiao.growth.models import (
    AuthorRole,
    GrowthRecord,
    GrowthVersion,
    ReviewState,
    StatementKind,
    TermLevel,
    TermReview,
    TermStatement,
)
from zhijiao.growth.process import review_data, working_days_after
from zhijiao.growth.records import dimensions_for, framework_of, record_data
from zhijiao.identity.models import Account
from zhijiao.org.models import SchoolClass, Term
from zhijiao.people.models import Student

ORIGIN = Origin(channel="cli")
UNFINISHED_SHARE = 0.06  # classes still in 遴选 outside the school that is behind
PUBLISHED_DAYS_AGO = 14  # calendar days: five working days are over, whatever the weekday
TENTH = Decimal("0.1")  # hours as the database gives them back (what the record versions hold)
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


def _pupils(classes: Iterable[SchoolClass]) -> dict[int, list[int]]:
    """The ids of the pupils studying in each class, by student number (as ``class_pupils``)."""
    found: dict[int, list[int]] = {}
    rows = Student.objects.filter(studying_q(), school_class__in=list(classes)).order_by("student_no")
    for pk, cid in rows.values_list("pk", "school_class_id"):
        found.setdefault(cid, []).append(pk)
    return found


def _insert_rows(model: Any, fields: list[str], rows: list[tuple], per: int = 500) -> None:
    """Multi-row INSERTs of values already in their stored form (ids, codes, texts, a time adapted once): for the
    hundreds of thousands of levels and comments of a district, without an object and a compiled value each."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(model._meta.get_field(name).column) for name in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES {', '.join([row] * len(chunk))}"  # noqa: S608
            cursor.execute(sql, [v for r in chunk for v in r])


def _stored_json(value: Any) -> Any:
    return GrowthVersion._meta.get_field("data").get_db_prep_save(value, connection)


def _versions(rows: list[GrowthVersion]) -> None:
    GrowthVersion.objects.bulk_create(rows, batch_size=2000)


def _heads_part(
    reviews: list[TermReview], *, heads: dict[int, Account], pupils: dict[int, list[int]], rng: random.Random,
    activity_on: dt.date, published_on: dt.date,
) -> None:  # fmt: skip
    """What each class's 班主任 did, in bulk: a class activity, the class sheet, the publicity (entered after the
    fact: no notices); the rows and versions the per-class services leave."""
    keys = []
    held: dict[str, Any] = {}
    rows: list[tuple] = []
    fields = [f for f in GrowthRecord._meta.concrete_fields if not f.primary_key]
    pupil_at = fields.index(GrowthRecord._meta.get_field("student"))
    now = timezone.now()
    for review in reviews:
        klass, head = review.school_class, heads[review.school_class_id]
        dim, title, place, hours, text = ACTIVITIES[framework_of(klass)]
        key = uuid.uuid4().hex
        keys.append(key)
        # one record per pupil, as class_activity_record makes them: the same values but the pupil's
        record = GrowthRecord(student_id=0, term_id=review.term_id, dimension=dim, title=title, description=text,
                              occurred_on=activity_on, place=place, hours=Decimal(hours).quantize(TENTH),
                              vouched_by=head.display_name, links=[], author_id=head.pk,
                              author_role=AuthorRole.HEAD_TEACHER, school_id=klass.school_id,
                              school_class_id=klass.pk, activity=key, created_at=now, updated_at=now)  # fmt: skip
        held[key] = _stored_json(record_data(record))
        template = [f.get_db_prep_save(getattr(record, f.attname), connection) for f in fields]
        rows += [(*template[:pupil_at], sid, *template[pupil_at + 1 :]) for sid in pupils[klass.pk]]
    _insert_rows(GrowthRecord, [f.name for f in fields], rows, per=200)
    authors = {r.pk: heads[r.school_class_id].pk for r in reviews}
    # one version each, as class_activity_record writes it (what a record holds is the same across its activity)
    made = GrowthRecord.objects.filter(activity__in=keys).values_list("pk", "activity", "author_id").order_by("pk")
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    _insert_rows(
        GrowthVersion, ["entity", "entity_id", "version", "data", "actor", "note", "at"],
        [("record", pk, 1, held[key], author, "全班记录", stamp) for pk, key, author in made],
    )  # fmt: skip
    levels: list[tuple] = []  # (review, pupil, dimension, level, set by, version): plain INSERTs, the bulk of it
    comments: list[tuple] = []  # (review, pupil, kind, text, author, version, updated)
    sheets: list[GrowthVersion] = []
    for review in reviews:
        head_id = authors[review.pk]
        dims = [code for code, _ in dimensions_for(framework_of(review.school_class))]
        mine = [
            (review.pk, sid, d, rng.choices(list(LEVEL_WEIGHTS), weights=list(LEVEL_WEIGHTS.values()))[0], head_id, 1)
            for sid in pupils[review.school_class_id]
            for d in dims
        ]
        said = [
            (review.pk, sid, StatementKind.TEACHER_COMMENT.value, rng.choice(COMMENTS), head_id, 1, stamp)
            for sid in pupils[review.school_class_id]
        ]
        sheet: dict[str, Any] = {
            "levels": [[sid, d, v] for _, sid, d, v, _, _ in mine],
            "comments": [[sid, t] for _, sid, _, t, _, _, _ in said],
        }
        n = len(mine) + len(said)
        sheets.append(GrowthVersion(entity="sheet", entity_id=review.pk, version=review.version, data=sheet,
                                    actor_id=head_id, note=f"全班等级与评语 {n} 项"))  # fmt: skip
        levels += mine
        comments += said
    _insert_rows(TermLevel, ["review", "student", "dimension", "level", "set_by", "version"], levels)
    _insert_rows(TermStatement, ["review", "student", "kind", "text", "author", "version", "updated_at"], comments)
    _versions(sheets)
    ends: dict[int, list[int]] = {}  # the same day for every class with the same publicity days
    for review in reviews:
        review.state, review.published_on = ReviewState.PUBLISHED, published_on
        review.published_by_id = authors[review.pk]
        review.publicity_ends_on = working_days_after(published_on, review.publicity_days)
        review.version += 1
        ends.setdefault(review.publicity_days, []).append(review.pk)
    for days, ids in ends.items():
        TermReview.objects.filter(pk__in=ids).update(
            state=ReviewState.PUBLISHED, published_on=published_on, version=F("version") + 1,
            publicity_ends_on=working_days_after(published_on, days),
        )  # fmt: skip
    TermReview.objects.bulk_update(reviews, ["published_by_id"], batch_size=500)
    _versions(
        [
            GrowthVersion(entity="review", entity_id=r.pk, version=r.version, data=review_data(r),
                          actor_id=authors[r.pk], note="公示")
            for r in reviews
        ]
    )  # fmt: skip


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
    pupils = _pupils(classes)
    classes = [c for c in classes if c.pk in heads and pupils.get(c.pk)]
    schools = sorted({c.school.code for c in classes if c.school_id not in principal_schools})
    behind = schools[-1] if len(schools) > 2 else None  # one school that has not started its reviews yet
    today = timezone.localdate()
    published_on = today - dt.timedelta(days=PUBLISHED_DAYS_AGO)
    activity_on = max(term.starts_on, published_on - dt.timedelta(days=20))
    archived = selecting = 0
    # the school's committee: the demo principal at their school, the district bureau elsewhere
    for auditor, mine in (
        (principal, [c for c in classes if c.school_id in principal_schools]),
        (bureau, [c for c in classes if c.school_id not in principal_schools]),
    ):
        if auditor is None or not mine:
            continue
        reviews = services.reviews_open_bulk(actor=auditor, classes=mine, term=term, origin=ORIGIN)
        finishing = []
        for school_class, review in zip(mine, reviews, strict=True):
            if school_class.school.code == behind or rng.random() < UNFINISHED_SHARE:
                selecting += 1
                continue
            review.school_class = school_class
            finishing.append(review)
        if not finishing:
            continue
        _heads_part(finishing, heads=heads, pupils=pupils, rng=rng, activity_on=activity_on, published_on=published_on)
        archived += services.reviews_archive_bulk(
            actor=auditor, reviews=finishing, origin=ORIGIN, today=today, note="材料齐全，同意归档。"
        )
    done = TermReview.objects.filter(term=term, state="archived").count()
    took = time.monotonic() - started
    progress(f"综合素质评价：{done} 个班级本学期已审核归档，{selecting} 个班级仍在遴选（{took:.1f} 秒）")
    return archived, selecting
