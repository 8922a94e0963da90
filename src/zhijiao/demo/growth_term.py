"""The demo's term of 综合素质评价: records for the demo classes and a publicity period in progress.

The cast's class (the demo 班主任's, with the demo pupil and parent) gets a term of 写实记录 — activities recorded for
the whole class by the 班主任 and a teacher, awards imported, the pupil's own records, a home record by the parent —
every pupil's selection, levels and 教师评语, and a publicity started today (so it runs for five working days from
the day the demo is built), with one objection answered and one waiting. A second class of the school is still in
遴选. Every other class then finishes the term or not (``demo.growth_classes``). Everything goes through the
growth services as the demo accounts, so the audit log reads as a real term.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone

from zhijiao.audit.services import Origin
from zhijiao.demo.growth_classes import demo_growth_classes
from zhijiao.growth import services
from zhijiao.growth.models import GrowthRecord
from zhijiao.growth.records import class_pupils
from zhijiao.identity.models import Account
from zhijiao.org.models import SchoolClass, Term
from zhijiao.org.selectors import class_display_name
from zhijiao.people.models import Student

ORIGIN = Origin(channel="cli")

CLASS_ACTIVITIES = [  # (dimension, title, place, hours, description)
    ("c1", "升旗仪式与国旗下讲话", "学校操场", "0.5", "参加每周一升旗仪式，聆听“做诚实守信的少年”主题讲话。"),
    ("c5", "秋季校园植树", "学校后山", "2", "和同学一起挖坑、扶苗、浇水，认领一棵小树并挂牌养护。"),
    ("c3", "秋季运动会", "学校田径场", "4", "参加班级入场式和集体跳绳项目。"),
    ("c4", "班级合唱《我和我的祖国》", "学校礼堂", "1.5", "参加庆祝国庆班级合唱展演。"),
    ("c2", "科学课：种子发芽观察", "科学教室", "1", "连续七天记录绿豆发芽情况，完成观察日记。"),
    ("c5", "社区垃圾分类宣传", "金银湖社区", "2", "在社区服务站向居民讲解垃圾分类知识，发放宣传单。"),
]
OWN_RECORDS = [
    ("c2", "读完《西游记》青少年版", "家中", "12", "每天阅读半小时，做了二十条读书笔记。"),
    ("c4", "学校美术作品展入选", "学校美术馆", "", "水彩画《秋天的银杏》入选校级美术作品展。"),
    ("c3", "坚持每天跳绳 200 个", "小区广场", "10", "一个月坚持打卡，一分钟跳绳从 90 个提高到 126 个。"),
]
HOME_RECORDS = [("c5", "每周帮家里洗碗、倒垃圾", "家中", "4", "承担固定家务，学会分类投放垃圾。")]
AWARDS = [
    ("c2", "区小学生数学思维竞赛三等奖", "东西湖区教育局"),
    ("c4", "区中小学生书法比赛优秀奖", "东西湖区青少年活动中心"),
    ("c1", "校级“文明小标兵”", "学校德育处"),
]
COMMENTS = [
    "学习认真，乐于助人，课堂上积极发言。希望继续保持阅读习惯，做事更有条理。",
    "热爱集体，劳动积极，和同学相处融洽。书写还可以更工整一些，加油！",
    "思维活跃，动手能力强，在科学观察中表现突出。希望上课更专注。",
    "性格开朗，体育锻炼坚持得很好。学习上遇到困难要多问，相信你会更棒。",
]
SELF = "这学期我参加了植树和垃圾分类宣传，学会了和同学合作。我还读完了《西游记》，下学期想把数学学得更好。"


def _days(term: Term, today: dt.date, n: int, rng: random.Random) -> list[dt.date]:
    start = max(term.starts_on, today - dt.timedelta(days=90))
    span = max(1, (today - start).days)
    return sorted(start + dt.timedelta(days=rng.randrange(span)) for _ in range(n))


def demo_growth_term(*, seed: int = 42, progress: Callable[[str], None] = print) -> None:
    """Build the demo term (once: nothing happens when records exist)."""
    if GrowthRecord.objects.exists():
        return
    accounts = {a.username: a for a in Account.objects.filter(username__in=["banzhuren", "teacher", "principal",
                                                                              "student", "parent"])}  # fmt: skip
    head = accounts.get("banzhuren")
    pupil_account = accounts.get("student")
    if head is None or pupil_account is None or pupil_account.person_id is None:
        return
    pupil = Student.objects.select_related("school_class__school").get(person_id=pupil_account.person_id)
    school_class = pupil.school_class
    term = Term.objects.filter(is_current=True).first()
    if school_class is None or term is None:
        return
    rng = random.Random(seed)
    today = timezone.localdate()
    pupils = class_pupils(school_class)
    ids = [p.pk for p in pupils]
    dates = _days(term, today, len(CLASS_ACTIVITIES), rng)
    teacher = accounts.get("teacher")
    for i, ((dim, title, place, hours, text), day) in enumerate(zip(CLASS_ACTIVITIES, dates, strict=True)):
        who = teacher if (teacher is not None and dim == "c2") else head
        joined = [x for x in ids if rng.random() > 0.08] if i % 2 else ids
        services.class_activity_record(
            actor=who, school_class=school_class, student_ids=joined, origin=ORIGIN,
            data=services.RecordInput(dimension=dim, title=title, occurred_on=day, place=place, hours=hours,
                                      description=text, vouched_by=head.display_name or "班主任"),
        )  # fmt: skip
    for (dim, title, place, hours, text), day in zip(OWN_RECORDS, _days(term, today, 3, rng), strict=True):
        services.record_create(
            actor=pupil_account, student=pupil, origin=ORIGIN,
            data=services.RecordInput(dimension=dim, title=title, occurred_on=day, place=place, hours=hours,
                                      description=text),
        )  # fmt: skip
    parent = accounts.get("parent")
    if parent is not None:
        for dim, title, place, hours, text in HOME_RECORDS:
            services.record_create(
                actor=parent, student=pupil, origin=ORIGIN,
                data=services.RecordInput(dimension=dim, title=title, occurred_on=today - dt.timedelta(days=3),
                                          place=place, hours=hours, description=text, vouched_by="家长"),
            )  # fmt: skip
    # awards for a few pupils, as the school's import would write them
    awarded = rng.sample(pupils, k=min(8, len(pupils)))
    for p, (dim, title, vouch) in zip(awarded, AWARDS * 3, strict=False):
        services.record_create(
            actor=head, student=p, origin=ORIGIN,
            data=services.RecordInput(dimension=dim, title=title, occurred_on=_days(term, today, 1, rng)[0],
                                      vouched_by=vouch),
        )  # fmt: skip

    review = services.review_open(actor=head, school_class=school_class, origin=ORIGIN, select_limit=2)
    for n, p in enumerate(pupils):
        mine = list(GrowthRecord.objects.filter(student=p, term=term).order_by("dimension", "-occurred_on"))
        chosen: dict[str, list[int]] = {}
        for r in mine:
            if len(chosen.setdefault(r.dimension, [])) < (2 if p.pk == pupil.pk else 1):
                chosen[r.dimension].append(r.pk)
        services.selection_set(
            actor=pupil_account if p.pk == pupil.pk else head, review=review, student=p,
            record_ids=[i for v in chosen.values() for i in v], origin=ORIGIN,
        )  # fmt: skip
        for dim in ("c1", "c2", "c3", "c4", "c5"):
            level = rng.choices("ABCD", weights=[35, 45, 18, 2])[0]
            services.level_set(actor=head, review=review, student=p, dimension=dim, level=level, origin=ORIGIN)
        if n < len(pupils) - 3:  # a few comments still to write: the page shows who is missing
            services.statement_set(
                actor=head, review=review, student=p, kind="teacher", text=COMMENTS[n % len(COMMENTS)], origin=ORIGIN
            )
    services.statement_set(actor=pupil_account, review=review, student=pupil, kind="self", text=SELF, origin=ORIGIN)
    services.review_publish(actor=head, review=review, origin=ORIGIN, today=today)
    if parent is not None:
        classmates = [p for p in pupils if p.pk != pupil.pk]
        if len(classmates) >= 2:
            first = GrowthRecord.objects.filter(student=classmates[0], selections__review=review).first()
            second = GrowthRecord.objects.filter(student=classmates[1], selections__review=review).first()
            if first is not None:
                answered = services.objection_raise(
                    actor=parent, review=review, record=first, origin=ORIGIN, today=today,
                    reason="活动时长写得偏多，那天上午只进行了一节课的时间，请核实。",
                )  # fmt: skip
                services.objection_answer(
                    actor=head, objection=answered, upheld=False, origin=ORIGIN,
                    answer="经核实，当天活动含准备和总结共计所记时长，有活动签到表为证，记录无误。",
                )  # fmt: skip
            if second is not None:
                services.objection_raise(
                    actor=parent, review=review, record=second, origin=ORIGIN, today=today,
                    reason="孩子说这位同学那天请假没有参加，请学校核实。",
                )  # fmt: skip
    other = (
        SchoolClass.objects.filter(school=school_class.school, grade=school_class.grade, head_teacher__isnull=False)
        .exclude(pk=school_class.pk)
        .first()
    )
    principal = accounts.get("principal")
    if other is not None and principal is not None:
        services.review_open(actor=principal, school_class=other, origin=ORIGIN)
    progress(f"综合素质评价：{GrowthRecord.objects.count()} 条写实记录，{class_display_name(school_class)} 公示中")
    # every other class: most finished the term (审核 → 归档), a few are still in 遴选
    demo_growth_classes(term=term, skip={school_class.pk} | ({other.pk} if other else set()), seed=seed,
                        progress=progress)  # fmt: skip
