from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "zhijiao.intake"
    label = "intake"
    verbose_name = "数据采集与治理"

    def ready(self) -> None:
        # Consumers read the batches' facts through core, never by importing intake.
        from zhijiao.core.import_facts import ImportFacts, import_facts_provide
        from zhijiao.intake.selectors import last_reported, recent_figures

        import_facts_provide(ImportFacts(last_reported=last_reported, recent_figures=recent_figures))
