from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "zhijiao.resources"
    label = "resources"
    verbose_name = "资源中心"
