from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "zhijiao.services"
    label = "services"
    verbose_name = "网上办事"
