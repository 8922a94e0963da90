"""The sample app's routes, called as WSGI, against the signing issuer of conftest."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit
from wsgiref.util import setup_testing_defaults

import pytest

from zhijiao.rp.app import SampleApp
from zhijiao.rp.oidc import SignedIn
from zhijiao.rp.sessions import COOKIE_NAME, SessionStore


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()

    @property
    def cookie(self) -> str:
        return self.headers.get("Set-Cookie", "").split(";")[0].split("=", 1)[-1]


def call(app: SampleApp, method: str, path: str, *, cookie: str = "", form: dict | None = None, **env) -> Response:
    path, _, query = path.partition("?")
    body = urlencode(form or {}).encode()
    environ: dict = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query}
    environ |= {"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
    environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
    if cookie:
        environ["HTTP_COOKIE"] = f"{COOKIE_NAME}={cookie}"
    environ |= env
    setup_testing_defaults(environ)
    seen: dict = {}

    def start_response(status: str, headers: list) -> None:
        seen["status"], seen["headers"] = int(status.split()[0]), dict(headers)

    chunks = app(environ, start_response)
    return Response(seen["status"], seen["headers"], b"".join(chunks))


@pytest.fixture
def app(provider) -> SampleApp:
    return SampleApp(provider)


def signed_in(app: SampleApp, issuer, *, sid: str = "sid-1", sub: str = "subject-1") -> str:
    claims = issuer.id_token_claims(sid=sid, sub=sub)
    session = app.sessions.get_or_create(None)
    info = {"sub": sub, "name": "王老师", "roles": [{"role": "teacher", "role_label": "教师", "scope_name": "一小"}]}
    return app.sessions.sign_in(session, SignedIn(id_token=issuer.sign(claims), claims=claims, userinfo=info)).key


def test_signed_out_the_home_page_offers_zhijiao_sign_in(app):
    response = call(app, "GET", "/")
    assert response.status == 200 and "使用智教账号登录" in response.text and 'href="/login"' in response.text
    assert "HttpOnly" in response.headers["Set-Cookie"] and "SameSite=Lax" in response.headers["Set-Cookie"]
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_login_sends_the_browser_to_the_authorization_endpoint_and_remembers_the_request(app, issuer):
    response = call(app, "GET", "/login")
    assert response.status == 302 and response.headers["Location"].startswith(f"{issuer.url}/o/authorize/?")
    state = parse_qs(urlsplit(response.headers["Location"]).query)["state"][0]
    session = app.sessions.get_or_create(response.cookie)
    assert session.pending is not None and session.pending.state == state


def test_a_callback_the_app_did_not_ask_for_is_refused(app):
    response = call(app, "GET", "/callback?code=abc&state=made-up")
    assert response.status == 400 and "登录请求已失效" in response.text
    started = call(app, "GET", "/login")
    state = parse_qs(urlsplit(started.headers["Location"]).query)["state"][0]
    # the pending request is used up by the first callback, good or bad: a replay finds nothing
    call(app, "GET", "/callback?code=abc&state=wrong", cookie=started.cookie)
    replay = call(app, "GET", f"/callback?code=abc&state={state}", cookie=started.cookie)
    assert replay.status == 400 and "登录请求已失效" in replay.text


def test_signed_in_the_home_page_shows_the_claims(app, issuer):
    key = signed_in(app, issuer)
    response = call(app, "GET", "/", cookie=key)
    assert "你好，王老师" in response.text and "身份令牌（ID Token）声明" in response.text
    assert "subject-1" in response.text and "智教会话标识" in response.text and "教师" in response.text


def test_logout_ends_the_local_session_and_continues_at_zhijiao(app, issuer):
    key = signed_in(app, issuer)
    response = call(app, "POST", "/logout", cookie=key, HTTP_ORIGIN="http://127.0.0.1:8761")
    location = urlsplit(response.headers["Location"])
    assert response.status == 302 and location.path == "/o/logout/"
    assert parse_qs(location.query)["post_logout_redirect_uri"] == ["http://127.0.0.1:8761/"]
    assert app.sessions.signed_in_count() == 0
    after = call(app, "GET", "/", cookie=key)
    assert "使用智教账号登录" in after.text and "你已退出示例应用" in after.text


def test_a_logout_posted_from_another_site_is_refused(app, issuer):
    key = signed_in(app, issuer)
    response = call(app, "POST", "/logout", cookie=key, HTTP_ORIGIN="http://evil.example")
    assert response.status == 403 and app.sessions.signed_in_count() == 1


def test_back_channel_logout_ends_the_matching_session_only(app, issuer):
    mine, other = signed_in(app, issuer, sid="sid-1"), signed_in(app, issuer, sid="sid-2")
    token = issuer.sign(issuer.logout_claims(sid="sid-1"), typ="logout+jwt")
    response = call(app, "POST", "/backchannel-logout", form={"logout_token": token})
    assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
    assert app.sessions.get_or_create(mine).signed_in is None
    assert app.sessions.get_or_create(other).signed_in is not None
    page = call(app, "GET", "/", cookie=mine)
    assert "使用智教账号登录" in page.text and "后端注销" in page.text


def test_back_channel_logout_refuses_a_bad_token_and_keeps_the_session(app, issuer):
    key = signed_in(app, issuer)
    bad = issuer.sign(issuer.logout_claims(nonce="n"), typ="logout+jwt")
    for form in ({"logout_token": bad}, {"logout_token": "not-a-jwt"}, {}):
        response = call(app, "POST", "/backchannel-logout", form=form)
        assert response.status == 400 and json.loads(response.body)["error"] == "invalid_request"
    assert app.sessions.get_or_create(key).signed_in is not None


def test_a_logout_token_with_sub_only_ends_every_session_of_that_person():
    store = SessionStore()
    a, b, c = (store.get_or_create(None) for _ in range(3))
    for session, sub, sid in ((a, "u1", "x"), (b, "u1", "y"), (c, "u2", "z")):
        store.sign_in(session, SignedIn(id_token="t", claims={"sub": sub, "sid": sid}, userinfo={}))
    assert store.end_by_provider(sub="u1", sid="") == 2
    assert store.signed_in_count() == 1
    assert store.end_by_provider(sub="u1", sid="z") == 0  # a sid of another person ends nothing


def test_unknown_paths_and_methods(app):
    assert call(app, "GET", "/nothing").status == 404
    assert call(app, "GET", "/logout").status == 405
    assert call(app, "GET", "/static/rp.css").headers["Content-Type"].startswith("text/css")
