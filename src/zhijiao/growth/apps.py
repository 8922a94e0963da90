from django.apps import AppConfig


class GrowthConfig(AppConfig):
    name = "zhijiao.growth"
    label = "growth"
    verbose_name = "成长与体质健康"
