"""The provider's endpoints. The issuer is the site root: discovery at /.well-known/openid-configuration (contract),
the rest under /o/. Named in DOT's ``oauth2_provider`` namespace, which its views reverse."""

from django.urls import path, re_path
from oauth2_provider import views as dot

from zhijiao.oidc import views

app_name = "oauth2_provider"

urlpatterns = [
    re_path(
        r"^\.well-known/openid-configuration/?$", views.DiscoveryView.as_view(), name="oidc-connect-discovery-info"
    ),
    path(".well-known/oauth-authorization-server", dot.OAuthServerMetadataView.as_view(), name="oauth-server-metadata"),
    path(".well-known/jwks.json", dot.JwksInfoView.as_view(), name="jwks-info"),
    path("o/authorize/", views.AuthorizeView.as_view(), name="authorize"),
    path("o/token/", dot.TokenView.as_view(), name="token"),
    path("o/userinfo/", dot.UserInfoView.as_view(), name="user-info"),
    path("o/revoke/", dot.RevokeTokenView.as_view(), name="revoke-token"),
    path("o/introspect/", views.IntrospectView.as_view(), name="introspect"),
    path("o/logout/", views.LogoutView.as_view(), name="rp-initiated-logout"),
]
