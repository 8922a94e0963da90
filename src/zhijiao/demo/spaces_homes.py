"""Demo 网络学习空间: every demo account's space has content.

The demo school shows a public face (intro, motto, a public notice) and so do a few schools beside it (the region
space lists them); the 班主任 sends the class's guardians a notice asking for a 回执 (the demo guardian has read it),
the teacher sends the class's pupils one, the principal one to the school's guardians marked public, the bureau one
to its division's staff marked public. Over the last 30 days most accounts used their space (the 活跃空间
indicator has figures): 专任教师 88 %, pupils 76 %, guardians 68 %, on random days. The demo guardian has an e-mail
address, so 提醒未读 writes a real message (into ``$ZHIJIAO_HOME/mail`` unless SMTP is configured).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from zhijiao.analytics.space_indicators import space_indicators_update
from zhijiao.analytics.warnings import warnings_evaluate
from zhijiao.audit.services import Origin
from zhijiao.core.student_status import studying_q
from zhijiao.identity.models import Account
from zhijiao.org.models import School
from zhijiao.people.models import Guardianship, Staff, Student
from zhijiao.spaces import services
from zhijiao.spaces.fanout import receipts_write
from zhijiao.spaces.homes.models import SchoolPage, SpaceVisit
from zhijiao.spaces.homes.services import school_page_save
from zhijiao.spaces.models import Notice, NoticeReceipt

ORIGIN = Origin(channel="cli")
SHARE = {"teacher": 0.88, "student": 0.76, "guardian": 0.68}
INTROS = [
    "学校秉承“立德树人、全面发展”的办学理念，以“智慧课堂”建设为抓手，推进信息技术与教育教学深度融合。",
    "学校现有省级骨干教师多名，开设科技、艺术、体育等特色课程，连续多年获评区级教育教学质量优秀单位。",
    "学校以“网络学习空间人人通”为依托，推进家校共育，建成数字化校园和创新实验室。",
]
MOTTOS = ["勤学 善思 明德 笃行", "博学 求真 健体 尚美", "自强 自律 求实 创新"]


def _send(actor: Account, **fields: object) -> Notice:
    notice = services.notice_send(actor=actor, **fields)
    if notice.delivered_count < notice.recipient_count:  # a large audience: write it here, not by the worker
        receipts_write(notice.pk)
    return notice


def _visits(rng: random.Random) -> int:
    """Space use over the last 30 days for a share of every kind of account."""
    today = timezone.localdate()
    account_of = dict(Account.objects.filter(is_active=True, person_id__isnull=False).values_list("person_id", "pk"))
    people = {
        "teacher": Staff.objects.filter(is_active=True, school__isnull=False, category="11").values_list(
            "person_id", flat=True
        ),
        "student": Student.objects.filter(studying_q()).values_list("person_id", flat=True),
        "guardian": Guardianship.objects.filter(studying_q("student__")).values_list("guardian_id", flat=True),
    }
    rows: list[SpaceVisit] = []
    seen: set[int] = set()
    for kind, person_ids in people.items():
        for pid in person_ids.iterator(chunk_size=5000):
            account_id = account_of.get(pid)
            if account_id is None or account_id in seen:
                continue
            seen.add(account_id)
            if rng.random() < SHARE[kind]:
                for _ in range(rng.randint(1, 4)):
                    rows.append(SpaceVisit(account_id=account_id, day=today - timedelta(days=rng.randint(0, 27))))
    SpaceVisit.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    return len(rows)


def demo_spaces(*, root: str, seed: int = 42, progress: Callable[[str], None] = print) -> None:
    """Once: the school pages, the notices, the space use (see the module docstring)."""
    if SchoolPage.objects.exists():
        return
    accounts = {
        a.username: a
        for a in Account.objects.filter(
            username__in=["principal", "banzhuren", "teacher", "student", "parent", "bureau"]
        )
    }
    if len(accounts) < 6:
        return
    rng = random.Random(seed)
    student = (
        Student.objects.filter(person_id=accounts["student"].person_id or 0).select_related("school_class").first()
    )
    if student is None or student.school_class is None:
        return
    school, klass = student.school, student.school_class
    with transaction.atomic():
        school_page_save(
            actor=accounts["principal"], school=school, intro="\n".join(INTROS), motto=MOTTOS[0], is_public=True,
            origin=ORIGIN,
        )  # fmt: skip
        for i, other in enumerate(
            School.objects.filter(is_active=True, division_id=school.division_id)
            .exclude(pk=school.pk)
            .order_by("code")[:5]
        ):
            SchoolPage.objects.create(school=other, intro=INTROS[i % 3], motto=MOTTOS[(i + 1) % 3], is_public=True)
        parent = accounts["parent"]
        if not parent.email:
            parent.email = "parent@demo.zhijiao.local"
            parent.save(update_fields=["email"])
        bureau = _send(
            accounts["bureau"], title="关于开展网络学习空间应用优秀案例征集的通知",
            body="各学校：\n为推进“网络学习空间人人通”建设与应用，现征集空间应用优秀案例，请于本月底前通过学校空间提交。",
            audience_kind="division", node_id=root, recipients="staff", is_public=True,
        )  # fmt: skip
        _send(
            accounts["principal"], title="校园开放日安排", audience_kind="school", node_id=school.pk,
            body="本周六上午 9:00–11:30 举办校园开放日，欢迎家长走进课堂、参观创新实验室。", recipients="guardians",
            is_public=True,
        )  # fmt: skip
        outing = _send(
            accounts["banzhuren"], title="秋季研学活动回执", audience_kind="class", node_id=klass.pk,
            body="本周五组织秋季研学活动（科技馆），请家长确认孩子是否参加，并提醒孩子带好水杯和帽子。",
            recipients="guardians", needs_confirm=True,
        )  # fmt: skip
        _send(
            accounts["teacher"], title="本周练习安排", audience_kind="class", node_id=klass.pk,
            body="“我的作业”里有数学、物理的本周练习和按学情推送的练习，请在截止前完成，周五课堂统一讲评。",
            recipients="students",
        )  # fmt: skip
        now = timezone.now()
        NoticeReceipt.objects.filter(notice=outing, account=parent).update(read_at=now, confirmed_at=now, reply="参加")
        # a share of the recipients read the notices (the read rates have figures)
        for notice in (bureau, outing):
            ids = list(NoticeReceipt.objects.filter(notice=notice, read_at__isnull=True).values_list("pk", flat=True))
            read = [pk for pk in ids if rng.random() < 0.7]
            NoticeReceipt.objects.filter(pk__in=read).update(read_at=now - timedelta(hours=rng.randint(1, 40)))
        visits = _visits(rng)
    progress(f"网络学习空间：{SchoolPage.objects.count()} 个学校主页，4 条通知，{visits} 条空间使用记录")


def demo_space_indicators(*, progress: Callable[[str], None] = print) -> None:
    """The four space indicators from the latest snapshot, and the warnings they raise."""
    written = space_indicators_update()
    progress(f"网络学习空间指标：{written} 个学校值；预警评估：{warnings_evaluate()}")
