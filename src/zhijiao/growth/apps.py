from django.apps import AppConfig


class GrowthConfig(AppConfig):
    name = "zhijiao.growth"
    label = "growth"
    verbose_name = "成长与体质健康"

    def ready(self) -> None:
        # 健康档案, 体质健康 and 综合素质评价 in each warehouse snapshot (core hook: analytics, a layer below)
        from zhijiao.core.warehouse_sources import warehouse_source_register
        from zhijiao.growth.warehouse import READERS

        for table, reader in READERS.items():
            warehouse_source_register(table, reader)
