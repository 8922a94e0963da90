from django.contrib.auth import views as auth_views
from django.http import HttpRequest, JsonResponse
from django.urls import include, path, re_path

from zhijiao.config.api import api
from zhijiao.identity import login as identity_login
from zhijiao.identity import views as identity_views
from zhijiao.identity import views_activation
from zhijiao.identity.urls import admin_urlpatterns as account_admin_urls
from zhijiao.resources.views_files import file_by_token
from zhijiao.xapi.urls import records_urlpatterns as xapi_records_urls
from zhijiao.xapi.views import lrs


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("healthz", healthz),
    path("accounts/login/", identity_login.login, name="login"),
    path("accounts/otp/enrol/", identity_login.otp_enrol, name="otp-enrol"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", identity_views.password_change, name="password-change"),
    path("accounts/activate/", views_activation.activate, name="account-activate"),
    path("accounts/activation-codes/", views_activation.activation_codes, name="activation-codes"),
    path("accounts/admin/", include(account_admin_urls)),
    path("security/", include("zhijiao.identity.urls")),
    path("api/v1/", api.urls),
    re_path(r"^xapi/(?P<resource>.*)$", lrs, name="xapi"),  # the learning record store (plain views)
    path("", include("zhijiao.oidc.urls")),  # OpenID Connect: /.well-known/…, /o/…
    path("intake/", include("zhijiao.intake.urls")),
    path("audit/", include("zhijiao.audit.urls")),
    path("privacy/", include("zhijiao.privacy.urls")),
    path("analytics/", include("zhijiao.analytics.urls")),
    path("resources/", include("zhijiao.resources.urls")),
    path("curriculum/", include("zhijiao.curriculum.urls")),
    path("learning/", include("zhijiao.learning.urls")),
    path("services/", include("zhijiao.services.urls")),
    path("space/", include("zhijiao.spaces.urls")),
    path("lrs/", include("zhijiao.xapi.urls")),  # 学习记录库 (administrators)
    path("records/", include(xapi_records_urls)),  # 我的学习记录
    path("growth/", include("zhijiao.growth.urls")),
    path("files/<str:token>/", file_by_token, name="files-by-token"),  # only on ZHIJIAO_FILES_ORIGIN
    path("", include("zhijiao.catalogue.urls")),
    path("", include("zhijiao.oidc.urls_apps")),
    path("", include("zhijiao.web.urls")),
]
