"""Login lockout: five failures lock the username for 15 minutes, even against the right password; admins unlock."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.core.management.base import CommandError

from zhijiao.access.roles import Role
from zhijiao.audit.models import AuditEvent
from zhijiao.core.errors import NotFound
from zhijiao.identity.models import Account
from zhijiao.identity.services import account_create, account_unlock, role_grant
from zhijiao.org.models import Division
from zhijiao.testing import PASSWORD

pytestmark = pytest.mark.django_db

LOCKED = "登录失败次数过多，账号已锁定，请 15 分钟后再试或联系管理员解锁"


def attempt(client, username, password, ip="10.1.2.3"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def lock(client, username="student"):
    for _ in range(4):
        assert attempt(client, username, "wrong").status_code == 200
    response = attempt(client, username, "wrong")
    assert response.status_code == 429
    return response


def test_five_failures_lock_the_account_even_for_the_right_password(client, region):
    response = lock(client)
    assert LOCKED in response.content.decode()
    response = attempt(client, "student", PASSWORD)
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session
    # locked once, audited once, however often the pupil retries
    attempt(client, "student", "wrong")
    events = AuditEvent.objects.filter(action="auth.lockout")
    assert [(e.target_type, e.target_id, e.target_label, e.actor_id) for e in events] == [
        ("account", "student", "student", None)
    ]
    assert events[0].ip == "10.1.2.3"


def test_four_failures_do_not_lock_and_a_success_resets_the_count(client, region):
    for _ in range(4):
        attempt(client, "student", "wrong")
    assert attempt(client, "student", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        attempt(client, "student", "wrong")
    assert attempt(client, "student", PASSWORD).status_code == 302


def test_the_lock_is_per_username_not_per_shared_school_address(client, region):
    lock(client, "student")
    # same NAT address, another pupil: unaffected
    assert attempt(client, "teacher", PASSWORD).status_code == 302
    client.logout()
    # another address, the locked pupil: still locked
    assert attempt(client, "student", PASSWORD, ip="10.9.9.9").status_code == 429


def test_the_lock_ends_after_the_cool_off(client, region):
    lock(client)
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16))
    assert attempt(client, "student", PASSWORD).status_code == 302


def security_admin(username: str, division: str | None) -> Account:
    account = account_create(username=username, password=PASSWORD)
    role_grant(
        account=account, role=Role.SECURITY_ADMIN, division=Division.objects.get(pk=division) if division else None
    )
    return account


def test_security_admin_unlocks_through_the_service(client, region):
    lock(client)
    sec = security_admin("sec", "420112")
    assert account_unlock(actor=sec, username="student") == 1
    assert attempt(client, "student", PASSWORD).status_code == 302
    event = AuditEvent.objects.get(action="auth.unlock")
    assert (event.actor_id, event.target_id) == (sec.pk, "student")


def test_only_platform_and_the_accounts_security_admins_may_unlock(client, region):
    lock(client, "nobody")  # a teacher at school C, in 江岸区
    security_admin("sec", "420112")  # 东西湖区
    # 三员分立: bureaus, school staff, pupils and a security administrator of another district may not
    for outsider in ("bureau", "city", "principal", "teacher", "student", "sec"):
        with pytest.raises(NotFound):
            account_unlock(actor=Account.objects.get(username=outsider), username="nobody")
    with pytest.raises(NotFound):
        account_unlock(actor=region.accounts["admin"], username="no-such-account")
    assert attempt(client, "nobody", PASSWORD).status_code == 429
    assert account_unlock(actor=security_admin("sec_city", "4201"), username="nobody") == 1  # 武汉市 covers 江岸区
    lock(client, "teacher")
    assert account_unlock(actor=region.accounts["admin"], username="teacher") == 1
    assert AuditEvent.objects.filter(action="auth.unlock").count() == 2


def test_unlock_command(client, region):
    lock(client)
    out = StringIO()
    call_command("unlock", "student", stdout=out)
    assert "已解锁账号：student" in out.getvalue()
    assert attempt(client, "student", PASSWORD).status_code == 302
    event = AuditEvent.objects.get(action="auth.unlock")
    assert (event.actor_id, event.channel, event.target_id) == (None, "cli", "student")
    with pytest.raises(CommandError, match="记录不存在"):
        call_command("unlock", "no-such-account", stdout=StringIO())


def test_test_client_login_still_works_with_axes_disabled(client, region, settings):
    # client.login() passes no request to authenticate(); tests that use it turn axes off (or use force_login)
    settings.AXES_ENABLED = False
    assert client.login(username="teacher", password=PASSWORD)
