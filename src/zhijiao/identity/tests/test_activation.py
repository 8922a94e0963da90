"""Activation by one-time code: issuing (service, page, CLI), activating, and every way a code is refused."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from zhijiao.audit.models import AuditEvent
from zhijiao.identity.activation import activation_codes_issue, code_digest
from zhijiao.identity.models import Account
from zhijiao.identity.provisioning import accounts_sync
from zhijiao.testing import PASSWORD, login_as

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Bright-Sky-2026"


@pytest.fixture
def slips(region):
    """Accounts for school A's people, and fresh codes for those not activated yet."""
    accounts_sync(actor=None)
    issued = activation_codes_issue(actor=region.accounts["principal"], school=region.schools["A"])
    return {s.username: s for s in issued}


def activate(client, identifier: str, code: str, password: str = NEW_PASSWORD, again: str | None = None):
    return client.post(
        "/accounts/activate/",
        {"identifier": identifier, "code": code, "new_password1": password, "new_password2": again or password},
    )


def pupil(region, key: str) -> Account:
    return Account.objects.get(person=region.persons[key])


def test_codes_go_to_the_schools_accounts_not_yet_activated(region, slips):
    s2, s3 = pupil(region, "s2"), pupil(region, "s3")
    assert {s2.username, s3.username} <= set(slips)
    assert "student" not in slips and "head" not in slips  # these already have passwords
    assert pupil(region, "s4").username not in slips  # school B
    slip = slips[s2.username]
    assert (slip.name, slip.identity) == ("学生s2", "学生") and slip.class_name
    assert len(slip.code) == 9 and slip.code[4] == "-"
    s2.refresh_from_db()
    # only a keyed digest is stored, bound to the account
    assert slip.code not in s2.activation_digest and s2.activation_digest == code_digest(s2.pk, slip.code)
    assert s2.activation_expires_at - timezone.now() > timedelta(days=settings.ZHIJIAO_ACTIVATION_DAYS - 1)
    event = AuditEvent.objects.filter(action="auth.activation_issue").get()
    assert event.actor_username == "principal" and event.target_id == region.schools["A"].code


def test_activation_sets_the_password_and_signs_in(region, slips, client):
    s2 = pupil(region, "s2")
    response = activate(client, region.students["s2"].student_no, slips[s2.username].code.lower())
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(s2.pk)
    s2.refresh_from_db()
    assert s2.check_password(NEW_PASSWORD) and not s2.must_change_password
    assert s2.activation_digest == "" and s2.activation_expires_at is None and s2.password_changed_at
    assert AuditEvent.objects.filter(action="auth.activate", target_id=s2.username).exists()
    # and from now on the password logs in
    client.logout()
    assert client.post("/accounts/login/", {"username": s2.username, "password": NEW_PASSWORD}).status_code == 302


def test_a_used_code_is_refused(region, slips, client):
    s2 = pupil(region, "s2")
    code = slips[s2.username].code
    assert activate(client, s2.username, code).status_code == 302
    client.logout()
    response = activate(client, s2.username, code, "Other-Sky-2027")
    assert response.status_code == 400 and "激活码不正确" in response.content.decode()
    s2.refresh_from_db()
    assert s2.check_password(NEW_PASSWORD)


def test_an_expired_code_is_refused(region, slips, client):
    s2 = pupil(region, "s2")
    Account.objects.filter(pk=s2.pk).update(activation_expires_at=timezone.now() - timedelta(minutes=1))
    response = activate(client, s2.username, slips[s2.username].code)
    assert response.status_code == 400 and "激活码已过期" in response.content.decode()
    s2.refresh_from_db()
    assert not s2.has_usable_password()


def test_a_wrong_code_or_another_accounts_code_is_refused(region, slips, client):
    s2, s3 = pupil(region, "s2"), pupil(region, "s3")
    for code in ("AAAA-BBBB", slips[s3.username].code):
        response = activate(client, s2.username, code)
        assert response.status_code == 400 and "激活码不正确" in response.content.decode()
    s2.refresh_from_db()
    assert not s2.has_usable_password() and "_auth_user_id" not in client.session


def test_reissuing_replaces_the_earlier_code(region, slips, client):
    s2 = pupil(region, "s2")
    fresh = {s.username: s for s in activation_codes_issue(actor=None, school=region.schools["A"])}
    assert activate(client, s2.username, slips[s2.username].code).status_code == 400
    assert activate(client, s2.username, fresh[s2.username].code).status_code == 302


def test_a_weak_password_or_a_mismatch_keeps_the_code_usable(region, slips, client):
    s2 = pupil(region, "s2")
    code = slips[s2.username].code
    response = activate(client, s2.username, code, "abc12345")
    assert response.status_code == 400 and "密码" in response.content.decode()
    response = activate(client, s2.username, code, NEW_PASSWORD, again="Bright-Sky-2027")
    assert response.status_code == 400 and "两次输入的新密码不一致" in response.content.decode()
    assert activate(client, s2.username, code).status_code == 302


def test_a_pupil_who_left_cannot_activate(region, slips, client):
    s2 = pupil(region, "s2")
    Account.objects.filter(pk=s2.pk).update(is_active=False)
    assert activate(client, s2.username, slips[s2.username].code).status_code == 400


def test_wrong_codes_count_towards_the_lockout(region, slips, client):
    s2 = pupil(region, "s2")
    student_no = region.students["s2"].student_no
    for _ in range(settings.AXES_FAILURE_LIMIT):
        activate(client, student_no, "AAAA-BBBB")
    response = activate(client, s2.username, slips[s2.username].code)  # the right code, too late
    assert response.status_code == 400 and "已锁定" in response.content.decode()
    s2.refresh_from_db()
    assert not s2.has_usable_password()


def test_the_codes_page_downloads_the_slips(region, client):
    accounts_sync(actor=None)
    login_as(client, "principal")  # past the administrators' second step
    page = client.get("/accounts/activation-codes/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "东西湖区第一小学" in body and "生成激活码并下载" in body and pupil(region, "s2").username in body
    # the activation page is a link with a Chinese label, not a bare path shown as text
    assert 'href="/accounts/activate/">用激活码激活账号</a>' in body and ">/accounts/activate/<" not in body
    response = client.post("/accounts/activation-codes/", {"school": region.schools["A"].code})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("姓名", "身份", "班级", "账号", "激活码", "有效期")
    by_user = {r[3]: r for r in rows[1:]}
    s2 = pupil(region, "s2")
    assert by_user[s2.username][0] == "学生s2"
    # the downloaded code works
    client.logout()
    assert activate(client, s2.username, by_user[s2.username][4]).status_code == 302


def test_only_administrators_of_the_school_issue_codes(region, client):
    accounts_sync(actor=None)
    client.post("/accounts/login/", {"username": "teacher", "password": PASSWORD})
    assert client.get("/accounts/activation-codes/").status_code == 403
    login_as(client, "principal")
    # school B is not the principal's: nothing is issued there
    response = client.post("/accounts/activation-codes/", {"school": region.schools["B"].code})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert not Account.objects.exclude(activation_digest="").exists()


def test_the_cli_writes_the_slips(region, tmp_path):
    accounts_sync(actor=None)
    out = tmp_path / "codes.xlsx"
    call_command("provision_accounts", "activation-codes", "--school", region.schools["A"].code, "--out", str(out))
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert len(rows) > 1 and rows[0][4] == "激活码"
    assert Account.objects.exclude(activation_digest="").count() == len(rows) - 1
