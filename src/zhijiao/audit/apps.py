from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "zhijiao.audit"
    label = "audit"
    verbose_name = "审计"

    def ready(self) -> None:
        from zhijiao.audit import receivers  # noqa: F401  (connects the sign-in receivers)
