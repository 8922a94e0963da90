"""End to end over real HTTP: the sample app signs a teacher in through Zhijiao and out again (no browser)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from zhijiao.oidc.models import SessionLink
from zhijiao.resources.models import SharingScope
from zhijiao.resources.tests.conftest import make_resource, publish
from zhijiao.rp.tests.live import Live, live_sso, page_forms

pytestmark = pytest.mark.slow  # two live servers over real HTTP


@pytest.fixture
def live(transactional_db, live_server, tmp_path) -> Iterator[Live]:
    yield from live_sso(live_server_url=live_server.url, tmp_path=tmp_path)


@pytest.fixture
def http(live) -> Iterator[requests.Session]:
    """A browser without the browser; closed before the live server's database goes."""
    with requests.Session() as session:
        yield session


def submit(http: requests.Session, page: requests.Response, values: dict, *, button: str = "") -> requests.Response:
    """Post the page's form: the one with ``button`` (pressed), or else the first with all the given fields."""
    forms = page_forms(page.text)
    form = next(f for f in forms if (button in f["buttons"] if button else set(values) <= set(f["fields"])))
    data = dict(form["fields"]) | values
    if button:
        data[button] = form["buttons"][button]
    return http.post(urljoin(page.url, form["action"] or page.url), data=data, headers={"Referer": page.url})


def sign_in(http: requests.Session, live: Live, username: str) -> requests.Response:
    """Click 使用智教账号登录, sign in at Zhijiao, agree on the consent page: back on the sample app."""
    page = http.get(f"{live.rp}/login")
    assert urlsplit(page.url).path == "/accounts/login/" and page.url.startswith(live.zhijiao)
    page = submit(http, page, {"username": username, "password": live.password})
    assert "请求使用你的智教账号登录" in page.text, page.text[:500]
    return submit(http, page, {}, button="allow")


def test_a_teacher_signs_in_to_the_sample_app_and_sees_the_claims(live, http, settings, tmp_path):
    settings.ZHIJIAO_MEDIA_DIR = tmp_path / "media"
    a = live.region.accounts
    publish(make_resource(a["teacher"], title="勾股定理 微课", sharing=SharingScope.SCHOOL), first=a["principal"],
            second=a["bureau"])  # fmt: skip
    make_resource(a["head"], title="圆的认识 草稿", sharing=SharingScope.PUBLIC)  # unpublished: not listed
    page = sign_in(http, live, "teacher")
    assert page.url == f"{live.rp}/" and "你好，王老师" in page.text
    session = next(s for s in live.app.sessions._sessions.values() if s.signed_in)
    claims, userinfo = session.signed_in.claims, session.signed_in.userinfo
    assert claims["aud"] == live.client.client_id and claims["sid"] and claims["name"] == "王老师"
    assert userinfo["sub"] == claims["sub"] and "teacher" not in claims["sub"]  # opaque, not the username
    assert any(r["role"] == "teacher" for r in userinfo["roles"])
    assert "身份令牌（ID Token）声明" in page.text and claims["sub"] in page.text
    # resources:read granted: the app read the resource API with the access token, as the teacher
    assert [r["title"] for r in session.signed_in.resources] == ["勾股定理 微课"]
    assert "资源中心" in page.text and "勾股定理 微课" in page.text and "圆的认识" not in page.text


def test_signing_out_of_the_sample_app_signs_out_of_zhijiao(live, http):
    page = sign_in(http, live, "teacher")
    page = http.post(f"{live.rp}/logout", headers={"Origin": live.rp})  # the 退出 button in the header
    if any("allow" in f["buttons"] for f in page_forms(page.text)):  # Zhijiao may ask to confirm
        page = submit(http, page, {}, button="allow")
    assert page.url == f"{live.rp}/" and "使用智教账号登录" in page.text and "你已退出示例应用" in page.text
    home = http.get(f"{live.zhijiao}/")
    assert urlsplit(home.url).path == "/accounts/login/"  # Zhijiao's session ended too
    assert live.app.sessions.signed_in_count() == 0


def test_signing_out_of_zhijiao_ends_the_sample_apps_session_by_back_channel(live, http):
    sign_in(http, live, "student")
    assert live.app.sessions.signed_in_count() == 1
    zhijiao_home = http.get(f"{live.zhijiao}/")
    logout_form = next(f for f in page_forms(zhijiao_home.text) if f["action"].endswith("/accounts/logout/"))
    http.post(
        f"{live.zhijiao}/accounts/logout/",
        data=logout_form["fields"],
        headers={"Referer": zhijiao_home.url},
    )
    assert live.app.sessions.signed_in_count() == 0
    assert SessionLink.objects.filter(ended_at__isnull=False).count() == 1
    page = http.get(f"{live.rp}/")
    assert "使用智教账号登录" in page.text and "后端注销" in page.text


def test_sign_in_pages_let_their_forms_end_at_the_apps_registered_address_only(live, http):
    # Chromium applies form-action to the redirects after a form's POST: 'self' alone stops the sign-in there.
    login_page = http.get(f"{live.rp}/login")
    assert f"form-action 'self' {live.rp};" in login_page.headers["Content-Security-Policy"]
    consent = submit(http, login_page, {"username": "teacher", "password": live.password})
    assert f"form-action 'self' {live.rp};" in consent.headers["Content-Security-Policy"]
    elsewhere = http.get(
        f"{live.zhijiao}/o/authorize/",
        params={"client_id": live.client.client_id, "redirect_uri": "http://127.0.0.1:9/x", "response_type": "code"},
    )
    assert "form-action 'self';" in elsewhere.headers["Content-Security-Policy"]
    assert "form-action 'self';" in http.get(f"{live.zhijiao}/accounts/login/").headers["Content-Security-Policy"]
