from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "zhijiao.learning"
    label = "learning"
    verbose_name = "精准教学"
