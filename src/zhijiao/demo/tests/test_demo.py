"""The small demo region, built once for this module: realistic, valid, deterministic, with a cast for every role."""

from __future__ import annotations

import json

import pytest
from django.db.models import Count
from django.utils import timezone

from zhijiao.access.roles import Role
from zhijiao.analytics.selectors import node_figures
from zhijiao.core.student_status import StudentStatus
from zhijiao.core.validators import validate_id_number
from zhijiao.demo.setup import demo_prepare
from zhijiao.growth.models import GrowthRecord, Objection, TermReview
from zhijiao.identity.models import Account
from zhijiao.identity.twofactor import is_admin_account, totp_code
from zhijiao.org.models import School, SchoolClass
from zhijiao.people.models import Enrolment, Guardianship, Person, Staff, Student
from zhijiao.testing import login_as
from zhijiao.web.integrity import integrity_report

pytestmark = pytest.mark.slow  # builds the small demo region with its resource library


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.conf import settings

    home = tmp_path_factory.mktemp("home")
    old = settings.HOME, settings.ZHIJIAO_WAREHOUSE_DIR, settings.ZHIJIAO_MEDIA_DIR
    settings.HOME, settings.ZHIJIAO_WAREHOUSE_DIR, settings.ZHIJIAO_MEDIA_DIR = home, home / "warehouse", home / "media"
    with django_db_blocker.unblock():
        result = demo_prepare(scale="small", seed=7, progress=lambda _: None)
        yield result
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)
        from zhijiao.org.services import division_sync

        division_sync()
    settings.HOME, settings.ZHIJIAO_WAREHOUSE_DIR, settings.ZHIJIAO_MEDIA_DIR = old


@pytest.mark.django_db
def test_every_role_has_a_demo_account_that_can_sign_in(demo, client, settings):
    accounts = json.loads(demo.accounts_file.read_text(encoding="utf-8"))
    assert {a["role"] for a in accounts} == set(Role.values)
    for entry in accounts:
        assert {"username", "role", "scope_code", "name"} <= entry.keys()
        response = client.post("/accounts/login/", {"username": entry["username"], "password": entry["password"]})
        if is_admin_account(Account.objects.get(username=entry["username"])):
            # administrators come enrolled: the password alone leads to the second step, the code signs in
            assert response.status_code == 200 and 'name="otp_token"' in response.content.decode(), entry["username"]
            response = client.post("/accounts/login/", {"otp_token": totp_code(entry["totp_secret"])})
        else:
            assert "totp_secret" not in entry
        assert response.status_code == 302, entry["username"]
        assert client.get("/").status_code == 200
        client.post("/accounts/logout/")


@pytest.mark.django_db
def test_every_id_number_is_valid_and_consistent(demo):
    people = Person.objects.filter(id_number__isnull=False)
    assert people.count() > 1000
    for person in people.iterator():
        assert validate_id_number(person.id_number) == person.id_number
        assert person.id_number[6:14] == person.birth_date.strftime("%Y%m%d")
        assert int(person.id_number[16]) % 2 == (1 if person.sex == "1" else 0)
    for student in Student.objects.select_related("person").iterator():
        assert student.student_no == "G" + student.person.id_number


@pytest.mark.django_db
def test_region_shape(demo):
    assert School.objects.count() == 5
    assert Staff.objects.filter(category="11").count() > 30
    sizes = [c.n for c in SchoolClass.objects.annotate(n=Count("students"))]
    assert min(sizes) >= 25
    assert sum(1 for n in sizes if n <= 50) / len(sizes) > 0.8
    # every pupil has one current enrolment, but those who have left (the demo's completed 退学 case, 学籍异动)
    left = Student.objects.filter(status__in=[StudentStatus.WITHDRAWN, StudentStatus.DECEASED])
    current = Enrolment.objects.filter(ended_on__isnull=True)
    assert current.count() == Student.objects.count() - left.count()
    assert not current.filter(student__in=left).exists()
    assert Guardianship.objects.values("guardian").annotate(n=Count("student")).filter(n__gt=1).exists()
    assert all(check.ok for check in integrity_report()), [c for c in integrity_report() if not c.ok]


@pytest.mark.django_db
def test_setup_is_idempotent(demo):
    again = demo_prepare(scale="small", seed=7, progress=lambda _: None)
    assert not again.built and again.accounts


@pytest.mark.django_db
def test_the_demo_starts_with_a_warehouse_snapshot(demo):
    figures = node_figures(actor=None, node="")
    assert figures["students"] == Student.objects.filter(status="01").count()
    assert figures["schools"] == School.objects.filter(is_active=True).count()
    assert figures["classes"] == SchoolClass.objects.filter(is_active=True).count()


@pytest.mark.django_db
def test_the_demo_class_has_a_growth_term_in_publicity(demo):
    """demo/growth_term.py: records for the demo class, a publicity running today, an objection waiting."""
    review = TermReview.objects.get(state="published")
    assert review.published_on <= timezone.localdate() <= review.publicity_ends_on
    assert GrowthRecord.objects.filter(school_class=review.school_class).count() > 100
    assert Objection.objects.filter(review=review, status="pending").count() == 1
    assert review.selections.exists() and review.levels.exists()


@pytest.mark.django_db
def test_the_demo_pupil_meets_homework_marks_weak_points_and_pushed_practice(demo, client, settings):
    """The cast sits in an 八年级 class of the demo term: signing in as ``student`` shows work to do, marked work,
    pushed practice with resources, and a report; ``parent`` sees the child's 学情; the fitness rounds still run."""
    from zhijiao.growth.models import FitnessSession
    from zhijiao.learning.models import Assignment, Mastery, Submission

    pupil = Student.objects.select_related("school_class__grade").get(person__account__username="student")
    assert pupil.school_class.grade.stage == "3"
    mine = Submission.objects.filter(student=pupil)
    assert mine.filter(status="marked").count() >= 8 and mine.filter(status="assigned").count() >= 2
    assert Mastery.objects.filter(student=pupil, subject="14").exists()
    assert Mastery.objects.filter(student=pupil, subject="16").exists()  # 物理 items carry knowledge points now
    pushed = Assignment.objects.filter(origin="push", status="published", classes=pupil.school_class)
    assert pushed.exists()
    assert FitnessSession.objects.exists()  # a nine-year school: its primary classes keep the fitness rounds
    password = json.loads(demo.accounts_file.read_text(encoding="utf-8"))[0]["password"]
    client.post("/accounts/login/", {"username": "student", "password": password})
    listing = client.get("/learning/my/homework/").content.decode()
    assert "为你推送" in listing and "数学：本周练习" in listing and "数学期末模拟考试" in listing
    assert client.get("/learning/reports/").status_code in (200, 302)
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "parent", "password": password})
    assert pupil.person.name in client.get(f"/learning/reports/child/{pupil.pk}/").content.decode()


@pytest.mark.django_db
def test_most_classes_finished_the_term_and_the_statistics_page_shows_it(demo, client):
    """demo/growth_classes.py: most classes archived through the term process (levels, 教师评语, audit by another
    account than the publisher), some still in 遴选; the 综评完成率 on the bureau's page is a real figure."""
    classes = SchoolClass.objects.filter(is_active=True).count()
    archived = TermReview.objects.filter(term__is_current=True, state="archived")
    assert 0.6 <= archived.count() / classes <= 0.95
    assert TermReview.objects.filter(term__is_current=True, state="selecting").exists()
    assert TermReview.objects.filter(term__is_current=True, state="published").count() == 1  # the cast's class
    for review in archived:
        commented = review.statements.filter(kind="teacher").count()
        assert commented >= review.school_class.students.filter(status="01").count() > 0
        assert review.levels.count() == commented * 5
        assert review.audited_by_id and review.audited_by_id != review.published_by_id
    assert Objection.objects.filter(status="rejected").exists()  # one objection answered in the cast's class
    login_as(client, "bureau")
    root = Account.objects.get(username="bureau").grants.get().division_id
    growth = client.get(f"/analytics/{root}/").context["growth"]
    assert 55 <= growth["completion_rate"] <= 95, growth
