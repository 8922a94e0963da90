"""Accounts and derived grants from the registry: creation, idempotence, leavers, staff departures, bulk."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db.models import Max
from django.utils import timezone

from zhijiao.access.models import RoleGrant
from zhijiao.access.roles import Role
from zhijiao.audit.models import AuditEvent
from zhijiao.identity.models import Account
from zhijiao.identity.provisioning import accounts_sync
from zhijiao.org.models import Bureau, Division, SchoolClass
from zhijiao.people.models import Enrolment, Person, Staff, Student
from zhijiao.people.services import guardianship_add, person_create
from zhijiao.testing import PASSWORD, make_id

pytestmark = pytest.mark.django_db


def grants(account: Account, *, derived: bool | None = None) -> set[tuple[str, int | None, int | None]]:
    rows = RoleGrant.objects.filter(account=account)
    if derived is not None:
        rows = rows.filter(derived=derived)
    return set(rows.values_list("role", "school_id", "school_class_id"))


def account_of(person: Person) -> Account:
    return Account.objects.get(person=person)


def leave(student: Student, *, status: str = "10", on: date | None = None) -> None:
    """The registry records a pupil leaving (转出 by default): status changes, the open enrolment ends."""
    Student.objects.filter(pk=student.pk).update(status=status)
    Enrolment.objects.filter(student=student, ended_on__isnull=True).update(
        ended_on=on or date(2026, 11, 1), end_reason="转出"
    )


def depart(staff: Staff) -> None:
    Staff.objects.filter(pk=staff.pk).update(is_active=False)


def test_pupil_teacher_and_guardian_get_accounts_and_derived_grants(region):
    a, b = region.schools["A"], region.schools["B"]
    b1 = region.classes["B1"]
    SchoolClass.objects.filter(pk=b1.pk).update(head_teacher=region.staff["teacher_b"])
    grandma = person_create(name="刘奶奶", sex="2", birth_date=date(1960, 1, 2), phone="+86 135-0000-2222")
    guardianship_add(actor=None, guardian=grandma, student=region.students["s3"], relation="51")

    result = accounts_sync(actor=None)

    # a pupil without an account: named from the registry id, no usable password, must choose one
    s2 = account_of(region.persons["s2"])
    assert s2.username == f"xs{region.persons['s2'].pk:07d}"
    assert not s2.has_usable_password() and s2.must_change_password and s2.is_active
    assert s2.display_name == "学生s2"
    assert s2.mobile == ""  # a pupil's registry phone is the family's, not a login name
    assert grants(s2, derived=True) == {(Role.STUDENT, None, region.classes["A1"].pk)}
    # a teacher: 教师 at the school of the post, 班主任 on the class headed (and taught)
    zhao = account_of(region.persons["teacher_b"])
    assert zhao.username.startswith("js")
    assert grants(zhao, derived=True) == {(Role.TEACHER, b.pk, None), (Role.HEAD_TEACHER, None, b1.pk)}
    # a guardian: 家长 on the child's class; the mobile number is normalised for login
    granny = account_of(grandma)
    assert granny.username == f"jz{grandma.pk:07d}" and granny.mobile == "13500002222"
    assert grants(granny, derived=True) == {(Role.PARENT, None, region.classes["A2"].pk)}
    # existing accounts keep their names and passwords; grants already given by hand are not duplicated
    head = region.accounts["head"]
    head.refresh_from_db()
    assert head.username == "head" and head.check_password(PASSWORD)
    assert grants(head, derived=True) == set() and len(grants(head)) == 2
    # the principal (a school admin given by hand) also holds the post: 教师 at the school, derived
    assert grants(region.accounts["principal"], derived=True) == {(Role.TEACHER, a.pk, None)}
    # the parent of s1 (A1) and s4 (B1)
    assert grants(region.accounts["parent"], derived=True) == {
        (Role.PARENT, None, region.classes["A1"].pk),
        (Role.PARENT, None, region.classes["B1"].pk),
    }
    assert result.created == 6  # s2 s3 s4 s5, 赵老师, 刘奶奶
    event = AuditEvent.objects.filter(action="accounts.sync").get()
    assert event.target_id == "all" and "新建账号 6" in event.target_label


def test_a_second_run_changes_nothing(region, django_assert_max_num_queries):
    first = accounts_sync(actor=None)
    before = set(RoleGrant.objects.values_list("pk", "account_id", "role", "school_id", "school_class_id"))
    with django_assert_max_num_queries(20):
        second = accounts_sync(actor=None)
    assert first.created > 0
    assert (second.created, second.grants_added, second.grants_removed, second.deactivated) == (0, 0, 0, 0)
    assert second.mobiles_updated == 0
    assert set(RoleGrant.objects.values_list("pk", "account_id", "role", "school_id", "school_class_id")) == before


def test_derived_grants_follow_the_registry_and_manual_grants_stay(region):
    a2 = region.classes["A2"]
    accounts_sync(actor=None)
    # 李老师 heads A2 by hand-given grant; the registry moves the headship to 王老师
    SchoolClass.objects.filter(pk=a2.pk).update(head_teacher=region.staff["teacher"])
    result = accounts_sync(actor=None)
    assert (Role.HEAD_TEACHER, None, a2.pk) in grants(region.accounts["teacher"], derived=True)
    assert (Role.HEAD_TEACHER, None, a2.pk) in grants(region.accounts["head"], derived=False)  # manual: untouched
    # and away again: the derived grant goes, nothing else
    SchoolClass.objects.filter(pk=a2.pk).update(head_teacher=None)
    result = accounts_sync(actor=None)
    assert result.grants_removed == 1
    assert (Role.HEAD_TEACHER, None, a2.pk) not in grants(region.accounts["teacher"])


def test_a_student_who_left_can_no_longer_log_in(region, client):
    accounts_sync(actor=None)
    s1 = region.students["s1"]
    assert client.post("/accounts/login/", {"username": "student", "password": PASSWORD}).status_code == 302
    assert client.get("/students/").status_code == 200
    sessions = Session.objects.count()
    assert sessions >= 1

    leave(s1)
    result = accounts_sync(actor=None)

    account = region.accounts["student"]
    account.refresh_from_db()
    assert not account.is_active and account.left_registry_at is not None
    assert result.deactivated == 1 and result.sessions_ended == 1
    assert Session.objects.count() == sessions - 1
    # the open session has ended: the next page asks for a login
    response = client.get("/students/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    # and logging in again fails, by account name and by 学籍号
    for name in ("student", s1.student_no):
        response = client.post("/accounts/login/", {"username": name, "password": PASSWORD})
        assert response.status_code != 302
    assert grants(account, derived=True) == set()
    # the parent keeps access through s4, but no longer on s1's class
    assert (Role.PARENT, None, region.classes["A1"].pk) not in grants(region.accounts["parent"])
    assert Account.objects.get(pk=region.accounts["parent"].pk).is_active


def test_a_pupil_who_comes_back_is_reopened_but_an_account_disabled_by_hand_is_not(region):
    accounts_sync(actor=None)
    s1, s2 = region.students["s1"], region.students["s2"]
    leave(s1)
    accounts_sync(actor=None)
    # back in school: 复学 with a new enrolment
    Student.objects.filter(pk=s1.pk).update(status="05")
    Enrolment.objects.create(
        student=s1, school=s1.school, school_class=region.classes["A1"], started_on=date(2026, 11, 20)
    )
    # an administrator disabled s2's account: provisioning must not reopen it
    Account.objects.filter(person=s2.person).update(is_active=False)
    result = accounts_sync(actor=None)
    assert result.reactivated == 1
    account = region.accounts["student"]
    account.refresh_from_db()
    assert account.is_active and account.left_registry_at is None
    assert not Account.objects.get(person=s2.person).is_active


def test_staff_who_depart_lose_access(region, client):
    accounts_sync(actor=None)
    assert client.post("/accounts/login/", {"username": "teacher", "password": PASSWORD}).status_code == 302
    depart(region.staff["teacher"])
    result = accounts_sync(actor=None)
    account = region.accounts["teacher"]
    account.refresh_from_db()
    assert not account.is_active and result.sessions_ended == 1
    assert client.get("/students/").status_code == 302
    assert client.post("/accounts/login/", {"username": "teacher", "password": PASSWORD}).status_code != 302
    # departed staff no longer hold the derived grant of their post; 王老师's 教师 grant was given by hand
    assert (Role.TEACHER, region.schools["A"].pk, None) in grants(account, derived=False)


def test_bureau_staff_get_an_account_but_no_grant(region):
    bureau = Bureau.objects.create(code="B420112", name="东西湖区教育局", division=Division.objects.get(pk="420112"))
    officer = person_create(
        name="周科长", sex="1", birth_date=date(1980, 1, 1), id_number=make_id("420112", date(1980, 1, 1), 90, "1")
    )
    Staff.objects.create(person=officer, staff_no="J001", bureau=bureau, category="11", post="科员")  # no service yet
    accounts_sync(actor=None)
    account = account_of(officer)
    assert account.username.startswith("js") and grants(account) == set()


def test_a_school_run_touches_only_that_schools_people(region):
    result = accounts_sync(actor=None, school=region.schools["B"])
    assert Account.objects.filter(person=region.persons["s4"]).exists()
    assert Account.objects.filter(person=region.persons["teacher_b"]).exists()
    assert not Account.objects.filter(person=region.persons["s5"]).exists()  # school C
    assert not Account.objects.filter(person=region.persons["s2"]).exists()  # school A
    assert result.created == 2
    # the parent of s4 is evaluated in full, so s1's class (school A) is granted too
    assert len(grants(region.accounts["parent"], derived=True)) == 2


def test_only_administrators_of_the_school_may_run_it(region):
    from zhijiao.core.errors import Forbidden

    with pytest.raises(Forbidden):
        accounts_sync(actor=region.accounts["teacher"], school=region.schools["A"])
    with pytest.raises(Forbidden):
        accounts_sync(actor=region.accounts["principal"], school=region.schools["B"])
    with pytest.raises(Forbidden):
        accounts_sync(actor=region.accounts["principal"])  # everyone: platform administrators only
    assert accounts_sync(actor=region.accounts["principal"], school=region.schools["A"]).created > 0


def test_a_taken_account_name_gets_a_suffix(region):
    s2 = region.persons["s2"]
    Account.objects.create(username=f"xs{s2.pk:07d}")  # someone made this name by hand
    accounts_sync(actor=None)
    assert account_of(s2).username == f"xs{s2.pk:07d}-2"


def _bulk_pupils(region, n: int) -> None:
    """``n`` pupils in class B1, written in bulk (building them through the services would take minutes)."""
    b1 = region.classes["B1"]
    start = (Person.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    born = date(2019, 5, 1)
    Person.objects.bulk_create(
        [Person(id=start + i, name=f"学生{i}", sex="1", birth_date=born) for i in range(n)], batch_size=2000
    )
    Student.objects.bulk_create(
        [
            Student(person_id=start + i, student_no=f"L{start + i:018d}", school=b1.school, school_class=b1)
            for i in range(n)
        ],
        batch_size=2000,
    )
    ids = Student.objects.filter(person_id__gte=start).values_list("id", flat=True)
    Enrolment.objects.bulk_create(
        [
            Enrolment(student_id=i, school=b1.school, school_class=b1, started_on=born + timedelta(days=2000))
            for i in ids
        ],
        batch_size=2000,
    )


@pytest.mark.slow  # 20,000 pupils: two chunks at full size
def test_bulk_provisioning_of_20k_pupils_uses_a_bounded_number_of_queries(region, django_assert_max_num_queries):
    _bulk_pupils(region, 20_000)
    started = timezone.now()
    # Two chunks of persons at ~16 statements each (savepoints included), the audit event: a constant, where
    # per-row saves would be over 20,000.
    with django_assert_max_num_queries(60):
        result = accounts_sync(actor=None)
    assert result.created == 20_000 + 5  # and s2 s3 s4 s5, 赵老师 of the test region
    assert Account.objects.filter(date_joined__gte=started, username__startswith="xs").count() == 20_000 + 4
    assert (
        RoleGrant.objects.filter(derived=True, role=Role.STUDENT, school_class=region.classes["B1"]).count() == 20_001
    )


def test_sparse_person_ids_cost_no_empty_chunks(region, django_assert_max_num_queries):
    accounts_sync(actor=None)
    # a person far beyond the others (ids freed by deletions, a restored backup): still one chunk
    far = person_create(name="孙老师", sex="2", birth_date=date(1990, 1, 1))
    Person.objects.filter(pk=far.pk).update(id=far.pk + 5_000_000)
    with django_assert_max_num_queries(20):
        accounts_sync(actor=None)


def test_an_import_batch_queues_provisioning(region, monkeypatch, django_capture_on_commit_callbacks):
    from huey.contrib.djhuey import HUEY

    from zhijiao.intake.services import import_records

    monkeypatch.setattr(HUEY, "immediate", True)  # run queued jobs in-process, as the worker would
    born = date(2017, 9, 9)
    number = make_id("420112", born, 77, "1")
    record = {
        "姓名": "钱多多",
        "性别": "男",
        "出生日期": born.isoformat(),
        "民族": "汉族",
        "身份证件类型": "居民身份证",
        "身份证件号": number,
        "学籍号": f"G{number}",
        "学校标识码": region.schools["B"].code,
        "年级": "二年级",
        "班级": "1",
        "入学年月": "2025-09",
        "监护人姓名": "钱爸爸",
        "监护人关系": "父亲",
        "监护人电话": "13900004321",
    }
    with django_capture_on_commit_callbacks(execute=True):
        batch = import_records(actor=None, kind="students", records=[record])
    assert batch.created == 1, batch.status
    pupil = Account.objects.get(person__student__student_no=f"G{number}")
    assert pupil.username.startswith("xs") and pupil.must_change_password
    father = Account.objects.get(mobile="13900004321")
    assert father.username.startswith("jz")
    assert grants(father, derived=True) == {(Role.PARENT, None, pupil.person.student.school_class_id)}
    assert AuditEvent.objects.filter(action="accounts.sync").exists()
