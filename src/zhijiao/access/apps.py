from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "zhijiao.access"
    label = "access"
    verbose_name = "角色与权限"
