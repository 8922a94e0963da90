from django.apps import AppConfig


class XapiConfig(AppConfig):
    name = "zhijiao.xapi"
    label = "xapi"
    verbose_name = "学习记录库（xAPI）"

    def ready(self) -> None:
        # the resource centre's usage events become the platform's own statements (core hook: resources, a layer
        # below, never imports this app)
        from zhijiao.core.learning_events import learning_subscribe
        from zhijiao.xapi.tasks import on_learning_event

        learning_subscribe("xapi-platform", on_learning_event)

        # each warehouse snapshot carries the statements, flattened (core hook: analytics, a layer below)
        from zhijiao.core.warehouse_sources import warehouse_source_register
        from zhijiao.xapi.warehouse import TABLE, learning_statements

        warehouse_source_register(TABLE, learning_statements)
