"""The /api/v1 API: one NinjaAPI with each app's router; session auth for the browser, bearer tokens for services."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import HttpBearer, SessionAuth

from zhijiao.core.errors import ZhijiaoError
from zhijiao.identity.services import api_token_authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        account = api_token_authenticate(token)
        if account is not None:
            request.user = account
        return account


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


def _register_routers() -> None:
    from zhijiao.org.api import router as org_router
    from zhijiao.people.api import router as people_router

    api.add_router("/", org_router)
    api.add_router("/", people_router)


_register_routers()
