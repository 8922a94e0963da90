from django.apps import AppConfig


class XapiConfig(AppConfig):
    name = "zhijiao.xapi"
    label = "xapi"
    verbose_name = "学习记录库（xAPI）"
