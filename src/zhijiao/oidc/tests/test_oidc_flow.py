"""The OpenID Connect provider over real HTTP, with Authlib as the independent client.

Modelled on the OpenID Foundation's Basic OP test plan: discovery, the code flow with PKCE, ID-token checks
(signature by ``kid``, ``iss``, ``aud``, ``nonce``, ``exp``, ``at_hash``), userinfo, ``prompt``/``max_age``/
``id_token_hint``, refresh rotation, revocation, introspection, RP-initiated and back-channel logout, and the
registry's rules. A ``requests`` session plays the browser (our login form, CSRF included).
"""

from __future__ import annotations

import threading
import time
import uuid
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import SimpleNamespace
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from authlib.jose import JsonWebKey, jwt
from authlib.oidc.core import CodeIDToken
from huey.contrib.djhuey import HUEY

from zhijiao.audit.models import AuditEvent
from zhijiao.oidc.services import app_register
from zhijiao.org.services import division_sync
from zhijiao.testing import PASSWORD, build_test_region

pytestmark = [
    pytest.mark.slow,  # over real HTTP against a live server, a flushed database per test
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),  # authlib.jose: still the 1.x API
]

REDIRECT = "http://127.0.0.1:8712/callback"
LOGOUT_DONE = "http://127.0.0.1:8712/signed-out"
ALL_SCOPES = "openid profile roles school phone"


# ---------------------------------------------------------------------------------------------- helpers
class _Hidden(HTMLParser):
    """The hidden inputs of a page's form (the consent screen's)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("type") == "hidden" and a.get("name"):
            self.fields[a["name"]] = a.get("value") or ""


def hidden_fields(html: str) -> dict[str, str]:
    parser = _Hidden()
    parser.feed(html)
    return parser.fields


class Browser:
    """A person's browser: follows redirects within Zhijiao, stops at the app's callback or at a page."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()

    def visit(self, url: str) -> requests.Response:
        for _ in range(10):
            response = self.http.get(url, allow_redirects=False)
            location = response.headers.get("Location")
            if response.status_code not in (301, 302, 303) or not location:
                return response
            url = urljoin(url, location)
            if not url.startswith(self.base):
                return response  # leaving Zhijiao: the app's callback
        raise AssertionError("redirect loop")

    def csrf(self) -> str:
        if "csrftoken" not in self.http.cookies:
            self.http.get(f"{self.base}/accounts/login/")
        return self.http.cookies["csrftoken"]

    def submit_login(self, page: requests.Response, username: str) -> requests.Response:
        """Fill in the login page the browser is on; returns where that leads."""
        assert 'name="password"' in page.text, page.text[:500]
        next_url = parse_qs(urlparse(page.url).query).get("next", [""])[0]
        response = self.http.post(
            f"{self.base}/accounts/login/",
            data={"username": username, "password": PASSWORD, "next": next_url, "csrfmiddlewaretoken": self.csrf()},
            allow_redirects=False,
        )
        assert response.status_code == 302, response.text[:500]
        return self.visit(urljoin(self.base, response.headers["Location"]))

    def login(self, username: str) -> None:
        self.submit_login(self.visit(f"{self.base}/accounts/login/"), username)

    def logout(self) -> requests.Response:
        return self.http.post(
            f"{self.base}/accounts/logout/", data={"csrfmiddlewaretoken": self.csrf()}, allow_redirects=False
        )

    def consent(self, page: requests.Response, *, allow: bool) -> requests.Response:
        fields = hidden_fields(page.text) | ({"allow": "1"} if allow else {})
        response = self.http.post(page.url, data=fields, headers={"Referer": page.url}, allow_redirects=False)
        return response


def callback_params(response: requests.Response) -> dict[str, str]:
    location = response.headers.get("Location", "")
    assert location.startswith(REDIRECT), (response.status_code, location, response.text[:300])
    return {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}


@pytest.fixture
def op(live_server, monkeypatch):
    monkeypatch.setattr(HUEY, "immediate", True)
    division_sync()  # a transactional test starts from a flushed database: the divisions' seed rows are gone
    region = build_test_region()
    conf = requests.get(f"{live_server.url}/.well-known/openid-configuration", timeout=10).json()
    return SimpleNamespace(url=live_server.url, conf=conf, region=region)


def register(*, public=False, trusted=True, backchannel="", roles=(), name="", active=True):
    app, secret = app_register(
        actor=None,
        name=name or f"应用{uuid.uuid4().hex[:6]}",
        redirect_uris=[REDIRECT],
        public=public,
        trusted=trusted,
        backchannel_logout_uri=backchannel,
        allowed_roles=roles,
        post_logout_redirect_uris=[LOGOUT_DONE],
    )
    if not active:
        app.is_active = False
        app.save(update_fields=["is_active"])
    return app.application.client_id, secret


def client_for(client_id, secret, scope="openid profile") -> OAuth2Session:
    return OAuth2Session(
        client_id,
        secret,
        scope=scope,
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic" if secret else "none",
    )


def start(op, client: OAuth2Session, **extra) -> SimpleNamespace:
    verifier, nonce = generate_token(48), generate_token(16)
    url, state = client.create_authorization_url(
        op.conf["authorization_endpoint"], code_verifier=verifier, nonce=nonce, **extra
    )
    return SimpleNamespace(url=url, state=state, verifier=verifier, nonce=nonce)


def finish(op, client: OAuth2Session, flow: SimpleNamespace, response: requests.Response) -> dict:
    params = callback_params(response)
    assert params.get("state") == flow.state and "code" in params, params
    return client.fetch_token(
        op.conf["token_endpoint"], authorization_response=response.headers["Location"], code_verifier=flow.verifier
    )


def sign_in(op, browser: Browser, client: OAuth2Session, username="student", **extra) -> tuple[dict, SimpleNamespace]:
    flow = start(op, client, **extra)
    response = browser.visit(flow.url)
    if 'name="password"' in response.text:
        response = browser.submit_login(response, username)
    return finish(op, client, flow, response), flow


def jwks(op):
    return JsonWebKey.import_key_set(requests.get(op.conf["jwks_uri"], timeout=10).json())


def id_claims(op, token: dict, client_id: str, nonce: str | None):
    claims = jwt.decode(
        token["id_token"],
        jwks(op),
        claims_cls=CodeIDToken,
        claims_options={"iss": {"essential": True, "value": op.conf["issuer"]}},
        claims_params={"nonce": nonce, "client_id": client_id, "access_token": token["access_token"]},
    )
    claims.validate(leeway=5)
    return claims


def kid_of(token: str) -> str:
    import base64
    import json

    head = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))["kid"]


def userinfo(op, access_token: str, method="GET") -> requests.Response:
    headers = {"Authorization": f"Bearer {access_token}"}
    return requests.request(method, op.conf["userinfo_endpoint"], headers=headers, timeout=10)


# ---------------------------------------------------------------------------------------------- discovery
def test_discovery_publishes_the_provider(op):
    conf = op.conf
    assert conf["issuer"] == op.url
    for key in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "end_session_endpoint"):
        assert conf[key].startswith(op.url + "/")
    assert conf["revocation_endpoint"] == f"{op.url}/o/revoke/"
    assert conf["introspection_endpoint"] == f"{op.url}/o/introspect/"
    assert conf["response_types_supported"] == ["code"]
    assert conf["code_challenge_methods_supported"] == ["S256"]
    assert conf["id_token_signing_alg_values_supported"] == ["RS256"]
    assert conf["backchannel_logout_supported"] is True
    assert conf["backchannel_logout_session_supported"] is True
    assert set(conf["scopes_supported"]) == {
        *("openid", "profile", "roles", "school", "phone"),
        *("resources:read", "resources:write"),  # API scopes: no claims, the app calls the resource API
        *("xapi:write", "xapi:read"),  # the learning record store (zhijiao.xapi)
    }
    assert {"sub", "name", "roles", "school_code", "phone_number", "sid", "auth_time", "amr"} <= set(
        conf["claims_supported"]
    )
    keys = requests.get(conf["jwks_uri"], timeout=10).json()["keys"]
    assert keys and all(k["kty"] == "RSA" and k["alg"] == "RS256" and k["kid"] and "d" not in k for k in keys)


# ---------------------------------------------------------------------------------------------- code flow
def test_code_flow_with_pkce_gives_a_valid_id_token(op):
    client_id, secret = register()
    client = client_for(client_id, secret)
    browser = Browser(op.url)
    token, flow = sign_in(op, browser, client)

    claims = id_claims(op, token, client_id, flow.nonce)  # signature, iss, aud, nonce, exp, iat, at_hash
    assert claims["aud"] == client_id and claims["nonce"] == flow.nonce and claims["at_hash"]
    assert claims["exp"] > time.time() and claims["exp"] - claims["iat"] <= 600
    assert kid_of(token["id_token"]) in {k["kid"] for k in requests.get(op.conf["jwks_uri"], timeout=10).json()["keys"]}
    # sub: a stable opaque UUID, never the username or an ID number
    uuid.UUID(claims["sub"])
    assert claims["sub"] != "student" and op.region.persons["s1"].id_number not in token["id_token"]
    assert claims["sid"] and claims["auth_time"] <= time.time() + 1
    assert claims["amr"] == ["pwd"] and claims["acr"] == "urn:zhijiao:acr:pwd"
    assert token["expires_in"] == 600 and token["refresh_token"]
    assert AuditEvent.objects.filter(action="oidc.token.issue", actor_username="student").exists()

    # a second sign-in (same browser session) gives the same sub and sid
    again, _ = sign_in(op, browser, client)
    second = jwt.decode(again["id_token"], jwks(op))
    assert second["sub"] == claims["sub"] and second["sid"] == claims["sid"]


def test_userinfo_answers_get_and_post_with_the_same_subject(op):
    client_id, secret = register()
    client = client_for(client_id, secret)
    token, _ = sign_in(op, Browser(op.url), client)
    sub = jwt.decode(token["id_token"], jwks(op))["sub"]
    for method in ("GET", "POST"):
        response = userinfo(op, token["access_token"], method)
        assert response.status_code == 200, response.text
        assert response.json() == {"sub": sub, "name": "学生s1", "preferred_username": "student"}
    assert userinfo(op, "not-a-token").status_code in (401, 403)


def test_claims_are_minimised_by_scope(op):
    client_id, secret = register()
    browser = Browser(op.url)
    only_openid, _ = sign_in(op, browser, client_for(client_id, secret, scope="openid"))
    assert set(userinfo(op, only_openid["access_token"]).json()) == {"sub"}
    id_token = jwt.decode(only_openid["id_token"], jwks(op))
    assert not {"name", "preferred_username", "roles", "school_code", "phone_number"} & set(id_token)

    everything, _ = sign_in(op, browser, client_for(client_id, secret, scope=ALL_SCOPES))
    info = userinfo(op, everything["access_token"]).json()
    school_a, class_a1 = op.region.schools["A"], op.region.classes["A1"]
    assert info["name"] == "学生s1" and info["phone_number"] == "13712345678"
    assert info["school_code"] == school_a.code and info["school_name"] == school_a.name
    assert info["class"] == {"id": str(class_a1.pk), "name": class_a1.name}
    assert info["roles"] == [
        {
            "role": "student",
            "role_label": "学生",
            "scope_type": "class",
            "scope_code": str(class_a1.pk),
            "scope_name": f"{school_a.name}{class_a1.name}",
        }
    ]
    # the ID token carries the same claims as userinfo for the granted scopes
    assert jwt.decode(everything["id_token"], jwks(op))["school_code"] == school_a.code

    # a teacher without a registered phone gets no phone_number claim at all
    teacher, _ = sign_in(op, Browser(op.url), client_for(client_id, secret, scope=ALL_SCOPES), username="teacher")
    info = userinfo(op, teacher["access_token"]).json()
    assert "phone_number" not in info and info["school_code"] == school_a.code
    assert info["roles"][0]["scope_type"] == "school" and info["roles"][0]["scope_code"] == school_a.code


def test_a_code_works_once(op):
    client_id, secret = register()
    client = client_for(client_id, secret)
    flow = start(op, client)
    browser = Browser(op.url)
    browser.login("student")
    response = browser.visit(flow.url)
    finish(op, client, flow, response)
    with pytest.raises(OAuthError) as second:
        finish(op, client_for(client_id, secret), flow, response)
    assert second.value.error == "invalid_grant"


def test_a_wrong_pkce_verifier_is_refused(op):
    client_id, _ = register(public=True)
    client = client_for(client_id, None)
    flow = start(op, client)
    browser = Browser(op.url)
    browser.login("student")
    response = browser.visit(flow.url)
    flow.verifier = generate_token(48)
    with pytest.raises(OAuthError) as refused:
        finish(op, client, flow, response)
    assert refused.value.error == "invalid_grant"


def test_a_public_client_must_use_s256_pkce(op):
    client_id, _ = register(public=True)
    browser = Browser(op.url)
    browser.login("student")
    plain = OAuth2Session(client_id, None, scope="openid", redirect_uri=REDIRECT, token_endpoint_auth_method="none")
    url, state = plain.create_authorization_url(op.conf["authorization_endpoint"], nonce="n")
    params = callback_params(browser.visit(url))
    assert params["error"] == "invalid_request" and params["state"] == state and "code" not in params
    # the plain method is refused too
    url = op.conf["authorization_endpoint"] + "?" + urlencode(
        {"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT, "scope": "openid",
         "state": "s1", "code_challenge": "x" * 43, "code_challenge_method": "plain"}
    )  # fmt: skip
    params = callback_params(browser.visit(url))
    assert params["error"] == "invalid_request" and "code" not in params


def test_an_unregistered_redirect_uri_is_never_followed(op):
    client_id, secret = register()
    browser = Browser(op.url)
    browser.login("student")
    client = OAuth2Session(client_id, secret, scope="openid", redirect_uri="http://127.0.0.1:8713/evil")
    url, _ = client.create_authorization_url(op.conf["authorization_endpoint"], code_verifier=generate_token(48))
    response = browser.visit(url)
    assert response.status_code == 400 and "Location" not in response.headers
    assert "登录请求无效" in response.text


# ---------------------------------------------------------------------------------------------- prompt, max_age, hints
def test_prompt_login_asks_for_the_password_again_in_the_same_session(op):
    client_id, secret = register()
    client = client_for(client_id, secret)
    browser = Browser(op.url)
    first, _ = sign_in(op, browser, client)
    before = jwt.decode(first["id_token"], jwks(op))
    time.sleep(1.1)
    flow = start(op, client, prompt="login")
    page = browser.visit(flow.url)
    assert 'name="password"' in page.text  # the login form, although signed in
    token = finish(op, client, flow, browser.submit_login(page, "student"))
    after = jwt.decode(token["id_token"], jwks(op))
    assert after["auth_time"] > before["auth_time"]
    assert after["sid"] == before["sid"]  # re-authentication, not a new session: other apps stay signed in
    # the first app's tokens are still good
    assert userinfo(op, first["access_token"]).status_code == 200


def test_prompt_none(op):
    trusted_id, trusted_secret = register()
    asking_id, asking_secret = register(trusted=False)
    browser = Browser(op.url)
    # signed out: login_required at the app, with its state
    flow = start(op, client_for(trusted_id, trusted_secret), prompt="none")
    params = callback_params(browser.visit(flow.url))
    assert params["error"] == "login_required" and params["state"] == flow.state
    # signed in: a code straight away
    browser.login("student")
    client = client_for(trusted_id, trusted_secret)
    flow = start(op, client, prompt="none")
    assert finish(op, client, flow, browser.visit(flow.url))["id_token"]
    # signed in, but the app needs a consent never given: consent_required, no screen
    flow = start(op, client_for(asking_id, asking_secret), prompt="none")
    params = callback_params(browser.visit(flow.url))
    assert params["error"] == "consent_required"


def test_max_age_asks_again_only_when_the_sign_in_is_older(op):
    client_id, secret = register()
    client = client_for(client_id, secret)
    browser = Browser(op.url)
    browser.login("student")
    flow = start(op, client, max_age="3600")
    token = finish(op, client, flow, browser.visit(flow.url))
    assert jwt.decode(token["id_token"], jwks(op))["auth_time"]
    time.sleep(2.1)
    flow = start(op, client, max_age="1")
    page = browser.visit(flow.url)
    assert 'name="password"' in page.text
    token = finish(op, client, flow, browser.submit_login(page, "student"))
    assert time.time() - jwt.decode(token["id_token"], jwks(op))["auth_time"] < 2


def test_id_token_hint(op):
    client_id, secret = register()
    client = client_for(client_id, secret)
    student = Browser(op.url)
    mine, _ = sign_in(op, student, client)
    theirs, _ = sign_in(op, Browser(op.url), client, username="teacher")
    # the hint names the person signed in: a code
    flow = start(op, client, id_token_hint=mine["id_token"], prompt="none")
    assert finish(op, client, flow, student.visit(flow.url))["access_token"]
    # the hint names someone else: login_required
    flow = start(op, client, id_token_hint=theirs["id_token"])
    assert callback_params(student.visit(flow.url))["error"] == "login_required"
    # a hint we did not sign: invalid_request
    flow = start(op, client, id_token_hint=mine["id_token"][:-4] + "AAAA")
    assert callback_params(student.visit(flow.url))["error"] == "invalid_request"


# ---------------------------------------------------------------------------------------------- consent
def test_consent_screen_in_chinese_remembered_and_audited(op):
    client_id, secret = register(trusted=False, name="作业平台")
    client = client_for(client_id, secret, scope="openid profile school")
    browser = Browser(op.url)
    browser.login("student")
    flow = start(op, client)
    page = browser.visit(flow.url)
    assert page.status_code == 200
    for text in ("作业平台", "读取你的姓名", "读取你所在的学校和班级", "同意", "拒绝"):
        assert text in page.text
    params = callback_params(browser.consent(page, allow=False))
    assert params["error"] == "access_denied" and "code" not in params
    assert AuditEvent.objects.filter(action="oidc.deny", actor_username="student").exists()

    flow = start(op, client)
    token = finish(op, client, flow, browser.consent(browser.visit(flow.url), allow=True))
    assert token["access_token"]
    assert AuditEvent.objects.filter(action="oidc.consent", actor_username="student").exists()
    # remembered: no screen the next time for the same scopes
    flow = start(op, client)
    assert finish(op, client, flow, browser.visit(flow.url))["access_token"]


# ---------------------------------------------------------------------------------------------- registry rules
def test_an_account_the_registry_does_not_allow_is_refused(op):
    client_id, secret = register(roles=["teacher"], name="教研平台")
    browser = Browser(op.url)
    browser.login("student")
    flow = start(op, client_for(client_id, secret))
    page = browser.visit(flow.url)
    assert page.status_code == 403 and "Location" not in page.headers
    assert "教研平台" in page.text and "使用范围" in page.text
    assert AuditEvent.objects.filter(action="oidc.denied", actor_username="student").exists()
    # the teacher may
    assert sign_in(op, Browser(op.url), client_for(client_id, secret), username="teacher")[0]["access_token"]

    off_id, off_secret = register(active=False)
    page = browser.visit(start(op, client_for(off_id, off_secret)).url)
    assert page.status_code == 403 and "已停用" in page.text


# ---------------------------------------------------------------------------------------------- tokens
def test_refresh_rotates_and_reuse_revokes_the_family(op):
    client_id, secret = register()
    client = client_for(client_id, secret)
    token, _ = sign_in(op, Browser(op.url), client)
    first_refresh = token["refresh_token"]
    renewed = client.refresh_token(op.conf["token_endpoint"], refresh_token=first_refresh)
    assert renewed["refresh_token"] != first_refresh and renewed["access_token"] != token["access_token"]
    assert jwt.decode(renewed["id_token"], jwks(op))["sid"] == jwt.decode(token["id_token"], jwks(op))["sid"]
    # the old refresh token comes back: refused, and the whole family dies with it
    with pytest.raises(OAuthError) as reused:
        client.refresh_token(op.conf["token_endpoint"], refresh_token=first_refresh)
    assert reused.value.error == "invalid_grant"
    with pytest.raises(OAuthError):
        client.refresh_token(op.conf["token_endpoint"], refresh_token=renewed["refresh_token"])
    assert userinfo(op, renewed["access_token"]).status_code in (401, 403)
    assert AuditEvent.objects.filter(action="oidc.token.refresh_reuse", actor_username="student").exists()


def test_revocation_and_introspection(op):
    client_id, secret = register()
    other_id, other_secret = register()
    client = client_for(client_id, secret, scope="openid profile")
    token, _ = sign_in(op, Browser(op.url), client)
    endpoint = op.conf["introspection_endpoint"]

    answer = requests.post(endpoint, data={"token": token["access_token"]}, auth=(client_id, secret), timeout=10)
    info = answer.json()
    assert info["active"] is True and info["client_id"] == client_id and info["scope"] == "openid profile"
    assert info["sub"] == jwt.decode(token["id_token"], jwks(op))["sub"] and "username" not in info
    # another client learns nothing about it; no credentials, no answer
    other = requests.post(endpoint, data={"token": token["access_token"]}, auth=(other_id, other_secret), timeout=10)
    assert other.json() == {"active": False}
    assert requests.post(endpoint, data={"token": token["access_token"]}, timeout=10).status_code == 401

    revoked = requests.post(
        op.conf["revocation_endpoint"],
        data={"token": token["access_token"], "token_type_hint": "access_token"},
        auth=(client_id, secret),
        timeout=10,
    )
    assert revoked.status_code == 200
    after = requests.post(endpoint, data={"token": token["access_token"]}, auth=(client_id, secret), timeout=10)
    assert after.json() == {"active": False}
    assert userinfo(op, token["access_token"]).status_code in (401, 403)
    with pytest.raises(OAuthError):  # revoking the access token revoked its refresh token too
        client.refresh_token(op.conf["token_endpoint"], refresh_token=token["refresh_token"])
    assert AuditEvent.objects.filter(action="oidc.token.revoke", actor_username="student").exists()


# ---------------------------------------------------------------------------------------------- logout
def test_rp_initiated_logout(op):
    client_id, secret = register()
    client = client_for(client_id, secret)
    browser = Browser(op.url)
    token, _ = sign_in(op, browser, client)
    url = (
        op.conf["end_session_endpoint"]
        + "?"
        + urlencode({"id_token_hint": token["id_token"], "post_logout_redirect_uri": LOGOUT_DONE, "state": "bye"})
    )
    response = browser.http.get(url, allow_redirects=False)
    assert response.status_code == 302 and response.headers["Location"] == f"{LOGOUT_DONE}?state=bye"
    assert userinfo(op, token["access_token"]).status_code in (401, 403)
    # signed out of Zhijiao: the next sign-in asks for the password
    assert 'name="password"' in browser.visit(start(op, client).url).text
    # an unregistered post_logout_redirect_uri is not followed
    browser.login("student")
    token, _ = sign_in(op, browser, client)
    url = (
        op.conf["end_session_endpoint"]
        + "?"
        + urlencode({"id_token_hint": token["id_token"], "post_logout_redirect_uri": "http://127.0.0.1:8713/evil"})
    )
    response = browser.http.get(url, allow_redirects=False)
    assert response.status_code == 400 and "Location" not in response.headers


class _LogoutReceiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        self.server.received.append((self.headers.get("Content-Type", ""), parse_qs(body)))  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def logout_receiver():
    server = HTTPServer(("127.0.0.1", 0), _LogoutReceiver)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_backchannel_logout_tells_each_app_of_the_session(op, logout_receiver):
    uri = f"http://127.0.0.1:{logout_receiver.server_port}/backchannel-logout"
    client_id, secret = register(backchannel=uri)
    quiet_id, quiet_secret = register()  # no back-channel URI: its tokens are revoked, nothing is sent
    browser = Browser(op.url)
    token, _ = sign_in(op, browser, client_for(client_id, secret))
    quiet, _ = sign_in(op, browser, client_for(quiet_id, quiet_secret))
    id_token = jwt.decode(token["id_token"], jwks(op))

    assert browser.logout().status_code in (200, 302)

    assert len(logout_receiver.received) == 1
    content_type, form = logout_receiver.received[0]
    assert content_type.startswith("application/x-www-form-urlencoded")
    logout_token = form["logout_token"][0]
    claims = jwt.decode(logout_token, jwks(op))  # verifies the signature against the published keys
    claims.validate(leeway=5)
    assert kid_of(logout_token) == kid_of(token["id_token"])
    assert claims["iss"] == op.conf["issuer"] and claims["aud"] == client_id
    assert claims["sub"] == id_token["sub"] and claims["sid"] == id_token["sid"]
    assert claims["events"] == {"http://schemas.openid.net/event/backchannel-logout": {}}
    assert claims["jti"] and claims["iat"] <= time.time() + 1 and claims["exp"] > time.time()
    assert "nonce" not in claims
    # the session's tokens are gone, for both apps
    for access in (token["access_token"], quiet["access_token"]):
        assert userinfo(op, access).status_code in (401, 403)
    assert AuditEvent.objects.filter(action="oidc.backchannel_logout", actor_username="student").count() == 1


def test_backchannel_logout_follows_rp_initiated_logout_and_reports_failures(op, logout_receiver):
    uri = f"http://127.0.0.1:{logout_receiver.server_port}/backchannel-logout"
    listening_id, listening_secret = register(backchannel=uri)
    down_id, down_secret = register(backchannel="http://127.0.0.1:9/nobody-home")
    browser = Browser(op.url)
    sign_in(op, browser, client_for(listening_id, listening_secret))
    token, _ = sign_in(op, browser, client_for(down_id, down_secret))
    url = op.conf["end_session_endpoint"] + "?" + urlencode({"id_token_hint": token["id_token"]})
    assert browser.http.get(url, allow_redirects=False).status_code == 302
    assert [jwt.decode(f["logout_token"][0], jwks(op))["aud"] for _, f in logout_receiver.received] == [listening_id]
    assert AuditEvent.objects.filter(action="oidc.backchannel_logout_failed").exists()


# ---------------------------------------------------------------------------------------------- keys
def test_key_rotation_keeps_old_id_tokens_verifiable(op, settings, tmp_path):
    from zhijiao.oidc import keys

    client_id, secret = register()
    client = client_for(client_id, secret)
    browser = Browser(op.url)
    old_token, _ = sign_in(op, browser, client)
    old_kid = kid_of(old_token["id_token"])

    # what `zhijiao oidc-keys rotate` does, in a scratch key directory, then the restarted server's settings
    (tmp_path / "0.pem").write_text(settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"])
    keys.rotate(directory=tmp_path)
    rotated = keys.load_signing_keys(env_pem="", directory=tmp_path)
    assert keys.kid(rotated.inactive[0]) == old_kid and keys.kid(rotated.active) != old_kid
    settings.OAUTH2_PROVIDER = settings.OAUTH2_PROVIDER | {
        "OIDC_RSA_PRIVATE_KEY": rotated.active,
        "OIDC_RSA_PRIVATE_KEYS_INACTIVE": list(rotated.inactive),
    }

    published = {k["kid"] for k in requests.get(op.conf["jwks_uri"], timeout=10).json()["keys"]}
    assert published == {old_kid, keys.kid(rotated.active)}
    jwt.decode(old_token["id_token"], jwks(op)).validate(leeway=5)  # the old token verifies against the JWKS
    new_token, flow = sign_in(op, browser, client)
    assert kid_of(new_token["id_token"]) == keys.kid(rotated.active)
    id_claims(op, new_token, client_id, flow.nonce)
    # an ID token signed with the retired key still works as a hint
    flow = start(op, client, id_token_hint=old_token["id_token"], prompt="none")
    assert finish(op, client, flow, browser.visit(flow.url))["access_token"]
