from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "zhijiao.learning"
    label = "learning"
    verbose_name = "精准教学"

    def ready(self) -> None:
        from zhijiao.core.pupil_panels import pupil_panel_register
        from zhijiao.learning.reports_area import child_summary_panel, on_marks_changed
        from zhijiao.learning.signals import marks_changed

        # the pupil's learning summary on pages of apps that may not import this one (成长档案, 个人空间)
        pupil_panel_register("learning-summary", child_summary_panel)
        # the school and district reports keep their aggregates a few minutes: new marks drop them
        marks_changed.connect(on_marks_changed, dispatch_uid="learning-area-reports")
