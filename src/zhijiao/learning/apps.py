from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "zhijiao.learning"
    label = "learning"
    verbose_name = "精准教学"

    def ready(self) -> None:
        from zhijiao.core.pupil_panels import pupil_panel_register
        from zhijiao.learning import reports_area, tasks
        from zhijiao.learning.signals import marks_changed

        # the pupil's learning summary on pages of apps that may not import this one (成长档案, 个人空间)
        pupil_panel_register("learning-summary", reports_area.child_summary_panel)
        # new marks: the school and district reports drop their cached aggregates, and a refit is queued
        marks_changed.connect(reports_area.on_marks_changed, dispatch_uid="learning-area-reports")
        marks_changed.connect(tasks.on_marks_changed, dispatch_uid="learning-diagnosis-refit")
