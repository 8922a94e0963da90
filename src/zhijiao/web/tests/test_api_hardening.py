"""The API's edges: CSRF only where a browser session is the credential, odd input answered 4xx in Chinese, and no
caching of signed-in responses."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from zhijiao.identity.services import api_token_create
from zhijiao.resources.tests.conftest import make_published
from zhijiao.testing import login_as, make_id

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _home(settings, tmp_path):
    settings.HOME = tmp_path


def _bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def _record() -> dict:
    number = make_id("420112", date(2018, 3, 5), 61, "1")
    return {
        "name": "王小明",
        "sex": "男",
        "birth_date": "2018-03-05",
        "ethnicity": "汉族",
        "id_number": number,
        "student_no": f"G{number}",
        "school_code": "3420112001",
        "grade": "三年级",
        "class_no": "1",
        "enrolled_on": "2024-09",
    }


# ------------------------------------------------------------------------------------------------- CSRF
def test_a_bearer_token_push_needs_no_csrf_cookie(region):
    """A service client has no browser: its token is the credential, so there is no CSRF to check."""
    client = Client(enforce_csrf_checks=True)
    _, raw = api_token_create(account=region.accounts["bureau"], name="交换", scopes=["exchange:push"])
    response = client.post(
        "/api/v1/exchange/students/records",
        {"records": [_record()]},
        content_type="application/json",
        headers=_bearer(raw),
    )
    assert response.status_code == 200, response.content
    assert response.json()["summary"]["created"] == 1


def test_a_bearer_token_resource_write_needs_no_csrf_cookie(region):
    a = region.accounts
    resource = make_published(a, title="勾股定理 微课")
    _, raw = api_token_create(account=a["head"], name="备课", scopes=["resources:read", "resources:write"])
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/api/v1/resources/{resource.pk}/rating", {"score": 4}, content_type="application/json", headers=_bearer(raw)
    )
    assert response.status_code == 200, response.content


def test_a_bad_bearer_token_is_401_not_a_csrf_refusal(region):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/exchange/students/records",
        {"records": []},
        content_type="application/json",
        headers=_bearer("zj_not-a-token"),
    )
    assert response.status_code == 401


def test_a_session_write_still_needs_the_csrf_token(region):
    a = region.accounts
    resource = make_published(a, title="勾股定理 微课")
    client = Client(enforce_csrf_checks=True)
    login_as(client, a["head"])
    refused = client.post(f"/api/v1/resources/{resource.pk}/rating", {"score": 4}, content_type="application/json")
    assert refused.status_code == 403
    assert "请刷新页面" in refused.json()["detail"]

    # with the cookie and the header a page sends, the same write goes through
    client.get("/")
    token = client.cookies["csrftoken"].value
    allowed = client.post(
        f"/api/v1/resources/{resource.pk}/rating",
        {"score": 4},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert allowed.status_code == 200, allowed.content


def test_a_session_with_a_bogus_bearer_header_is_not_let_past_csrf(region):
    """A page cannot skip the CSRF check by adding an Authorization header that names no token."""
    a = region.accounts
    resource = make_published(a, title="勾股定理 微课")
    client = Client(enforce_csrf_checks=True)
    login_as(client, a["head"])
    response = client.post(
        f"/api/v1/resources/{resource.pk}/rating",
        {"score": 4},
        content_type="application/json",
        headers=_bearer("zj_not-a-token"),
    )
    assert response.status_code in (401, 403)


# -------------------------------------------------------------------------------------------- odd input
HUGE = "99999999999999999999999"
LONG = "数" * 50_000


API_TOO_BIG = [
    f"/api/v1/schools?q={LONG}",
    f"/api/v1/schools?division={LONG}",
    f"/api/v1/students?q={LONG}",
    f"/api/v1/students?school_id={HUGE}",
    f"/api/v1/students?class_id={HUGE}",
    f"/api/v1/classes?school_id={HUGE}",
    f"/api/v1/schools?page={HUGE}",
    f"/api/v1/staff?school_id={HUGE}",
    f"/api/v1/analytics/warnings?offset={HUGE}",
    f"/api/v1/resources?edition={HUGE}",
    f"/api/v1/resources?chapter={HUGE}",
    f"/api/v1/resources?point={HUGE}",
    f"/api/v1/resources/for-points?points={HUGE}",
    f"/api/v1/exchange/changes?cursor={HUGE}",
]


def test_out_of_range_query_values_are_a_400_in_chinese(client, region):
    login_as(client, region.accounts["admin"])
    for url in API_TOO_BIG:
        response = client.get(url)
        assert response.status_code == 400, (url[:80], response.content[:300])
        body = response.json()
        assert body["code"] in {"CORE_QUERY_TOO_LONG", "CORE_NUMBER_OUT_OF_RANGE"}
        assert "请" in body["message"]


NO_SUCH_ID = [
    f"/api/v1/schools/{HUGE}",
    f"/api/v1/students/{HUGE}",
    f"/api/v1/resources/{HUGE}",
    f"/api/v1/resources/{HUGE}/rating",
    f"/schools/{HUGE}/",
    f"/students/{HUGE}/",
    f"/resources/{HUGE}/",
]


def test_an_id_no_record_can_have_is_a_404(client, region):
    login_as(client, region.accounts["admin"])
    for url in NO_SUCH_ID:
        assert client.get(url).status_code == 404, url


OUTSIDE_TYPE = [
    (f"/api/v1/students?q={'张' * 201}", "q", "不能超过 200 个字符"),
    (f"/api/v1/students?school_id={2**63}", None, None),  # past 64 bits: the middleware's 400
    (f"/api/v1/schools?page={2**40}", "page", "不能大于 2147483647"),
    (f"/api/v1/analytics/warnings?limit={2**40}", "limit", "不能大于 2147483647"),
    ("/api/v1/analytics/indicators?year=99999", "year", "不能大于 2100"),
    ("/api/v1/students?school_id=abc", "school_id", "应为整数"),
    ("/api/v1/students?school_id=0", "school_id", "不能小于 1"),
]


def test_parameters_outside_their_type_are_a_422_in_chinese(client, region):
    login_as(client, region.accounts["admin"])
    for url, field, message in OUTSIDE_TYPE:
        response = client.get(url)
        if field is None:
            assert response.status_code == 400, url
            continue
        assert response.status_code == 422, (url, response.content[:300])
        body = response.json()
        assert body["code"] == "CORE_INVALID_INPUT"
        assert body["message"] == f"请求参数不正确：{field}：{message}"
        assert body["detail"][0]["loc"][-1] == field and body["detail"][0]["msg"] == message


def test_a_bad_request_body_is_a_422_in_chinese(client, region):
    a = region.accounts
    resource = make_published(a, title="勾股定理 微课")
    login_as(client, a["head"])
    response = client.post(f"/api/v1/resources/{resource.pk}/rating", {"score": "五"}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0] == {
        "loc": ["body", "payload", "score"],
        "type": "int_parsing",
        "msg": "应为整数",
    }
    assert response.json()["message"] == "请求参数不正确：score：应为整数"


PAGES_TOO_BIG = [
    f"/schools/?q={LONG}",
    f"/schools/?division={LONG}",
    f"/schools/?page={HUGE}",
    f"/classes/?school={HUGE}",
    f"/students/?school={HUGE}",
    f"/students/?q={LONG}",
    f"/staff/?school={HUGE}",
    f"/resources/?q={LONG}",
    f"/resources/?chapter={HUGE}&page={HUGE}",
    f"/audit/?page={HUGE}",
    f"/analytics/indicators/?year={HUGE}",
    f"/analytics/warnings/?page={HUGE}",
    f"/privacy/?child={HUGE}",
]


def test_pages_answer_odd_query_values_with_a_chinese_400_page(client, region):
    login_as(client, region.accounts["admin"])
    for url in PAGES_TOO_BIG:
        response = client.get(url)
        assert response.status_code == 400, url[:80]
        text = response.content.decode()
        assert "查询条件过长" in text or "数字超出允许的范围" in text
        assert "q：" not in text and "school：" not in text  # no parameter names on a page


def test_a_signed_out_visitor_gets_the_error_page_with_its_message(client):
    # the public layout has no sidebar: the error must be in the page a visitor sees, not in an unrendered block
    text = client.get(f"/services/institutions/public/?q={LONG}").content.decode()
    assert "查询条件过长" in text and "返回首页" in text


ODD_PAGES = [
    "/schools/?q=%25%25_&page=-1",
    f"/schools/?q={'数' * 3000}&page=0",
    "/students/?school=-5&page=abc",
    f"/students/?q={HUGE}",
    "/staff/?school=9223372036854775807",
    "/classes/?school=9223372036854775807&oversized=1",
    f"/resources/?q={'数' * 3000}&edition=x&chapter=-1&kp=9223372036854775807&page=0&sort=zz",
    "/analytics/indicators/?year=99999",
    "/analytics/indicators/?year=-1",
    "/analytics/warnings/?page=-3&school=9223372036854775807",
    "/audit/?since=99999-01-01&page=0",
    "/privacy/?child=9223372036854775807",
]


def test_pages_never_answer_odd_input_with_a_server_error(region):
    for username in ["admin", "bureau", "principal", "teacher", "head", "parent", "student"]:
        client = Client()
        login_as(client, region.accounts[username])
        for url in ODD_PAGES:
            assert client.get(url).status_code < 500, (username, url[:80])


# -------------------------------------------------------------------------------------------- no-store
def _not_stored(response) -> bool:
    return "no-store" in response.get("Cache-Control", "") and response.get("Pragma") == "no-cache"


def test_signed_in_pages_and_api_answers_are_not_stored(client, region):
    a = region.accounts
    login_as(client, a["principal"])
    for url in ["/", "/students/", f"/students/{region.students['s1'].pk}/", "/api/v1/students"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _not_stored(response), url

    _, raw = api_token_create(account=a["principal"], name="名册")
    bearer = Client().get("/api/v1/students", headers=_bearer(raw))
    assert bearer.status_code == 200 and _not_stored(bearer)
    assert _not_stored(Client().get("/api/v1/students"))  # a 401 from the API too


def test_static_files_stay_cacheable(client, region):
    login_as(client, region.accounts["principal"])
    response = client.get("/static/web/app.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# ------------------------------------------------------------------------------------ secure cookies check
def _cookie_check():
    from zhijiao.web.integrity import integrity_report

    return next(r for r in integrity_report() if r.title == "安全 Cookie")


def test_check_fails_when_the_site_is_behind_tls_without_secure_cookies(settings):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_TRUSTED_ORIGINS = ["https://edu.example.gov.cn"]
    result = _cookie_check()
    assert not result.ok
    assert "ZHIJIAO_SECURE_COOKIES=true" in result.detail and "https://edu.example.gov.cn" in result.detail

    settings.CSRF_TRUSTED_ORIGINS = []
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": "https://sso.example.edu.cn"}
    assert not _cookie_check().ok

    settings.SESSION_COOKIE_SECURE = True
    assert _cookie_check().ok and not _cookie_check().warning


def test_check_warns_when_a_public_host_has_no_secure_cookies(settings):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_TRUSTED_ORIGINS = []
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": ""}
    settings.ALLOWED_HOSTS = ["localhost", "edu.example.gov.cn"]
    result = _cookie_check()
    assert result.ok and result.warning and "edu.example.gov.cn" in result.detail

    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    assert _cookie_check().ok and not _cookie_check().warning


def test_a_body_that_is_not_json_is_a_400_in_chinese(client, region):
    a = region.accounts
    resource = make_published(a, title="勾股定理 微课")
    login_as(client, a["head"])
    response = client.post(f"/api/v1/resources/{resource.pk}/rating", "{score:", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "请求内容不是有效的 JSON"}
