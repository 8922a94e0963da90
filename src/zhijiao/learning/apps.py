from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "zhijiao.learning"
    label = "learning"
    verbose_name = "精准教学"

    def ready(self) -> None:
        from zhijiao.learning import reports_area, space_panels, tasks
        from zhijiao.learning.signals import marks_changed

        # homework to do and the learning summary on the pupil's and their guardians' 网络学习空间 (core hook)
        space_panels.register()
        # new marks: the school and district reports drop their cached aggregates, and a refit is queued
        marks_changed.connect(reports_area.on_marks_changed, dispatch_uid="learning-area-reports")
        marks_changed.connect(tasks.on_marks_changed, dispatch_uid="learning-diagnosis-refit")
