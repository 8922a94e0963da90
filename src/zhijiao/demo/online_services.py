"""网上办事 in the demo: 学籍异动 cases at every stage for the demo cast, and a registry of training institutions.

Built through the services (``services.services_status``, ``services.services_institutions``), as the accounts of
the cast would: the parent applies to move a child to another district's school (waiting at the principal), the
principal's 休学 case waits at the bureau, a 退学 case has gone through (the registry shows the pupil as left), and
some thirty institutions (a few on the 黑名单 or 注销) with staff, inspections and a complaint.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from zhijiao.access.scope import scope_for
from zhijiao.audit.services import Origin
from zhijiao.core.student_status import studying_q
from zhijiao.identity.models import Account
from zhijiao.org.models import Division, School
from zhijiao.people.models import Student
from zhijiao.services import services_institutions, services_status

ORIGIN = Origin(channel="cli")
NAMES = (
    "启明",
    "金桥",
    "博雅",
    "星河",
    "雅韵",
    "青苗",
    "知行",
    "远航",
    "墨香",
    "乐动",
    "睿思",
    "童心",
    "蓝天",
    "智慧树",
    "小书虫",
)
KINDS = (
    ("书法美术培训学校", "书法、美术", "非学科类"),
    ("编程科技培训中心", "编程、科技", "非学科类"),
    ("舞蹈艺术培训学校", "舞蹈、艺术", "非学科类"),
    ("体育运动培训中心", "体育", "非学科类"),
    ("围棋培训学校", "棋类", "非学科类"),
    ("音乐培训学校", "音乐", "非学科类"),
    ("学科辅导中心", "数学、英语、语文", "学科类"),
)
STREETS = ("解放大道", "金银湖路", "中山大道", "建设大道", "临空港大道", "东吴大道", "沿江大道", "武珞路")
FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林"


def demo_online_services(*, root: str, seed: int, progress: Callable[[str], None]) -> None:
    progress("网上办事：学籍异动申请和校外培训机构……")
    accounts = {a.username: a for a in Account.objects.filter(username__in=["parent", "principal", "bureau", "admin"])}
    if len(accounts) == 4:
        _cases(accounts)
    _institutions(root=root, seed=seed, bureau=accounts.get("bureau") or accounts.get("admin"))


def _cases(a: dict[str, Account]) -> None:
    parent, principal, bureau = a["parent"], a["principal"], a["bureau"]
    children = list(Student.objects.filter(guardianships__guardian_id=parent.person_id).select_related("school"))
    school = School.objects.filter(pk__in=scope_for(principal).school_ids()).first()
    if not children or school is None:
        return
    child = next((c for c in children if c.school_id == school.pk), children[0])
    elsewhere = (
        School.objects.filter(is_active=True, school_type=child.school.school_type)
        .exclude(division_id=child.school.division_id)
        .order_by("code")
        .first()
    ) or School.objects.filter(is_active=True).exclude(pk=child.school_id).order_by("code").first()
    if elsewhere is not None:
        services_status.case_submit(
            actor=parent,
            student=child,
            kind="transfer",
            reason="父母工作调动，全家已迁往新居住地，申请转入就近学校就读。",
            to_school=elsewhere,
            origin=ORIGIN,
        )
    others = list(
        Student.objects.filter(studying_q(), school=school).exclude(pk__in=[c.pk for c in children]).order_by("id")[:3]
    )
    if len(others) < 2:
        return
    suspend = services_status.case_submit(
        actor=principal,
        student=others[0],
        kind="suspend",
        reason="因病需住院治疗，申请休学一年（附医院诊断证明）。",
        origin=ORIGIN,
    )
    services_status.case_approve(actor=principal, case_id=suspend.pk, note="情况属实，同意休学。", origin=ORIGIN)
    leave = services_status.case_submit(
        actor=principal,
        student=others[1],
        kind="withdraw",
        reason="随父母出国定居，已取得当地学校入学通知。",
        origin=ORIGIN,
    )
    services_status.case_supplement_request(
        actor=principal, case_id=leave.pk, note="请补充当地学校入学通知书复印件。", origin=ORIGIN
    )
    services_status.case_supplement(
        actor=principal, case_id=leave.pk, note="已补充入学通知书（扫描件已存档）。", origin=ORIGIN
    )
    services_status.case_approve(actor=principal, case_id=leave.pk, origin=ORIGIN)
    services_status.case_approve(actor=bureau, case_id=leave.pk, note="材料齐全，同意。", origin=ORIGIN)


def _institutions(*, root: str, seed: int, bureau: Account | None) -> None:
    if bureau is None:
        return
    rng = random.Random(seed)
    districts = list(Division.objects.filter(level=3, code__startswith=root).order_by("code"))[:6]
    if not districts:
        return
    today = timezone.localdate()
    for n in range(1, 31):
        district = districts[n % len(districts)]
        kind, subjects, category = KINDS[n % len(KINDS)]
        black = n % 11 == 0 or (category == "学科类" and n % 2 == 0)
        cancelled = n % 9 == 0
        row = services_institutions.institution_save(
            actor=bureau,
            values={
                "licence_no": f"教民1{district.code}{n:07d}",
                "name": f"{district.name}{NAMES[n % len(NAMES)]}{kind}",
                "division": district.code,
                "address": f"{district.name}{STREETS[n % len(STREETS)]}{rng.randint(1, 300)}号",
                "subjects": subjects,
                "category": category,
                "phone": f"027-8{rng.randint(1000000, 9999999)}",
            },
            origin=ORIGIN,
        )
        for j in range(rng.randint(2, 5)):
            services_institutions.staff_add(
                actor=bureau,
                institution_id=row.pk,
                name=FAMILY[rng.randrange(len(FAMILY))] + rng.choice("明华丽静文军芳婷磊超"),
                subject=subjects.split("、")[j % len(subjects.split("、"))],
                qualification=rng.choice(("小学教师资格", "初级中学教师资格", "专业技能证书")),
                certificate_no=""
                if j == 3
                else f"{rng.randint(2012, 2024)}{district.code}{rng.randint(10**7, 10**8 - 1)}",
                origin=ORIGIN,
            )
        services_institutions.inspection_add(
            actor=bureau,
            institution_id=row.pk,
            on=today - timedelta(days=rng.randint(10, 200)),
            result="failed" if black else ("rectify" if n % 5 == 0 else "passed"),
            note="消防通道畅通，收费公示上墙。" if not black else "超出许可范围开展学科类培训。",
            origin=ORIGIN,
        )
        if black:
            services_institutions.institution_status_set(
                actor=bureau,
                institution_id=row.pk,
                status="black",
                note="未经审批开展学科类培训，已责令停止办学。",
                origin=ORIGIN,
            )
            services_institutions.complaint_add(
                actor=bureau,
                institution_id=row.pk,
                on=today - timedelta(days=rng.randint(1, 60)),
                summary="家长反映预收费用超过三个月且拒绝退费。",
                origin=ORIGIN,
            )
        elif cancelled:
            services_institutions.institution_status_set(
                actor=bureau,
                institution_id=row.pk,
                status="cancelled",
                note="举办者申请终止办学，已完成退费。",
                origin=ORIGIN,
            )
