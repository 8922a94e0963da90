from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "zhijiao.web"
    label = "web"
    verbose_name = "门户"
