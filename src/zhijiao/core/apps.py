from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zhijiao.core"
    label = "core"
    verbose_name = "核心"
