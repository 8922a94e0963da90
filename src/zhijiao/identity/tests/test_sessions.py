"""Session protection: forced password change on first login and the server-side idle timeout."""

from __future__ import annotations

import time

import pytest

from zhijiao.audit.models import AuditEvent
from zhijiao.identity.middleware import LAST_SEEN_KEY
from zhijiao.identity.models import Account
from zhijiao.testing import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "Qx7#mLp2vR"


def login(client, username="teacher", password=PASSWORD):
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:300]
    return response


def test_accounts_without_the_flag_go_straight_in(client, region):
    login(client)
    assert client.get("/").status_code == 200


def test_a_flagged_account_must_change_its_password_first(client, region):
    Account.objects.filter(username="teacher").update(must_change_password=True)
    login(client)
    for path in ("/", "/students/", "/accounts/login/"):
        response = client.get(path, follow=True)
        assert response.redirect_chain[-1][0] == "/accounts/password/"
    page = client.get("/accounts/password/").content.decode()
    assert "修改密码" in page and "首次登录" in page
    assert client.get("/api/v1/schools").json()["code"] == "IDENTITY_PASSWORD_CHANGE_REQUIRED"
    assert client.get("/healthz").status_code == 200

    # Django's PasswordChangeForm semantics: the old password must be right, the two new ones must match
    wrong = client.post("/accounts/password/", {"old_password": "nope", "new_password1": NEW, "new_password2": NEW})
    assert wrong.status_code == 200
    weak = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "wanglaoshi1", "new_password2": "wanglaoshi1"},
    )
    assert "不能包含姓名或姓名拼音" in weak.content.decode()
    assert Account.objects.get(username="teacher").must_change_password

    done = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/"
    teacher = Account.objects.get(username="teacher")
    assert not teacher.must_change_password and teacher.check_password(NEW)
    assert client.get("/").status_code == 200  # still signed in, no more redirect
    assert AuditEvent.objects.filter(action="auth.password_change", target_id="teacher").count() == 1


def test_a_flagged_account_may_still_sign_out(client, region):
    Account.objects.filter(username="teacher").update(must_change_password=True)
    login(client)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_the_change_page_needs_a_signed_in_account(client, region):
    response = client.get("/accounts/password/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def age_session(client, seconds):
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - seconds
    session.save()


def test_idle_sessions_end_on_the_server(client, region):
    login(client)
    assert client.get("/").status_code == 200
    assert isinstance(client.session[LAST_SEEN_KEY], int)
    age_session(client, 29 * 60)
    assert client.get("/").status_code == 200  # 29 minutes: still fine, and the clock restarts
    assert int(time.time()) - client.session[LAST_SEEN_KEY] < 5
    age_session(client, 31 * 60)
    response = client.get("/students/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=%2Fstudents%2F"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "长时间未操作，已自动退出登录，请重新登录" in page


def test_the_idle_limit_follows_the_setting(client, region, settings):
    settings.ZHIJIAO_IDLE_MINUTES = 5
    login(client)
    client.get("/")
    age_session(client, 6 * 60)
    assert client.get("/").status_code == 302


def test_htmx_requests_are_told_to_navigate(client, region):
    login(client)
    client.get("/")
    age_session(client, 31 * 60)
    response = client.get("/students/", headers={"HX-Request": "true"})
    assert response.status_code == 204 and response["HX-Redirect"].startswith("/accounts/login/")
