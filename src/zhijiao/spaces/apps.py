from django.apps import AppConfig


class SpacesConfig(AppConfig):
    name = "zhijiao.spaces"
    label = "spaces"
    verbose_name = "个人空间与家校沟通"

    def ready(self) -> None:
        # The spaces' own panels, and their use as a warehouse table (core hooks; analytics sits below this app).
        from zhijiao.core.warehouse_sources import warehouse_source_register
        from zhijiao.spaces.homes import panels
        from zhijiao.spaces.homes.warehouse import TABLE, space_usage

        panels.register()
        warehouse_source_register(TABLE, space_usage)
