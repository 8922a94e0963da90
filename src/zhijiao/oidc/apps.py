from django.apps import AppConfig


class OidcConfig(AppConfig):
    name = "zhijiao.oidc"
    label = "oidc"
    verbose_name = "单点登录与应用"

    def ready(self) -> None:
        from zhijiao.oidc import receivers  # noqa: F401  (connects the session receivers)
