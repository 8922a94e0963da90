"""Demo accounts: one per role, each a real person of the demo region where the role has one.

Administrators come enrolled for two-factor sign-in: each has a TOTP device whose base32 secret is written to
``demo-accounts.json`` as ``totp_secret`` (add it to an authenticator app, or compute codes from it in scripts).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Count

from zhijiao.access.roles import Role
from zhijiao.identity.services import account_create, role_grant, totp_device_provision
from zhijiao.identity.twofactor import is_admin_account, totp_secret
from zhijiao.org.models import Bureau, Division, School, SchoolClass
from zhijiao.org.selectors import class_display_name
from zhijiao.people.models import Guardianship, Staff, Student, TeachingAssignment

DEFAULT_DEMO_PASSWORD = "Zhijiao@2026"  # noqa: S105  (documented demo default; ZHIJIAO_DEMO_PASSWORD overrides)


@dataclass
class DemoAccount:
    username: str
    role: str
    role_label: str
    scope_code: str
    scope_name: str
    name: str
    password: str
    totp_secret: str = ""  # administrators only: the base32 secret of their authenticator

    def as_dict(self) -> dict[str, str]:
        row = asdict(self)
        if not row["totp_secret"]:
            del row["totp_secret"]
        return row


def create_demo_accounts(*, root: str, password: str) -> list[DemoAccount]:
    """Pick a coherent cast: a parent with two children, one child's class (an 八年级 class of the demo term of
    homework and exams, :func:`demo_term_classes`), its head teacher, its 数学 teacher (its 物理 teacher where the
    head teaches 数学), and the school's principal; bureau officials for the region roles."""
    made: list[DemoAccount] = []

    def add(username: str, role: Role, person=None, *, name: str = "", node=None, subject: str = "") -> None:
        account = account_create(
            username=username,
            password=password,
            person=person,
            display_name=name or (person.name if person else ""),
            is_superuser=role == Role.PLATFORM_ADMIN,
        )
        kwargs: dict[str, Any] = {}
        scope_code, scope_name = "", "全平台"
        if isinstance(node, Division):
            kwargs["division"], scope_code, scope_name = node, node.code, node.name
        elif isinstance(node, School):
            kwargs["school"], scope_code, scope_name = node, node.code, node.name
        elif node is not None:
            kwargs["school_class"] = node
            scope_code = f"{node.school.code}/{node.pk}"
            scope_name = f"{node.school.name} {class_display_name(node)}"
        role_grant(account=account, role=role, subject=subject, **kwargs)
        secret = ""
        if is_admin_account(account):
            secret = totp_secret(totp_device_provision(actor=None, account=account))
        made.append(
            DemoAccount(
                username, role.value, role.label, scope_code, scope_name, account.display_name, password, secret
            )
        )

    division = Division.objects.get(pk=root)
    bureau = Bureau.objects.get(division=division)
    officials = list(Staff.objects.filter(bureau=bureau).select_related("person").order_by("staff_no"))

    guardianship = _cast_guardianship(demo_term_classes())
    assert guardianship is not None, "demo region has no students"
    student: Student = guardianship.student
    school_class = student.school_class
    assert school_class is not None and school_class.head_teacher is not None
    school = school_class.school
    head = school_class.head_teacher
    # the class's 数学 teacher (the demo term's homework, exams and 学情) unless the head teaches it, then its 物理
    # teacher (a quiz, homework and 学情 too), then another
    others = (
        TeachingAssignment.objects.filter(school_class=school_class).exclude(staff=head).select_related("staff__person")
    )
    teacher = (
        others.filter(subject__in=MATHS).order_by("pk").first()
        or others.filter(subject__in=PHYSICS).order_by("pk").first()
        or others.order_by("subject").first()
    )
    assert teacher is not None
    principal = Staff.objects.filter(school=school, post="校长").select_related("person").first()

    add("admin", Role.PLATFORM_ADMIN, name="平台管理员")
    add("bureau", Role.REGION_ADMIN, officials[5].person, node=division)
    add("inspector", Role.INSPECTOR, officials[7].person, node=division)
    add("jiaoyan", Role.RESEARCHER, officials[2].person, node=division, subject="14")  # 教研员 (小学数学)
    add("principal", Role.SCHOOL_ADMIN, principal.person if principal else None, node=school)
    add("banzhuren", Role.HEAD_TEACHER, head.person, node=school_class)
    role_grant(account=head.person.account, role=Role.TEACHER, school=school)
    add("teacher", Role.TEACHER, teacher.staff.person, node=school)
    # 心理教师: a staff member of the school (a 心理健康 post if the registry has one), also one of its teachers
    cast = {head.pk, teacher.staff_id} | ({principal.pk} if principal else set())
    staff = Staff.objects.filter(school=school, is_active=True).exclude(pk__in=cast).select_related("person")
    counsellor = staff.filter(post__contains="心理").order_by("staff_no").first() or staff.order_by("staff_no").first()
    if counsellor is not None:
        add("xinli", Role.PSYCH_TEACHER, counsellor.person, node=school)
        role_grant(account=counsellor.person.account, role=Role.TEACHER, school=school)
    add("student", Role.STUDENT, student.person, node=school_class)
    add("parent", Role.PARENT, guardianship.guardian, node=school_class)
    # 三员分立: three different bureau officials run, secure and audit the platform for the bureau's division.
    add("sysadmin", Role.SYSTEM_ADMIN, officials[4].person, node=division)  # 信息中心主任
    add("secadmin", Role.SECURITY_ADMIN, officials[6].person, node=division)  # 数据管理员
    add("auditor", Role.AUDIT_ADMIN, officials[3].person, node=division)  # 督导室主任
    return made


MATHS = ("14", "数学")
PHYSICS = ("16", "物理")


def demo_term_classes() -> list[SchoolClass]:
    """The classes of the demo's term of homework and exams (``demo.homework_term``): up to three classes of one
    school's 八年级 (its second junior grade; its only one where it has one), the demo pupil's class among them.

    A nine-year school (九年一贯制) comes first: its primary classes keep the primary stories of the cast's school
    (the fitness rounds, ``demo.fitness_term``). Empty where the region has no junior classes.
    """
    junior = SchoolClass.objects.filter(grade__stage="3", is_active=True).select_related("grade")
    schools = sorted(set(junior.values_list("school_id", flat=True)))
    if not schools:
        return []
    mixed = set(
        SchoolClass.objects.filter(school_id__in=schools, grade__stage="2", is_active=True).values_list(
            "school_id", flat=True
        )
    )
    school_id = next((s for s in schools if s in mixed), schools[0])
    years = sorted({c.grade.entry_year for c in junior.filter(school_id=school_id)}, reverse=True)
    year = years[1] if len(years) > 1 else years[0]
    return list(junior.filter(school_id=school_id, grade__entry_year=year).order_by("number")[:3])


def _cast_guardianship(classes: list[SchoolClass]) -> Guardianship | None:
    """The demo parent and pupil: a primary contact with two children, one of them in the demo term's classes
    (the pupil), the other at the same school where one is; any primary contact of those classes if none has two;
    the region's first family with two children where the region has no junior classes."""
    contacts = Guardianship.objects.filter(is_primary_contact=True).select_related(
        "guardian", "student__school_class__school", "student__person"
    )
    if classes:
        led = contacts.filter(student__school_class__in=classes, student__school_class__head_teacher__isnull=False)
        here = list(led.order_by("student__school_class__number", "student_id"))
        many = dict(
            Guardianship.objects.filter(guardian_id__in={g.guardian_id for g in here})
            .values("guardian_id")
            .annotate(n=Count("student"))
            .values_list("guardian_id", "n")
        )
        two = [g for g, n in many.items() if n >= 2]
        siblings_here = set(
            Guardianship.objects.filter(guardian_id__in=two, student__school_id=classes[0].school_id)
            .exclude(student__school_class__in=classes)
            .values_list("guardian_id", flat=True)
        )
        found = (
            next((g for g in here if g.guardian_id in siblings_here), None)
            or next((g for g in here if many.get(g.guardian_id, 0) >= 2), None)
            or (here[0] if here else None)
        )
        if found is not None:
            return found
    row = (
        Guardianship.objects.filter(is_primary_contact=True)
        .values("guardian_id")
        .annotate(n=Count("student"))
        .filter(n__gte=2)
        .order_by("guardian_id")
        .first()
    )
    return (contacts.filter(guardian_id=row["guardian_id"]) if row else contacts).order_by("student_id").first()
