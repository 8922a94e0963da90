"""A tiny, hand-made region for tests, built through the services (never raw model saves).

Two districts of 武汉市: 东西湖区 (schools A and B) and 江岸区 (school C).

* A: classes A1 (teacher ``teacher`` teaches 数学) and A2 (head teacher ``head``, who teaches 语文 there)
* B: class B1; C: class C1
* students s1, s2 in A1; s3 in A2; s4 in B1; s5 in C1; ``parent`` is the mother of s1 and s4
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhijiao.access.roles import Role
from zhijiao.core.events import registry_changes_collected
from zhijiao.core.validators import id_check_digit
from zhijiao.identity.models import Account
from zhijiao.identity.services import account_create, role_grant
from zhijiao.identity.twofactor import DEVICE_NAME, is_admin_account, totp_device_get
from zhijiao.org.models import Division, School, SchoolClass, Term
from zhijiao.org.services import class_create, class_heads_set, school_create, school_year_open
from zhijiao.people.models import Person, Staff, Student
from zhijiao.people.services import guardianship_add, person_create, staff_create, student_enroll, teaching_assign

PASSWORD = "Test-pass-2026"  # noqa: S105  (test fixture)


def make_id(region: str, born: date, seq: int, sex: str) -> str:
    """A valid GB 11643 number; ``seq`` (0..99) and sex pick the order code."""
    order = f"{seq:02d}{1 if sex == '1' else 2}"
    first17 = f"{region}{born:%Y%m%d}{order}"
    return first17 + id_check_digit(first17)


@dataclass
class Region:
    schools: dict[str, School] = field(default_factory=dict)
    classes: dict[str, SchoolClass] = field(default_factory=dict)
    students: dict[str, Student] = field(default_factory=dict)
    staff: dict[str, Staff] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)
    persons: dict[str, Person] = field(default_factory=dict)


def login_as(client: Client, account: Account | str) -> Account:
    """Sign the test client in as ``account`` (or its username), past the administrators' second step.

    For an administrator the session is marked OTP-verified, as after a good TOTP code; an administrator without
    a device gets one (created directly, not audited, so tests counting audit events are not disturbed).
    """
    if isinstance(account, str):
        account = Account.objects.get(username=account)
    client.force_login(account)
    if is_admin_account(account):
        device = totp_device_get(account) or TOTPDevice.objects.create(user=account, name=DEVICE_NAME, confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return account


def build_test_region() -> Region:
    """The hand-made region, written through the registry's write services (the path imports and the demo take).

    Its "registry changed" events are dropped: the fixture is not what a test checks, and a test that runs queued
    jobs inline (or commits) would otherwise provision accounts for everyone before the test begins.
    """
    with registry_changes_collected(publish=False):
        return _test_region()


def _test_region() -> Region:
    r = Region()
    year = school_year_open(start_year=2026)
    term = year.terms.get(number=1)
    dxh, jiangan = Division.objects.get(pk="420112"), Division.objects.get(pk="420102")
    r.schools["A"] = school_create(
        code="3420112001", name="东西湖区第一小学", school_type="211", division=dxh, stages=["2"]
    )
    r.schools["B"] = school_create(
        code="3420112002", name="东西湖区第二小学", school_type="小学", division=dxh, stages=["2"]
    )
    r.schools["C"] = school_create(
        code="3420102001", name="江岸区实验小学", school_type="211", division=jiangan, stages=["2"]
    )
    r.classes["A1"] = class_create(school=r.schools["A"], stage="2", entry_year=2024, number=1)
    r.classes["A2"] = class_create(school=r.schools["A"], stage="2", entry_year=2024, number=2)
    r.classes["B1"] = class_create(school=r.schools["B"], stage="2", entry_year=2025, number=1)
    r.classes["C1"] = class_create(school=r.schools["C"], stage="2", entry_year=2025, number=1)

    seq = iter(range(1, 100))

    def person(key: str, name: str, born: date, sex: str, **extra) -> Person:
        p = person_create(
            name=name,
            sex=sex,
            birth_date=born,
            ethnicity="汉族",
            id_number=make_id("420112", born, next(seq), sex),
            **extra,
        )
        r.persons[key] = p
        return p

    for key, name, school_key, post, subject in (
        ("teacher", "王老师", "A", "数学教师", "14"),
        ("head", "李老师", "A", "语文教师", "13"),
        ("principal", "张校长", "A", "校长", ""),
        ("teacher_b", "赵老师", "B", "语文教师", "13"),
    ):
        p = person(key, name, date(1985, 5, 1), "2", phone="13900000000" if key == "head" else "")
        r.staff[key] = staff_create(
            actor=None,
            person=p,
            staff_no=f"T{len(r.staff) + 1:03d}",
            school=r.schools[school_key],
            category="11" if subject else "13",
            post=post,
            subject=subject,
        )
    teaching_assign(actor=None, staff=r.staff["teacher"], school_class=r.classes["A1"], subject="数学", term=term)
    teaching_assign(actor=None, staff=r.staff["head"], school_class=r.classes["A2"], subject="13", term=term)
    teaching_assign(actor=None, staff=r.staff["teacher_b"], school_class=r.classes["B1"], subject="13", term=term)
    r.classes["A2"].head_teacher = r.staff["head"]
    class_heads_set([r.classes["A2"]])

    for key, class_key, born in (
        ("s1", "A1", date(2018, 3, 2)),
        ("s2", "A1", date(2018, 4, 9)),
        ("s3", "A2", date(2018, 6, 1)),
        ("s4", "B1", date(2019, 1, 20)),
        ("s5", "C1", date(2019, 2, 11)),
    ):
        p = person(key, f"学生{key}", born, "1", address="湖北省武汉市东西湖区金银湖路1号", phone="13712345678")
        r.students[key] = student_enroll(
            actor=None, person=p, student_no=f"G{p.id_number}", school_class=r.classes[class_key], on=date(2024, 9, 1)
        )
    mother = person("parent", "陈妈妈", date(1988, 8, 8), "2", phone="13800001111")
    guardianship_add(actor=None, guardian=mother, student=r.students["s1"], relation="母亲", primary=True)
    guardianship_add(actor=None, guardian=mother, student=r.students["s4"], relation="52", primary=True)

    def account(username: str, role: Role, person: Person | None = None, **node) -> Account:
        a = r.accounts.get(username) or account_create(username=username, password=PASSWORD, person=person)
        role_grant(account=a, role=role, **node)
        r.accounts[username] = a
        return a

    account("admin", Role.PLATFORM_ADMIN)
    account("bureau", Role.REGION_ADMIN, division=dxh)
    account("city", Role.REGION_ADMIN, division=Division.objects.get(pk="4201"))
    account("inspector", Role.INSPECTOR, division=dxh)
    account("principal", Role.SCHOOL_ADMIN, r.persons["principal"], school=r.schools["A"])
    account("head", Role.HEAD_TEACHER, r.persons["head"], school_class=r.classes["A2"])
    account("head", Role.TEACHER, school=r.schools["A"])
    account("teacher", Role.TEACHER, r.persons["teacher"], school=r.schools["A"])
    account("student", Role.STUDENT, r.persons["s1"], school_class=r.classes["A1"])
    account("parent", Role.PARENT, mother)
    account("nobody", Role.TEACHER, None, school=r.schools["C"])
    return r


def build_matrix_region() -> Region:
    """:func:`build_test_region` and a second district that lives like the first, for access tests (the matrix).

    江岸区 (school C) gets what 东西湖区 has: a teacher ``teacher_c`` who teaches C1 and is its 班主任, a principal
    ``principal_c``, a guardian ``parent_c`` of s5 with a phone and an address. The 三员 sit at 东西湖区, as in the
    demo (``sysadmin``, ``secadmin``, ``auditor``). Nothing of the first region changes.
    """
    with registry_changes_collected(publish=False):
        return _matrix_region(build_test_region())


def _matrix_region(r: Region) -> Region:
    jiangan, dxh = Division.objects.get(pk="420102"), Division.objects.get(pk="420112")
    term = Term.objects.get(is_current=True)
    for key, name, post, subject, seq in (
        ("teacher_c", "刘老师", "数学教师", "14", 71),
        ("principal_c", "周校长", "校长", "", 72),
    ):
        born = date(1980, 7, 7)
        p = person_create(
            name=name,
            sex="1",
            birth_date=born,
            ethnicity="汉族",
            id_number=make_id("420102", born, seq, "1"),
            phone=f"1360000{seq:04d}",
        )
        r.persons[key] = p
        r.staff[key] = staff_create(
            actor=None,
            person=p,
            staff_no=f"C{seq:03d}",
            school=r.schools["C"],
            category="11" if subject else "13",
            post=post,
            subject=subject,
        )
    teaching_assign(actor=None, staff=r.staff["teacher_c"], school_class=r.classes["C1"], subject="14", term=term)
    r.classes["C1"].head_teacher = r.staff["teacher_c"]
    class_heads_set([r.classes["C1"]])
    born = date(1987, 3, 3)
    father = person_create(
        name="吴爸爸",
        sex="1",
        birth_date=born,
        ethnicity="汉族",
        id_number=make_id("420102", born, 73, "1"),
        phone="13600001234",
        address="湖北省武汉市江岸区沿江大道88号",
    )
    r.persons["parent_c"] = father
    guardianship_add(actor=None, guardian=father, student=r.students["s5"], relation="父亲", primary=True)

    def account(username: str, role: Role, person: Person | None = None, **node) -> Account:
        a = r.accounts.get(username) or account_create(username=username, password=PASSWORD, person=person)
        role_grant(account=a, role=role, **node)
        r.accounts[username] = a
        return a

    account("teacher_c", Role.HEAD_TEACHER, r.persons["teacher_c"], school_class=r.classes["C1"])
    account("teacher_c", Role.TEACHER, school=r.schools["C"])
    account("principal_c", Role.SCHOOL_ADMIN, r.persons["principal_c"], school=r.schools["C"])
    account("parent_c", Role.PARENT, father)
    account("sysadmin", Role.SYSTEM_ADMIN, division=dxh)
    account("secadmin", Role.SECURITY_ADMIN, division=dxh)
    account("auditor", Role.AUDIT_ADMIN, division=dxh)
    account("bureau_c", Role.REGION_ADMIN, division=jiangan)
    # 教研员 (district subject researcher) of 东西湖区 for 数学: schools and aggregates, no pupil or staff lists
    researcher = account_create(username="researcher", password=PASSWORD, display_name="孙教研")
    role_grant(account=researcher, role=Role.RESEARCHER, division=dxh, subject="14")
    r.accounts["researcher"] = researcher
    # 心理教师 of school A (also one of its teachers, teaching no class): psychological screenings of A's pupils
    psych = account_create(username="psych", password=PASSWORD, display_name="周老师")
    role_grant(account=psych, role=Role.PSYCH_TEACHER, school=r.schools["A"])
    role_grant(account=psych, role=Role.TEACHER, school=r.schools["A"])
    r.accounts["psych"] = psych
    return r
