from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "zhijiao.analytics"
    label = "analytics"
    verbose_name = "统计分析"

    def ready(self) -> None:
        from zhijiao.analytics.tasks import snapshot_on_registry_change
        from zhijiao.core.events import registry_subscribe

        registry_subscribe("analytics.snapshot", snapshot_on_registry_change)
