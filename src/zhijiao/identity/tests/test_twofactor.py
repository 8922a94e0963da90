"""Administrators sign in with a TOTP code after their password; everyone else with the password alone."""

from __future__ import annotations

import time

import pytest
from axes.models import AccessAttempt
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhijiao.access.roles import Role
from zhijiao.audit.models import AuditEvent
from zhijiao.identity.models import Account
from zhijiao.identity.services import account_create, api_token_create, role_grant, totp_device_provision
from zhijiao.identity.twofactor import PENDING_KEY, is_admin_account, totp_code
from zhijiao.org.models import Division
from zhijiao.testing import PASSWORD, login_as

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
LOGIN = "/accounts/login/"
ENROL = "/accounts/otp/enrol/"
ADMIN_ROLES = [
    Role.PLATFORM_ADMIN,
    Role.REGION_ADMIN,
    Role.SCHOOL_ADMIN,
    Role.SYSTEM_ADMIN,
    Role.SECURITY_ADMIN,
    Role.AUDIT_ADMIN,
]


def wrong(code: str) -> str:
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def admin_with_role(region, role: Role) -> Account:
    """An enrolled administrator holding ``role`` (reusing the test region's accounts where it has one)."""
    existing = {Role.PLATFORM_ADMIN: "admin", Role.REGION_ADMIN: "bureau", Role.SCHOOL_ADMIN: "principal"}
    if role in existing:
        account = region.accounts[existing[role]]
    else:
        account = account_create(username=role.value.replace("_", ""), password=PASSWORD)
        role_grant(account=account, role=role, division=Division.objects.get(pk="420112"))
    totp_device_provision(actor=None, account=account, secret=SECRET)
    return account


def step1(client, username: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


# ------------------------------------------------------------------ who needs the second step


def test_admin_roles(region):
    admins = {"admin", "bureau", "city", "principal"}
    for username, account in region.accounts.items():
        assert is_admin_account(account) is (username in admins), username


@pytest.mark.parametrize("role", ADMIN_ROLES, ids=lambda r: r.value)
def test_every_admin_role_needs_the_code(client, region, role):
    account = admin_with_role(region, role)
    response = step1(client, account.username)
    html = response.content.decode()
    assert response.status_code == 200 and 'name="otp_token"' in html and "两步验证" in html
    assert not signed_in(client)
    assert client.get("/").status_code == 302  # the password alone opens nothing

    response = client.post(LOGIN, {"otp_token": wrong(totp_code(SECRET))})
    assert response.status_code == 200 and "动态口令不正确" in response.content.decode()
    assert not signed_in(client)

    response = client.post(LOGIN, {"otp_token": totp_code(SECRET)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in(client) and client.session["otp_device_id"]
    assert client.get("/").status_code == 200
    actions = list(AuditEvent.objects.filter(target_label=account.username).values_list("action", flat=True))
    assert {"auth.otp_failed", "auth.otp_verify", "auth.login", "auth.login_failed"} <= set(actions)


@pytest.mark.parametrize("username", ["teacher", "head", "student", "parent", "inspector"])
def test_everyone_else_signs_in_with_the_password_alone(client, region, username):
    response = step1(client, username)
    assert response.status_code == 302 and signed_in(client)
    assert client.get("/").status_code == 200
    assert not TOTPDevice.objects.filter(user=region.accounts[username]).exists()


def test_the_code_in_the_same_post_signs_in_at_once(client, region):
    admin_with_role(region, Role.REGION_ADMIN)
    response = step1(client, "bureau", otp_token=wrong(totp_code(SECRET)), next="/students/")
    assert response.status_code == 200 and not signed_in(client)
    response = step1(client, "bureau", otp_token=totp_code(SECRET), next="/students/")
    assert response.status_code == 302 and response["Location"] == "/students/"
    assert client.get("/students/").status_code == 200


def test_a_wrong_password_with_a_right_code_is_refused(client, region):
    admin_with_role(region, Role.REGION_ADMIN)
    response = step1(client, "bureau", "wrong-Pass-1", otp_token=totp_code(SECRET))
    assert response.status_code == 200 and not signed_in(client)
    assert "账号或密码不正确" in response.content.decode()


def test_the_pending_step_keeps_no_password_and_expires(client, region):
    admin_with_role(region, Role.PLATFORM_ADMIN)
    step1(client, "admin", next="/schools/")
    pending = client.session[PENDING_KEY]
    assert PASSWORD not in str(dict(client.session.items()))
    assert pending["next"] == "/schools/" and pending["until"] - time.time() <= 300
    session = client.session
    session[PENDING_KEY] = {**pending, "until": int(time.time()) - 1}
    session.save()
    response = client.post(LOGIN, {"otp_token": totp_code(SECRET)}, follow=True)
    assert not signed_in(client)
    html = response.content.decode()
    assert "两步验证已超时" in html and 'name="password"' in html


def test_the_code_cannot_be_used_twice(client, region):
    admin_with_role(region, Role.PLATFORM_ADMIN)
    code = totp_code(SECRET)
    assert step1(client, "admin", otp_token=code).status_code == 302
    client.logout()
    assert step1(client, "admin", otp_token=code).status_code == 200 and not signed_in(client)


def test_wrong_codes_count_towards_the_lockout(client, region):
    admin_with_role(region, Role.REGION_ADMIN)
    step1(client, "bureau")
    for _ in range(4):
        assert client.post(LOGIN, {"otp_token": "000000"}).status_code == 200
    response = client.post(LOGIN, {"otp_token": "000001"})
    assert response.status_code == 429 and "账号已锁定" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.lockout", target_label="bureau").count() == 1
    assert AuditEvent.objects.filter(action="auth.otp_failed", target_label="bureau").count() == 5
    # locked: neither the password nor the right code gets in until unlocked
    assert step1(client, "bureau", otp_token=totp_code(SECRET)).status_code == 429
    assert not signed_in(client)
    assert "000000" not in "".join(AccessAttempt.objects.values_list("post_data", flat=True))


# ------------------------------------------------------------------ enrolment


def test_an_admin_without_an_authenticator_enrols_then_is_signed_in(client, region):
    response = step1(client, "city", next="/schools/")
    assert response.status_code == 302 and response["Location"] == ENROL
    page = client.get(ENROL)
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "绑定身份验证器" in html
    secret = "".join(html.split('class="otp-secret">', 1)[1].split("</code>", 1)[0].split())
    assert len(secret) == 32
    assert not signed_in(client)

    response = client.post(ENROL, {"otp_token": wrong(totp_code(secret))})
    assert response.status_code == 200 and "动态口令不正确" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=region.accounts["city"]).exists()

    response = client.post(ENROL, {"otp_token": totp_code(secret)})
    assert response.status_code == 302 and response["Location"] == "/schools/"
    assert signed_in(client) and client.get("/schools/").status_code == 200
    assert TOTPDevice.objects.get(user=region.accounts["city"]).confirmed
    assert AuditEvent.objects.filter(action="auth.otp_enrol", actor_id=region.accounts["city"].pk).exists()


def test_enrolment_needs_the_password_first(client, region):
    assert client.get(ENROL)["Location"] == LOGIN
    admin_with_role(region, Role.PLATFORM_ADMIN)
    step1(client, "admin")
    assert client.get(ENROL)["Location"] == LOGIN  # enrolled already: no new secret is offered


# ------------------------------------------------------------------ sessions signed in some other way


def test_an_unverified_admin_session_goes_back_to_the_second_step(client, region):
    admin_with_role(region, Role.REGION_ADMIN)
    client.force_login(region.accounts["bureau"])
    response = client.get("/students/")
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert not signed_in(client)
    assert 'name="otp_token"' in client.get(LOGIN).content.decode()
    response = client.post(LOGIN, {"otp_token": totp_code(SECRET)})
    assert response["Location"] == "/students/"
    assert client.get("/students/").status_code == 200


def test_the_api_refuses_an_unverified_admin_session_but_not_a_bearer_token(client, region):
    client.force_login(region.accounts["bureau"])
    response = client.get("/api/v1/schools")
    assert response.status_code == 401 and response.json()["code"] == "IDENTITY_OTP_REQUIRED"
    _, raw = api_token_create(account=region.accounts["bureau"], name="sync")
    client.force_login(region.accounts["bureau"])
    assert client.get("/api/v1/schools", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    login_as(client, "bureau")
    assert client.get("/api/v1/schools").status_code == 200


def test_a_role_gained_while_signed_in_asks_for_the_code(client, region):
    login_as(client, "teacher")
    assert client.get("/").status_code == 200
    role_grant(account=region.accounts["teacher"], role=Role.SCHOOL_ADMIN, school=region.schools["A"])
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert client.get(LOGIN)["Location"] == ENROL


def test_login_as_marks_an_admin_session_verified(client, region):
    login_as(client, "bureau")
    assert TOTPDevice.objects.filter(user=region.accounts["bureau"], confirmed=True).count() == 1
    assert client.get("/").status_code == 200
    login_as(client, region.accounts["bureau"])  # a second time reuses the device
    assert TOTPDevice.objects.filter(user=region.accounts["bureau"]).count() == 1


def test_login_as_a_teacher_enrols_nothing(client, region):
    login_as(client, region.accounts["teacher"])
    assert not TOTPDevice.objects.filter(user=region.accounts["teacher"]).exists()
    assert "otp_device_id" not in client.session


def test_a_signed_in_account_is_sent_on_from_the_login_page(client, region):
    login_as(client, "bureau")
    assert client.get(f"{LOGIN}?next=/schools/")["Location"] == "/schools/"
    assert client.get(f"{LOGIN}?next=https://evil.example/")["Location"] == "/"
