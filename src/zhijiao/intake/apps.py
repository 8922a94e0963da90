from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "zhijiao.intake"
    label = "intake"
    verbose_name = "数据采集与治理"
