from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from zhijiao.access.roles import Role
from zhijiao.audit.models import AuditEvent
from zhijiao.audit.services import Origin
from zhijiao.core.errors import Forbidden, NotFound, ZhijiaoError
from zhijiao.identity.models import Account
from zhijiao.identity.services import account_create, role_grant
from zhijiao.org.models import Division
from zhijiao.people.models import Person
from zhijiao.people.services import person_create, student_enroll
from zhijiao.privacy.models import GuardianConsent
from zhijiao.privacy.selectors import consent_policy_for, minor_consent_missing
from zhijiao.privacy.services import consent_grant, consent_policy_set, consent_withdraw
from zhijiao.privacy.tests.conftest import make_app
from zhijiao.testing import PASSWORD, make_id

WEB = Origin(channel="web", ip="10.1.2.3")


@pytest.fixture
def policy_on(region):
    return consent_policy_set(actor=None, division=Division.objects.get(pk="4201"), require_app_consent=True)


def _pupil(region, username: str, born: date, *, id_only: bool = False) -> Account:
    person = person_create(
        name=f"学生{username}",
        sex="1",
        birth_date=None if id_only else born,
        ethnicity="汉族",
        id_number=make_id("420112", born, 90 + len(username) % 9, "1"),
    )
    student = student_enroll(
        actor=None,
        person=person,
        student_no=f"G{person.id_number}",
        school_class=region.classes["A1"],
        on=date(2024, 9, 1),
    )
    region.students[username] = student
    account = account_create(username=username, password=PASSWORD, person=person)
    role_grant(account=account, role=Role.STUDENT, school_class=region.classes["A1"])
    return account


def test_pupil_under_14_needs_consent_when_the_policy_asks(region, policy_on, app):
    assert minor_consent_missing(account=region.accounts["student"], app=app) is True


def test_no_policy_or_policy_off_means_no_consent_needed(region, app):
    assert minor_consent_missing(account=region.accounts["student"], app=app) is False
    consent_policy_set(actor=None, division=Division.objects.get(pk="4201"), require_app_consent=True)
    consent_policy_set(actor=None, division=Division.objects.get(pk="420112"), require_app_consent=False)
    assert consent_policy_for("420112").division_id == "420112"  # the nearest division wins
    assert minor_consent_missing(account=region.accounts["student"], app=app) is False


def test_pupil_of_14_or_older_needs_none(region, policy_on, app):
    today = timezone.localdate()
    born = date(today.year - 14, 1, 1)
    older = _pupil(region, "older", born)
    assert minor_consent_missing(account=older, app=app) is False


def test_birth_date_from_the_id_number_when_the_registry_has_none(region, policy_on, app):
    today = timezone.localdate()
    younger = _pupil(region, "young", date(today.year - 10, 1, 1), id_only=True)
    older = _pupil(region, "olderid", date(today.year - 15, 1, 1), id_only=True)
    assert Person.objects.get(pk=younger.person_id).birth_date is None
    assert minor_consent_missing(account=younger, app=app) is True
    assert minor_consent_missing(account=older, app=app) is False


def test_non_pupils_need_no_consent(region, policy_on, app):
    assert minor_consent_missing(account=region.accounts["teacher"], app=app) is False
    assert minor_consent_missing(account=region.accounts["admin"], app=app) is False


def test_consent_granted_then_withdrawn(region, policy_on, app):
    parent, pupil, s1 = region.accounts["parent"], region.accounts["student"], region.students["s1"]
    other_app = make_app("Reading")
    consent = consent_grant(actor=parent, student=s1, app=app, scopes=["openid", "profile"], origin=WEB)
    assert minor_consent_missing(account=pupil, app=app) is False
    assert minor_consent_missing(account=pupil, app=other_app) is True  # consent is per app

    consent_withdraw(actor=parent, consent_id=consent.pk, origin=WEB)
    assert minor_consent_missing(account=pupil, app=app) is True
    row = GuardianConsent.objects.get(pk=consent.pk)  # history kept, not deleted
    assert row.withdrawn_at is not None and row.withdrawn_by == parent and row.withdrawn_ip == "10.1.2.3"
    actions = list(AuditEvent.objects.filter(action__startswith="privacy.consent").values_list("action", "ip"))
    assert actions == [("privacy.consent_withdraw", "10.1.2.3"), ("privacy.consent_grant", "10.1.2.3")]

    again = consent_grant(actor=parent, student=s1, app=app, origin=WEB)
    assert again.pk != consent.pk and GuardianConsent.objects.filter(student=s1).count() == 2


def test_consent_for_all_services_covers_every_app(region, policy_on, app):
    consent_grant(actor=region.accounts["parent"], student=region.students["s1"], app=None, origin=WEB)
    assert minor_consent_missing(account=region.accounts["student"], app=app) is False
    assert minor_consent_missing(account=region.accounts["student"], app=make_app("Reading")) is False


def test_only_a_guardian_may_consent_or_withdraw(region, policy_on, app):
    s1 = region.students["s1"]
    with pytest.raises(ZhijiaoError) as exc:
        consent_grant(actor=region.accounts["teacher"], student=s1, app=app, origin=WEB)
    assert exc.value.status == 403
    consent = consent_grant(actor=region.accounts["parent"], student=s1, app=app, origin=WEB)
    with pytest.raises(ZhijiaoError):
        consent_grant(actor=region.accounts["parent"], student=s1, app=app, origin=WEB)  # already active
    with pytest.raises(NotFound):
        consent_withdraw(actor=region.accounts["teacher"], consent_id=consent.pk, origin=WEB)
    assert GuardianConsent.objects.get(pk=consent.pk).withdrawn_at is None


def test_policy_set_by_region_admins_of_the_division_only(region):
    dxh, jiangan = Division.objects.get(pk="420112"), Division.objects.get(pk="420102")
    consent_policy_set(actor=region.accounts["bureau"], division=dxh, require_app_consent=True)
    with pytest.raises(Forbidden):
        consent_policy_set(actor=region.accounts["bureau"], division=jiangan, require_app_consent=True)
    with pytest.raises(Forbidden):
        consent_policy_set(actor=region.accounts["teacher"], division=dxh, require_app_consent=True)


def test_consent_policy_command(region):
    call_command("consent_policy", "420112", "--on", stdout=StringIO())
    assert consent_policy_for("420112").require_app_consent is True
    call_command("consent_policy", "420112", "--off", stdout=StringIO())
    out = StringIO()
    call_command("consent_policy", stdout=out)
    assert "420112" in out.getvalue() and "无需同意" in out.getvalue()
    assert AuditEvent.objects.filter(action="privacy.policy_set").count() == 2


def test_withdrawing_revokes_the_childs_tokens_at_that_app(region, policy_on, app):
    parent, pupil, s1 = region.accounts["parent"], region.accounts["student"], region.students["s1"]
    other = make_app("Reading")
    consent = consent_grant(actor=parent, student=s1, app=None, origin=WEB)  # all services
    consent_grant(actor=parent, student=s1, app=other, origin=WEB)  # and Reading on its own
    tokens = get_access_token_model()
    expires = timezone.now() + timedelta(minutes=10)
    for registered in (app, other):
        tokens.objects.create(
            user=pupil, application=registered.application, token=f"t-{registered.pk}", expires=expires
        )
    tokens.objects.create(
        user=region.accounts["teacher"], application=app.application, token="t-teacher", expires=expires
    )

    consent_withdraw(actor=parent, consent_id=consent.pk, origin=WEB)
    left = set(tokens.objects.values_list("token", flat=True))
    assert left == {f"t-{other.pk}", "t-teacher"}  # Reading keeps its own consent; other people are untouched
    assert "吊销令牌 1 个" in AuditEvent.objects.get(action="privacy.consent_withdraw").target_label
