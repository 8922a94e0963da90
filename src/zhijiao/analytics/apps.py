from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "zhijiao.analytics"
    label = "analytics"
    verbose_name = "统计分析"
