from django.apps import AppConfig


class SpacesConfig(AppConfig):
    name = "zhijiao.spaces"
    label = "spaces"
    verbose_name = "个人空间与家校沟通"
