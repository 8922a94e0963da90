from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "zhijiao.identity"
    label = "identity"
    verbose_name = "身份认证"

    def ready(self) -> None:
        # Axes reports lockouts only through its signal; the receiver audits them.
        from zhijiao.core.events import registry_subscribe
        from zhijiao.identity import lockout  # noqa: F401
        from zhijiao.identity.tasks import accounts_on_registry_change

        registry_subscribe("identity.accounts", accounts_on_registry_change)
