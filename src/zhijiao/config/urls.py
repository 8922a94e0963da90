from django.contrib.auth import views as auth_views
from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from zhijiao.config.api import api
from zhijiao.identity import views as identity_views


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("healthz", healthz),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", identity_views.password_change, name="password-change"),
    path("api/v1/", api.urls),
    path("intake/", include("zhijiao.intake.urls")),
    path("", include("zhijiao.catalogue.urls")),
    path("", include("zhijiao.web.urls")),
]
