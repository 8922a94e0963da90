"""三员分立: 系统管理员, 安全管理员 and 审计管理员 are held by different accounts and see no people data;
the 安全管理 page (lockouts, unlock, authenticator reset) is theirs; administrators' passwords expire."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.audit.models import AuditEvent
from zhijiao.core.errors import ZhijiaoError
from zhijiao.identity.models import Account
from zhijiao.identity.selectors import lockouts_current, lockouts_recent
from zhijiao.identity.services import account_create, account_password_change, role_grant
from zhijiao.org.models import Division
from zhijiao.registry.selectors.people import student_list
from zhijiao.testing import PASSWORD, login_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def trio(region) -> dict[str, Account]:
    """A platform-wide 系统管理员, a 东西湖区 安全管理员, a platform-wide one, and an 审计管理员."""
    dxh = Division.objects.get(pk="420112")
    made = {}
    for username, role, division in (
        ("sys", Role.SYSTEM_ADMIN, None),
        ("sec", Role.SECURITY_ADMIN, dxh),
        ("sec_all", Role.SECURITY_ADMIN, None),
        ("aud", Role.AUDIT_ADMIN, None),
    ):
        made[username] = account_create(username=username, password=PASSWORD)
        role_grant(account=made[username], role=role, division=division)
    return made


def lock(client, username: str) -> None:
    for _ in range(5):
        client.post("/accounts/login/", {"username": username, "password": "wrong"}, REMOTE_ADDR="10.1.2.3")


# ------------------------------------------------------------------ 三员分立


def test_one_account_holds_at_most_one_of_the_three(trio):
    for other in (Role.SECURITY_ADMIN, Role.AUDIT_ADMIN):
        with pytest.raises(ZhijiaoError) as caught:
            role_grant(account=trio["sys"], role=other)
        assert caught.value.code == "IDENTITY_SEPARATION_OF_DUTIES"
        assert "三员分立" in caught.value.message and "系统管理员" in caught.value.detail
    # the same role again, or at another division, is no conflict
    role_grant(account=trio["sec"], role=Role.SECURITY_ADMIN, division=Division.objects.get(pk="420102"))
    assert scope_for(trio["aud"]).roles == {Role.AUDIT_ADMIN}


def test_the_three_are_granted_platform_wide_or_at_a_division(region, trio):
    with pytest.raises(ZhijiaoError) as caught:
        role_grant(account=trio["aud"], role=Role.AUDIT_ADMIN, school=region.schools["A"])
    assert caught.value.code == "IDENTITY_GRANT_NODE"


def test_the_three_see_no_people_data(region, trio):
    for account in trio.values():
        assert list(student_list(actor=account)) == []
    assert len(list(student_list(actor=region.accounts["bureau"]))) == 4


def test_duties_map_to_permissions(region, trio):
    rows = {
        name: (s.may_administer_accounts, s.may_administer_apps, s.may_manage_security, s.may_read_audit)
        for name, s in ((n, scope_for(a)) for n, a in {**trio, "admin": region.accounts["admin"]}.items())
    }
    assert rows == {
        "sys": (True, True, False, False),
        "sec": (False, False, True, False),
        "sec_all": (False, False, True, False),
        "aud": (False, False, False, True),
        "admin": (True, True, True, True),
    }


# ------------------------------------------------------------------ 安全管理: lockouts and unlock


def test_security_admin_sees_the_lockout_and_unlocks_it(client, region, trio):
    lock(client, "teacher")
    login_as(client, "sec")
    home = client.get("/").content.decode()
    assert "当前有 1 个账号因连续登录失败被锁定" in home and "安全管理" in home
    page = client.get("/security/").content.decode()
    assert "teacher" in page and "王老师" in page and "解锁" in page and "10.1.2.3" in page
    response = client.post("/security/unlock/", {"username": "teacher"}, follow=True)
    assert "已解锁账号 teacher" in response.content.decode()
    assert not AccessAttempt.objects.filter(username="teacher").exists()
    event = AuditEvent.objects.get(action="auth.unlock")
    assert (event.actor_id, event.target_id, event.channel) == (trio["sec"].pk, "teacher", "web")
    assert "账号因连续登录失败被锁定" not in client.get("/").content.decode()
    # the lockout stays in the recent list, marked as lifted
    assert [(r.username, r.still_locked) for r in lockouts_recent(actor=trio["sec"])] == [("teacher", False)]


def test_audit_admin_may_not_unlock(client, region, trio):
    lock(client, "teacher")
    login_as(client, "aud")
    assert client.get("/security/").status_code == 403
    assert client.post("/security/unlock/", {"username": "teacher"}).status_code == 403
    assert AccessAttempt.objects.filter(username="teacher").exists()
    assert "被锁定" not in client.get("/").content.decode()
    for name in ("sys", "teacher"):
        login_as(client, name)
        assert client.get("/security/").status_code == 403


def test_a_division_security_admin_sees_and_unlocks_only_inside_it(client, region, trio):
    lock(client, "nobody")  # a teacher at school C, 江岸区
    lock(client, "teacher")  # 东西湖区
    assert [r.username for r in lockouts_current(actor=trio["sec"])] == ["teacher"]
    assert {r.username for r in lockouts_current(actor=trio["sec_all"])} == {"teacher", "nobody"}
    login_as(client, "sec")
    response = client.post("/security/unlock/", {"username": "nobody"}, follow=True)
    assert "记录不存在" in response.content.decode()
    assert AccessAttempt.objects.filter(username="nobody").exists()
    assert lockouts_current(actor=region.accounts["teacher"]) == []


def test_security_admin_resets_an_authenticator(client, region, trio):
    login_as(client, "bureau")
    assert TOTPDevice.objects.filter(user=region.accounts["bureau"]).exists()
    login_as(client, "sec")
    response = client.post("/security/otp-reset/", {"username": "bureau"}, follow=True)
    assert "已重置账号 bureau 的身份验证器" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=region.accounts["bureau"]).exists()
    assert AuditEvent.objects.filter(action="auth.otp_reset", actor_id=trio["sec"].pk, target_id="bureau").exists()
    client.logout()
    response = client.post("/accounts/login/", {"username": "bureau", "password": PASSWORD})
    assert response["Location"] == "/accounts/otp/enrol/"


# ------------------------------------------------------------------ administrators' password expiry


def test_passwords_record_when_they_were_set(region):
    account = region.accounts["bureau"]
    assert account.password_changed_at and timezone.now() - account.password_changed_at < timedelta(minutes=1)
    Account.objects.filter(pk=account.pk).update(password_changed_at=timezone.now() - timedelta(days=200))
    account.refresh_from_db()
    account_password_change(actor=account, account=account, new_password="Fresh-Pass-2027")
    account.refresh_from_db()
    assert timezone.now() - account.password_changed_at < timedelta(minutes=1)


def test_an_admin_password_older_than_90_days_must_be_changed(client, region):
    old = timezone.now() - timedelta(days=91)
    Account.objects.filter(username__in=["bureau", "teacher"]).update(password_changed_at=old)
    login_as(client, "bureau")
    response = client.get("/students/")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"
    assert client.get("/api/v1/schools").json()["code"] == "IDENTITY_PASSWORD_EXPIRED"
    page = client.get("/accounts/password/").content.decode()
    assert "您的密码已到期" in page and "90 天" in page
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Fresh-Pass-2027", "new_password2": "Fresh-Pass-2027"},
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/students/").status_code == 200
    login_as(client, "teacher")  # not an administrator: no expiry
    assert client.get("/students/").status_code == 200


def test_the_expiry_follows_the_setting(client, region, settings):
    Account.objects.filter(username="bureau").update(password_changed_at=timezone.now() - timedelta(days=40))
    login_as(client, "bureau")
    assert client.get("/").status_code == 200
    settings.ZHIJIAO_ADMIN_PASSWORD_DAYS = 30
    assert client.get("/")["Location"] == "/accounts/password/"


def test_otp_reset_command(region):
    TOTPDevice.objects.create(user=region.accounts["admin"], name="x", confirmed=True)
    out = StringIO()
    call_command("otp_reset", "admin", stdout=out)
    assert "已重置身份验证器：admin" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=region.accounts["admin"]).exists()
    event = AuditEvent.objects.get(action="auth.otp_reset")
    assert (event.actor_id, event.channel, event.target_id) == (None, "cli", "admin")
