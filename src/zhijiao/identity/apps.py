from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "zhijiao.identity"
    label = "identity"
    verbose_name = "身份认证"
