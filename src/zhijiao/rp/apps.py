from django.apps import AppConfig


class RpConfig(AppConfig):
    name = "zhijiao.rp"
    label = "rp"
    verbose_name = "示例应用"
