from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "zhijiao.privacy"
    label = "privacy"
    verbose_name = "未成年人个人信息保护"
