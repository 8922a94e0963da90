from django.apps import AppConfig


class SpacesConfig(AppConfig):
    name = "zhijiao.spaces"
    label = "spaces"
    verbose_name = "个人空间与家校沟通"

    def ready(self) -> None:
        # 综合素质评价 publicity → a notice to the class's guardians and teachers (core hook: growth, beside us)
        from zhijiao.core.growth_events import publicity_subscribe
        from zhijiao.spaces.publicity import publicity_notices_send

        publicity_subscribe("spaces-publicity", publicity_notices_send)

        # The spaces' own panels, and their use as a warehouse table (core hooks; analytics sits below this app).
        from zhijiao.core.warehouse_sources import warehouse_source_register
        from zhijiao.spaces.homes import panels
        from zhijiao.spaces.homes.warehouse import TABLE, space_usage

        panels.register()
        warehouse_source_register(TABLE, space_usage)
