"""The /api/v1 API: one NinjaAPI with each app's router; session auth for the browser, bearer tokens for services."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from zhijiao.core.errors import CoreError, NotFound, ZhijiaoError
from zhijiao.identity.errors import ApiScopeError
from zhijiao.identity.services import api_scope_require, api_token_get
from zhijiao.intake.ratelimit import RateLimited
from zhijiao.oidc.api_auth import OidcAccessToken


class BrowserSession(SessionAuth):
    """The browser's session cookie, with Django's CSRF check on writes. A request that carries a bearer credential
    is a service client's: it is left to the bearer auths (which answer 401 for an unknown token), because a cookie
    the browser attaches by itself is what CSRF guards against, and a page on another site cannot add an
    ``Authorization`` header (no CORS here). Without this, the session auth listed first refused every token write
    with "CSRF check Failed" before the token was looked at."""

    def __call__(self, request: HttpRequest):
        if request.headers.get("Authorization", "").strip().lower().startswith("bearer "):
            return None
        return super().__call__(request)


class BearerToken(HttpBearer):
    """A bearer token acting as its account. ``scope``: what every endpoint behind this auth needs (None: the
    endpoint checks its own scope, as the exchange endpoints do)."""

    def __init__(self, scope: str | None = "registry:read") -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str):
        api_token = api_token_get(token)
        if api_token is None:
            return None
        request.user = api_token.account
        # read back by the endpoints that check their own scope, and by the rate limiter
        request.api_token = api_token  # type: ignore[attr-defined]
        if self.scope:
            api_scope_require(actor=api_token.account, token=api_token, scope=self.scope)
        return api_token.account


def scoped_auth(scope: str | None) -> list:
    """Session, API token or OIDC access token, each bearer needing ``scope`` (None: the endpoint checks with
    ``identity.services.api_request_scope_require``). A browser session is let in for every resources scope."""
    return [BrowserSession(), BearerToken(scope=scope), OidcAccessToken(scope=scope)]


# The resource centre's auth: reuse these for every router mounted under /resources. Reads need resources:read;
# write endpoints (ratings, uploads …) use RESOURCE_WRITE_AUTH, or call api_request_scope_require(request=…,
# scope="resources:write") when they sit in a router with RESOURCE_AUTH.
RESOURCE_AUTH = scoped_auth("resources:read")
RESOURCE_WRITE_AUTH = scoped_auth("resources:write")


api = NinjaAPI(
    title="智教 Zhijiao API",
    version="1",
    description="区域智慧教育平台数据交换接口。所有读取按调用者的授权范围过滤，未授权的个人信息字段返回脱敏值。",
    auth=[BrowserSession(), BearerToken()],
    urls_namespace="api-v1",
)


@api.exception_handler(ZhijiaoError)
def zhijiao_error(request: HttpRequest, exc: ZhijiaoError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError):
    body = ZhijiaoError(ApiScopeError.IDENTITY_AUTH_REQUIRED, status=401).as_dict()
    response = api.create_response(request, body, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="zhijiao"'
    return response


# pydantic's error types, in Chinese ({…} from the error's context); anything else reads "格式不正确".
_VALIDATION_MESSAGES = {
    "missing": "必须填写",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "finite_number": "应为有限的数字",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文本",
    "string_too_long": "不能超过 {max_length} 个字符",
    "string_too_short": "至少 {min_length} 个字符",
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "不能大于 {le}",
    "less_than": "应小于 {lt}",
    "literal_error": "应为以下之一：{expected}",
    "enum": "应为以下之一：{expected}",
    "uuid_parsing": "不是有效的编号",
    "uuid_type": "不是有效的编号",
    "date_parsing": "应为日期（如 2026-09-01）",
    "date_from_datetime_parsing": "应为日期（如 2026-09-01）",
    "datetime_parsing": "应为日期时间",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_attributes_type": "应为对象",
    "json_invalid": "不是有效的 JSON",
    "value_error": "{error}",
}


def _field_name(loc: list | tuple) -> str:
    # ("query", "school_id") → school_id; ("body", "payload", "records", 3, "name") → records[3].name
    parts = [p for p in loc[1:] if p != "payload"] if loc and loc[0] in ("query", "path", "body", "header") else loc
    name = ""
    for part in parts:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "请求"


def _validation_message(error: dict) -> str:
    template = _VALIDATION_MESSAGES.get(error.get("type", ""), "格式不正确")
    context = dict(error.get("ctx") or {})
    if "error" in context:
        context["error"] = str(context["error"]).removeprefix("Value error, ")
    try:
        return template.format(**context)
    except (KeyError, IndexError):
        return "格式不正确"


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, exc: ValidationError):
    """422 with ninja's ``detail`` list (loc, type), each ``msg`` in Chinese, and one Chinese ``message`` on top, in
    the shape of every other error this API answers (``code``, ``message``)."""
    detail = []
    for error in exc.errors:
        loc = list(error.get("loc") or ())
        detail.append({"loc": loc, "type": error.get("type", ""), "msg": _validation_message(error)})
    summary = "；".join(f"{_field_name(d['loc'])}：{d['msg']}" for d in detail[:5])
    body = {"code": CoreError.CORE_INVALID_INPUT.code, "message": f"{CoreError.CORE_INVALID_INPUT.message}：{summary}"}
    return api.create_response(request, {**body, "detail": detail}, status=422)


# ninja's own refusals, which it words in English
_HTTP_ERROR_MESSAGES = {
    "CSRF check Failed": "页面已过期或请求来源无法确认，请刷新页面后重试",
    "Unauthorized": "请先登录，或提供有效的访问令牌",
    "Forbidden": "没有执行此操作的权限",
    "Too many requests.": "请求过于频繁，请稍后再试",
    "Cannot parse request body": "请求内容不是有效的 JSON",
}


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    message = _HTTP_ERROR_MESSAGES.get(exc.message.split(" (")[0], exc.message)  # DEBUG appends the cause
    return api.create_response(request, {"detail": message}, status=exc.status_code)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404):
    return api.create_response(request, NotFound().as_dict(), status=404)


@api.exception_handler(RateLimited)
def rate_limited(request: HttpRequest, exc: RateLimited):
    response = api.create_response(request, {**exc.as_dict(), "retry_after": exc.retry_after}, status=exc.status)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _register_routers() -> None:
    from zhijiao.analytics.api import router as analytics_router
    from zhijiao.curriculum.api import router as curriculum_router
    from zhijiao.intake.api import router as exchange_router
    from zhijiao.registry.api_org import router as org_router
    from zhijiao.registry.api_people import router as people_router
    from zhijiao.resources.api import router as resources_router
    from zhijiao.resources.api_jsonld import router as resource_jsonld_router
    from zhijiao.resources.api_recommend import router as resource_recommend_router
    from zhijiao.resources.api_uploads import router as resource_uploads_router
    from zhijiao.resources.api_usage import router as resource_usage_router
    from zhijiao.spaces.api import router as notices_router

    api.add_router("/", org_router)
    api.add_router("/", people_router)
    api.add_router("/analytics", analytics_router)
    api.add_router("/resources", resources_router, auth=RESOURCE_AUTH)
    api.add_router("/resources", resource_recommend_router, auth=RESOURCE_AUTH)
    api.add_router("/resources", resource_jsonld_router, auth=RESOURCE_AUTH)
    api.add_router("/resources/uploads", resource_uploads_router, auth=RESOURCE_WRITE_AUTH)
    api.add_router("/curriculum", curriculum_router, auth=RESOURCE_AUTH)  # the taxonomy resources are tagged with
    # ratings, comments, favourites, usage events: reads resources:read, writes also resources:write (per endpoint)
    api.add_router("/resources", resource_usage_router, auth=RESOURCE_AUTH)
    # a person's own notices: the browser session, or a token of the person (no registry scope needed)
    api.add_router("/notices", notices_router, auth=scoped_auth(None))
    # Exchange clients need exchange:push / exchange:pull, not registry:read; each endpoint checks its scope.
    api.add_router("/exchange", exchange_router, auth=[BrowserSession(), BearerToken(scope=None)])


_register_routers()
