from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "zhijiao.people"
    label = "people"
    verbose_name = "人员"
