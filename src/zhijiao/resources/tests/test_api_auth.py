"""Who may call the resource API: sessions, API tokens with resources:read, OIDC access tokens (over real HTTP,
Authlib as the app), anonymous callers (401 in Chinese); and parents, who see 公开 resources only."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from django.test import Client, RequestFactory
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from oauth2_provider.models import get_access_token_model

from zhijiao.access.roles import Role
from zhijiao.config.api import RESOURCE_AUTH, RESOURCE_WRITE_AUTH
from zhijiao.core.errors import ZhijiaoError
from zhijiao.curriculum.loading import taxonomy_load
from zhijiao.identity.models import Account
from zhijiao.identity.services import api_request_scope_require, api_token_create, role_grant
from zhijiao.oidc.api_auth import oidc_access_token_get
from zhijiao.oidc.tests.test_oidc_flow import Browser, client_for, op, register, sign_in, start  # noqa: F401
from zhijiao.resources import selectors
from zhijiao.resources.indexing import search_backend
from zhijiao.resources.models import SharingScope
from zhijiao.resources.search.backend import Visibility
from zhijiao.resources.tests.conftest import make_published
from zhijiao.testing import login_as

AccessToken = get_access_token_model()


@pytest.fixture(autouse=True)
def _search(settings, tmp_path, monkeypatch):
    settings.ZHIJIAO_SEARCH_DIR = tmp_path / "search"
    monkeypatch.setattr(HUEY, "immediate", True)  # the index job runs in-process, as the worker would


def _bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


# ---------------------------------------------------------------------------------------------- API tokens
def test_api_tokens_need_resources_read_and_anonymous_calls_get_a_chinese_401(region):
    a = region.accounts
    school = make_published(a, title="勾股定理 本校微课", sharing=SharingScope.SCHOOL)
    client = Client()

    anonymous = client.get("/api/v1/resources")
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"].startswith("Bearer")
    body = anonymous.json()
    assert body["code"] == "IDENTITY_AUTH_REQUIRED" and "请先登录" in body["message"]
    assert client.get(f"/api/v1/resources/{school.pk}", headers=_bearer("zj_not-a-token")).status_code == 401

    _, registry_only = api_token_create(account=a["teacher"], name="名册同步")  # default scope: registry:read
    refused = client.get("/api/v1/resources", headers=_bearer(registry_only))
    assert refused.status_code == 403
    assert refused.json()["code"] == "IDENTITY_SCOPE_MISSING"
    assert (
        "resources:read" in refused.json()["message"] and "检索、查看和下载资源中心的资源" in refused.json()["message"]
    )
    assert client.get(f"/api/v1/resources/{school.pk}/download", headers=_bearer(registry_only)).status_code == 403

    _, reader = api_token_create(account=a["teacher"], name="备课平台", scopes=["resources:read"])
    listed = client.get("/api/v1/resources", headers=_bearer(reader))
    assert listed.status_code == 200 and [i["id"] for i in listed.json()["items"]] == [school.pk]
    assert client.get(f"/api/v1/resources/{school.pk}", headers=_bearer(reader)).json()["title"] == "勾股定理 本校微课"
    download = client.get(f"/api/v1/resources/{school.pk}/download", headers=_bearer(reader))
    assert download.status_code == 200
    # the token acts as its account: another school's teacher does not see 本校 resources
    _, other = api_token_create(account=a["nobody"], name="备课平台", scopes=["resources:read"])
    assert client.get(f"/api/v1/resources/{school.pk}", headers=_bearer(other)).status_code == 404
    # the registry is still registry:read's, not resources:read's
    assert client.get("/api/v1/schools", headers=_bearer(reader)).status_code == 403


def test_write_scope_is_required_of_bearers_but_not_of_sessions(region):
    a = region.accounts
    factory = RequestFactory()
    _, reader = api_token_create(account=a["teacher"], name="只读", scopes=["resources:read"])
    _, writer = api_token_create(account=a["teacher"], name="读写", scopes=["resources:read", "resources:write"])
    api_token_auth = RESOURCE_WRITE_AUTH[1]
    with pytest.raises(ZhijiaoError) as refused:
        api_token_auth(factory.get("/", headers=_bearer(reader)))
    assert refused.value.status == 403 and "resources:write" in refused.value.message
    assert api_token_auth(factory.get("/", headers=_bearer(writer))) == a["teacher"]
    assert RESOURCE_AUTH[1](factory.get("/", headers=_bearer(reader))) == a["teacher"]

    # the helper for a write endpoint inside a read router: token scopes, OIDC scopes, a session
    request = factory.post("/")
    request.user = a["teacher"]
    request.api_token = api_token_create(account=a["teacher"], name="只读2", scopes=["resources:read"])[0]
    with pytest.raises(ZhijiaoError):
        api_request_scope_require(request=request, scope="resources:write")
    request = factory.post("/")
    request.user, request.oauth_scopes = a["teacher"], frozenset({"openid", "resources:read"})
    with pytest.raises(ZhijiaoError):
        api_request_scope_require(request=request, scope="resources:write")
    request.oauth_scopes = frozenset({"openid", "resources:write"})
    api_request_scope_require(request=request, scope="resources:write")
    request = factory.post("/")
    request.user = a["teacher"]
    api_request_scope_require(request=request, scope="resources:write")  # a browser session


# ---------------------------------------------------------------------------------------------- parents
def test_parents_see_public_resources_only_students_keep_their_school(region, django_capture_on_commit_callbacks):
    a = region.accounts
    # as the registry derives it: a parent's grant sits on the child's class
    role_grant(account=a["parent"], role=Role.PARENT, school_class=region.classes["A1"])
    with django_capture_on_commit_callbacks(execute=True):
        public = make_published(a, title="勾股定理 公开微课", sharing=SharingScope.PUBLIC)
    with django_capture_on_commit_callbacks(execute=True):
        school = make_published(a, title="勾股定理 本校学案", sharing=SharingScope.SCHOOL)
    with django_capture_on_commit_callbacks(execute=True):
        district = make_published(a, title="勾股定理 本区试卷", sharing=SharingScope.DISTRICT)
    with django_capture_on_commit_callbacks(execute=True):
        city = make_published(a, title="勾股定理 本市课件", sharing=SharingScope.CITY)

    terms = selectors.visibility_terms(a["parent"])
    assert not (terms.school_codes or terms.district_codes or terms.city_codes or terms.bureau_prefixes)
    assert set(selectors.resource_visible_qs(a["parent"])) == {public}
    engine = search_backend().search("勾股定理", visibility=Visibility.from_terms(terms), filters={}, limit=10)
    assert [h.id for h in engine.hits] == [str(public.pk)]

    client = Client()
    login_as(client, "parent")
    assert [i["id"] for i in client.get("/api/v1/resources").json()["items"]] == [public.pk]
    for hidden in (school, district, city):
        assert client.get(f"/api/v1/resources/{hidden.pk}").status_code == 404
        assert client.get(f"/api/v1/resources/{hidden.pk}/download").status_code == 404
    found = client.get("/api/v1/resources/search", {"q": "勾股定理"}).json()
    assert [i["id"] for i in found["items"]] == [public.pk] and found["count"] == 1

    # a student of the same class keeps the school's view (本校, 本区, 本市 of school A)
    login_as(client, "student")
    found = client.get("/api/v1/resources/search", {"q": "勾股定理"}).json()
    assert {i["id"] for i in found["items"]} == {public.pk, school.pk, district.pk, city.pk}
    assert client.get(f"/api/v1/resources/{school.pk}").status_code == 200

    # a parent who also teaches keeps the teacher's view: only the parent grants are left out
    role_grant(account=a["parent"], role=Role.TEACHER, school=region.schools["A"])
    parent = Account.objects.get(pk=a["parent"].pk)  # without the grants cached on the object above
    assert set(selectors.resource_visible_qs(parent)) == {public, school, district, city}


# ---------------------------------------------------------------------------------------------- OIDC tokens
@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_oidc_access_tokens_read_the_resource_api(op, settings, tmp_path):  # noqa: F811  (op: the live OP)
    taxonomy_load()  # a transactional test starts from a flushed database
    a = op.region.accounts
    public = make_published(a, title="勾股定理 公开微课", sharing=SharingScope.PUBLIC)
    school = make_published(a, title="勾股定理 本校学案", sharing=SharingScope.SCHOOL)
    client_id, secret = register(name="备课平台")

    client = client_for(client_id, secret, scope="openid resources:read")
    token, _ = sign_in(op, Browser(op.url), client, username="teacher")
    assert token["scope"].split() == ["openid", "resources:read"]
    headers = _bearer(token["access_token"])
    search = requests.get(f"{op.url}/api/v1/resources/search", params={"q": "勾股定理"}, headers=headers, timeout=10)
    assert search.status_code == 200, search.text
    assert {i["id"] for i in search.json()["items"]} == {public.pk, school.pk}  # as the teacher in the browser
    detail = requests.get(f"{op.url}/api/v1/resources/{school.pk}", headers=headers, timeout=10)
    assert detail.status_code == 200 and detail.json()["title"] == "勾股定理 本校学案"
    listed = requests.get(f"{op.url}/api/v1/resources", headers=headers, timeout=10)
    assert listed.json()["count"] == 2
    # the access token is not a registry token
    assert requests.get(f"{op.url}/api/v1/schools", headers=headers, timeout=10).status_code == 401

    # expired: refused as if unknown
    AccessToken.objects.filter(token_checksum=oidc_access_token_get(token["access_token"]).token_checksum).update(
        expires=timezone.now() - timedelta(seconds=1)
    )
    expired = requests.get(f"{op.url}/api/v1/resources/{public.pk}", headers=headers, timeout=10)
    assert expired.status_code == 401 and expired.json()["code"] == "IDENTITY_AUTH_REQUIRED"

    # revoked by the app: refused
    token, _ = sign_in(op, Browser(op.url), client, username="teacher")
    headers = _bearer(token["access_token"])
    assert requests.get(f"{op.url}/api/v1/resources/{public.pk}", headers=headers, timeout=10).status_code == 200
    revoked = requests.post(
        op.conf["revocation_endpoint"],
        data={"token": token["access_token"], "token_type_hint": "access_token"},
        auth=(client_id, secret),
        timeout=10,
    )
    assert revoked.status_code == 200
    assert requests.get(f"{op.url}/api/v1/resources/{public.pk}", headers=headers, timeout=10).status_code == 401

    # a token without the scope: 403 in Chinese
    plain = client_for(client_id, secret, scope="openid profile")
    token, _ = sign_in(op, Browser(op.url), plain, username="teacher")
    refused = requests.get(
        f"{op.url}/api/v1/resources/search",
        params={"q": "勾股定理"},
        headers=_bearer(token["access_token"]),
        timeout=10,
    )
    assert refused.status_code == 403 and "resources:read" in refused.json()["message"]

    # an account switched off: its live tokens stop working at once
    token, _ = sign_in(op, Browser(op.url), client, username="teacher")
    a["teacher"].is_active = False
    a["teacher"].save(update_fields=["is_active"])
    gone = requests.get(f"{op.url}/api/v1/resources/{public.pk}", headers=_bearer(token["access_token"]), timeout=10)
    assert gone.status_code == 401


@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_consent_screen_explains_resources_read(op):  # noqa: F811
    client_id, secret = register(trusted=False, name="智慧作业")
    client = client_for(client_id, secret, scope="openid resources:read")
    browser = Browser(op.url)
    browser.login("teacher")
    page = browser.visit(start(op, client).url)
    assert page.status_code == 200
    for text in ("智慧作业", "检索、查看和下载资源中心的资源", "仅限你在资源中心本来就能看到的资源"):
        assert text in page.text
    discovery = requests.get(f"{op.url}/.well-known/openid-configuration", timeout=10).json()
    assert {"resources:read", "resources:write"} <= set(discovery["scopes_supported"])
