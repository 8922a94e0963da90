from django.apps import AppConfig


class CurriculumConfig(AppConfig):
    name = "zhijiao.curriculum"
    label = "curriculum"
    verbose_name = "课程体系"
