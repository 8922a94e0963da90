"""The /api/v1 API: one NinjaAPI with each app's router; session auth for the browser, bearer tokens for services."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from zhijiao.core.errors import ZhijiaoError
from zhijiao.identity.errors import ApiScopeError
from zhijiao.identity.services import api_scope_require, api_token_get
from zhijiao.intake.ratelimit import RateLimited
from zhijiao.oidc.api_auth import OidcAccessToken


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
    return [SessionAuth(), BearerToken(scope=scope), OidcAccessToken(scope=scope)]


# The resource centre's auth: reuse these for every router mounted under /resources. Reads need resources:read;
# write endpoints (ratings, uploads …) use RESOURCE_WRITE_AUTH, or call api_request_scope_require(request=…,
# scope="resources:write") when they sit in a router with RESOURCE_AUTH.
RESOURCE_AUTH = scoped_auth("resources:read")
RESOURCE_WRITE_AUTH = scoped_auth("resources:write")


api = NinjaAPI(
    title="智教 Zhijiao API",
    version="1",
    description="区域智慧教育平台数据交换接口。所有读取按调用者的授权范围过滤，未授权的个人信息字段返回脱敏值。",
    auth=[SessionAuth(), BearerToken()],
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


@api.exception_handler(RateLimited)
def rate_limited(request: HttpRequest, exc: RateLimited):
    response = api.create_response(request, {**exc.as_dict(), "retry_after": exc.retry_after}, status=exc.status)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _register_routers() -> None:
    from zhijiao.analytics.api import router as analytics_router
    from zhijiao.intake.api import router as exchange_router
    from zhijiao.org.api import router as org_router
    from zhijiao.people.api import router as people_router
    from zhijiao.resources.api import router as resources_router
    from zhijiao.resources.api_jsonld import router as resource_jsonld_router
    from zhijiao.resources.api_recommend import router as resource_recommend_router
    from zhijiao.resources.api_uploads import router as resource_uploads_router
    from zhijiao.resources.api_usage import router as resource_usage_router

    api.add_router("/", org_router)
    api.add_router("/", people_router)
    api.add_router("/analytics", analytics_router)
    api.add_router("/resources", resources_router, auth=RESOURCE_AUTH)
    api.add_router("/resources", resource_recommend_router, auth=RESOURCE_AUTH)
    api.add_router("/resources", resource_jsonld_router, auth=RESOURCE_AUTH)
    api.add_router("/resources/uploads", resource_uploads_router, auth=RESOURCE_WRITE_AUTH)
    # ratings, comments, favourites, usage events: reads resources:read, writes also resources:write (per endpoint)
    api.add_router("/resources", resource_usage_router, auth=RESOURCE_AUTH)
    # Exchange clients need exchange:push / exchange:pull, not registry:read; each endpoint checks its scope.
    api.add_router("/exchange", exchange_router, auth=[SessionAuth(), BearerToken(scope=None)])


_register_routers()
