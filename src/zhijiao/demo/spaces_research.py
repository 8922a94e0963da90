"""The demo's 网络教研 and 继续教育学时.

A 名师工作室 led by the 教研员: a finished 集体备课 (three versions, comments, the final version submitted to the
resource centre's review) and a finished 听评课 (a lesson video, comments pinned to moments of it, rubric scores,
the leader's summary); a school's 教研组; a district 研修共同体 with 主题研讨 threads; coming activities; a year of
participation across the district's schools (bulk rows, so the hours report has something to show); the bureau's
hours rules and a certificate for the demo teacher. Idempotent: does nothing once the studio exists."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from zhijiao.audit.services import Origin
from zhijiao.demo.resource_files import mp4
from zhijiao.identity.models import Account
from zhijiao.org.models import Division
from zhijiao.people.models import Staff
from zhijiao.spaces.research import hours, services
from zhijiao.spaces.research.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Comment,
    Participation,
    PlanVersion,
    ResearchGroup,
    RubricScore,
)

ORIGIN = Origin(channel="cli")
STUDIO = "小学数学名师工作室"

PLAN_V1 = """课题：分数的初步认识（三年级上册）
一、教学目标
1. 结合折纸、分物，认识几分之一，会读、写几分之一。
2. 会比较几分之一的大小。
二、教学重点
理解几分之一的含义。
三、教学过程
1. 情境导入：分月饼。
2. 动手折一折：用长方形纸折出它的二分之一。
3. 练习：涂色表示几分之一。"""

PLAN_V2 = PLAN_V1.replace(
    "3. 练习：涂色表示几分之一。",
    "3. 小组合作：用圆形、正方形纸折出四分之一，说说怎么折的。\n4. 练习：涂色表示几分之一（基础题、提高题两层）。",
)
PLAN_V3 = (
    PLAN_V2
    + """
四、板书设计
把一个物体平均分成几份，每份就是它的几分之一。
五、作业
基础：课本练习一；拓展：找一找生活中的几分之一，画下来。"""
)


def _at(year: int, month: int, day: int, hour: int = 14) -> datetime:
    return datetime(year, month, day, hour, 30, tzinfo=timezone.get_current_timezone())


def _soon(days: int) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return _at(day.year, day.month, day.day)


def _backdate(activity: Activity, *, step: timedelta) -> None:
    """Versions, comments and scores as if written over the days after the activity (the demo is built today)."""
    stamps = [
        *(
            (at, PlanVersion, pk)
            for pk, at in PlanVersion.objects.filter(activity=activity).values_list("pk", "created_at")
        ),
        *((at, Comment, pk) for pk, at in Comment.objects.filter(activity=activity).values_list("pk", "created_at")),
    ]
    for i, (_, model, pk) in enumerate(sorted(stamps, key=lambda row: row[0]), start=1):
        model.objects.filter(pk=pk).update(created_at=activity.starts_at + step * i)  # type: ignore[attr-defined]
    RubricScore.objects.filter(activity=activity).update(created_at=activity.starts_at + timedelta(days=1))


def _teachers(division: Division, subject: str, limit: int) -> list[Account]:
    """Accounts of the division's teachers of ``subject``, one per school first (so the studio spans schools)."""
    rows = (
        Staff.objects.filter(
            school__division__code__startswith=division.code,
            subject=subject,
            is_active=True,
            person__account__isnull=False,
        )
        .select_related("person__account")
        .order_by("school_id", "pk")
    )
    seen_schools: set[int] = set()
    picked: list[Account] = []
    for s in rows:
        if s.school_id in seen_schools:
            continue
        seen_schools.add(s.school_id)  # type: ignore[arg-type]
        picked.append(s.person.account)
        if len(picked) >= limit:
            break
    return picked


def demo_research(*, root: str, seed: int = 42, progress: Callable[[str], None] = print) -> None:
    if ResearchGroup.objects.filter(name=STUDIO).exists():
        return
    accounts = {
        a.username: a for a in Account.objects.filter(username__in=["jiaoyan", "teacher", "banzhuren", "principal"])
    }
    if "jiaoyan" not in accounts or "teacher" not in accounts:
        return
    with transaction.atomic():
        _build(root=root, seed=seed, accounts=accounts)
    progress(
        f"网络教研：{ResearchGroup.objects.count()} 个教研组织，{Activity.objects.count()} 项活动，"
        f"{Participation.objects.count()} 人次参与"
    )


def _build(*, root: str, seed: int, accounts: dict[str, Account]) -> None:
    rng = random.Random(seed)
    year = timezone.localdate().year
    division = Division.objects.get(pk=root)
    researcher, teacher = accounts["jiaoyan"], accounts["teacher"]
    head = accounts.get("banzhuren")
    members = [teacher, *([head] if head else []), *_teachers(division, "14", 6)]
    members = list(dict.fromkeys(members))

    # --- 名师工作室, led by the 教研员, teachers of several schools
    studio = services.group_create(
        actor=researcher,
        name=STUDIO,
        kind="studio",
        division=division,
        subject="14",
        description="由区小学数学教研员牵头，汇聚各校骨干教师，围绕“单元整体教学”开展集体备课、课例研究和主题研讨。",
        is_private=True,
        origin=ORIGIN,
    )
    for m in members:
        services.member_add(actor=researcher, group=studio, account_id=m.pk, origin=ORIGIN)
    others = [m for m in members if m.pk != teacher.pk]

    # 集体备课: three versions by different members, comments on them, the final one submitted for review
    plan = services.activity_create(
        actor=researcher,
        group=studio,
        kind="plan",
        title="《分数的初步认识》集体备课",
        starts_at=_at(year, 10, 15),
        place="区教师发展中心 302 / 线上",
        description="主备人先出初稿，组员逐条提意见，两周内定稿并提交区资源中心。",
        origin=ORIGIN,
    )
    services.plan_save(actor=teacher, activity=plan, body=PLAN_V1, note="主备初稿")
    services.comment_add(actor=others[0], activity=plan, body="练习只有一层，建议分出基础题和提高题。")
    if len(others) > 1:
        services.comment_add(actor=others[1], activity=plan, body="折纸环节可以换成小组合作，让学生说出折法。")
    services.plan_save(actor=others[0], activity=plan, body=PLAN_V2, note="加小组合作、分层练习")
    services.comment_add(actor=researcher, activity=plan, body="结构清楚了。请补上板书设计和作业。")
    final = services.plan_save(actor=teacher, activity=plan, body=PLAN_V3, note="补板书与作业")
    services.comment_add(actor=others[-1], activity=plan, body="同意定稿，我们学校下周按这一版上。")
    services.plan_final(actor=researcher, activity=plan, version_id=final.pk, origin=ORIGIN)
    services.plan_publish(actor=researcher, activity=plan, stage="2", origin=ORIGIN)
    Activity.objects.filter(pk=plan.pk).update(status=ActivityStatus.FINISHED)
    _backdate(plan, step=timedelta(days=1, minutes=47))

    # 听评课: the lesson video with comments pinned to moments of it, rubric scores and the summary
    lesson = services.activity_create(
        actor=researcher,
        group=studio,
        kind="observe",
        title="《分数的初步认识》课例观摩",
        starts_at=_at(year, 11, 5, 10),
        place="录播教室",
        description="按定稿教案上课，组员看录像评课，按工作室量表评分。",
        rubric=services.rubric_parse("教学目标 20\n教学过程 30\n学生参与 25\n教学效果 25"),
        origin=ORIGIN,
    )
    clip = mp4(seconds=48)
    if clip:
        services.video_attach(
            actor=researcher, activity=lesson, name="分数的初步认识-课堂实录.mp4", chunks=[clip], origin=ORIGIN
        )
    else:
        Activity.objects.filter(pk=lesson.pk).update(live=True)
    for second, who, body in (
        (4, others[0], "导入用分月饼的情境，学生马上进入状态。"),
        (12, researcher, "这里“平均分”要停一下，让学生说清楚为什么要平均。"),
        (21, others[min(1, len(others) - 1)], "折纸时间给得充足，但有两组没有交流。"),
        (33, others[-1], "分层练习设计好，提高题有学生讲出了不同的折法。"),
        (44, teacher, "结尾小结略赶，下次留两分钟让学生自己总结。"),
    ):
        services.comment_add(actor=who, activity=lesson, body=body, at_second=second if clip else None)
    for observer, points in zip(
        [researcher, *others[:4]],
        ([18, 27, 22, 23], [17, 26, 21, 22], [19, 28, 23, 22], [16, 25, 20, 21], [18, 27, 24, 23]),
        strict=False,
    ):
        services.score_submit(actor=observer, activity=lesson, points=points, remark="")
    services.summary_write(
        actor=researcher,
        activity=lesson,
        summary="亮点：情境导入自然，分层练习照顾了不同学生，小组合作有实效。\n"
        "改进：“平均分”的辨析要充分；小结留给学生。\n"
        "下一步：各校按修改后的教案再上一轮，12 月工作室集中展示。",
        origin=ORIGIN,
    )
    _backdate(lesson, step=timedelta(minutes=50))
    Activity.objects.filter(pk=lesson.pk).update(summary_at=lesson.starts_at + timedelta(days=2))

    # 主题研讨 threads with replies
    thread = services.activity_create(
        actor=others[0],
        group=studio,
        kind="seminar",
        title="“双减”背景下数学作业怎么分层？",
        starts_at=_at(year, 11, 20, 19),
        description="我们学校在试“基础 + 选做”两层作业，想听听各校的做法。",
        origin=ORIGIN,
    )
    for who, body in (
        (researcher, "可以先从单元作业设计入手，每单元一份作业框架，各校再调整。"),
        (teacher, "我们班选做题完成率 60% 左右，学生挺喜欢画图题。"),
        (others[-1], "建议把作业时长也记下来，期末对照看看。"),
    ):
        services.comment_add(actor=who, activity=thread, body=body)
    _backdate(thread, step=timedelta(hours=2, minutes=17))
    # coming activities
    services.activity_create(
        actor=researcher,
        group=studio,
        kind="plan",
        title="《认识几分之几》集体备课",
        starts_at=_soon(5),
        place="线上",
        origin=ORIGIN,
    )

    # --- a school's 教研组 and a district 研修共同体 (open to the district's teachers)
    principal = accounts.get("principal")
    school_post = hours.account_post(teacher.pk)
    if principal is not None and school_post is not None and school_post.school is not None:
        group = services.group_create(
            actor=principal,
            name=f"{school_post.school.name}数学教研组",
            kind="school",
            school=school_post.school,
            subject="14",
            leader=teacher,
            is_private=False,
            origin=ORIGIN,
        )
        for s in Staff.objects.filter(school=school_post.school, subject="14", person__account__isnull=False)[:6]:
            services.member_add(actor=teacher, group=group, account_id=s.person.account.pk, origin=ORIGIN)
        services.activity_create(
            actor=teacher,
            group=group,
            kind="observe",
            title="新教师汇报课：两位数乘两位数",
            starts_at=_soon(3),
            place="三楼录播教室",
            live=True,
            origin=ORIGIN,
        )
    community = services.group_create(
        actor=researcher,
        name=f"{division.name}小学数学研修共同体",
        kind="community",
        division=division,
        subject="14",
        description="全区小学数学教师的研修共同体：专题讲座、课例研讨和资源共建。",
        is_private=False,
        origin=ORIGIN,
    )
    services.activity_create(
        actor=researcher,
        group=community,
        kind="seminar",
        title="单元整体教学：从哪里入手？",
        starts_at=_at(year, 9, 20, 19),
        description="请各校分享一个单元整体设计的案例。",
        origin=ORIGIN,
    )

    # --- a year of participation across the district (bulk rows, for the hours report)
    bureau = Account.objects.filter(username="bureau").first()
    if bureau is not None:  # the bureau's own rules (the same figures as the platform's defaults)
        hours.policy_set(
            actor=bureau,
            division=division,
            required="30",
            rules={"plan": ("3", "18"), "observe": ("2", "16"), "seminar": ("1", "8")},
            origin=ORIGIN,
        )
    past: list[Activity] = []
    for month in range(1, 12):
        for kind, title in (
            (ActivityKind.LESSON_PLAN, f"{month} 月区级集体备课"),
            (ActivityKind.OBSERVATION, f"{month} 月课例观摩"),
            (ActivityKind.SEMINAR, f"{month} 月主题研讨"),
        ):
            past.append(
                Activity(
                    group=community,
                    kind=kind,
                    title=title,
                    starts_at=_at(year, month, 10 + rng.randint(0, 15)),
                    status=ActivityStatus.FINISHED,
                    created_by=researcher,
                    description="全区线上线下同步开展。",
                )
            )
    Activity.objects.bulk_create(past)
    staff_accounts = list(
        Staff.objects.filter(
            school__division__code__startswith=division.code, is_active=True, person__account__isnull=False
        )
        .values_list("school_id", "person__account__pk")
        .distinct()
    )
    school_rate: dict[int, float] = {}
    rows = []
    for school_id, account_id in staff_accounts:
        rate = school_rate.setdefault(school_id, rng.uniform(0.55, 0.97))  # schools differ in how active they are
        if rng.random() > rate:
            continue
        for activity in rng.sample(past, k=rng.randint(8, 26)):
            rows.append(Participation(activity=activity, account_id=account_id, year=year))
    Participation.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    # the demo teacher's certificate for this year
    if hours.teacher_hours(account_id=teacher.pk, year=year).total > 0:
        hours.certificate_issue(actor=teacher, year=year, origin=ORIGIN)
