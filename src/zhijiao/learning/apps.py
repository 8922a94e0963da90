from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "zhijiao.learning"
    label = "learning"
    verbose_name = "精准教学"

    def ready(self) -> None:
        from zhijiao.learning.signals import marks_changed
        from zhijiao.learning.tasks import on_marks_changed

        marks_changed.connect(on_marks_changed, dispatch_uid="learning-diagnosis-refit")
