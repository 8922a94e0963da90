from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _sync_catalogue(sender, using: str = "default", **kwargs) -> None:
    """Keep the registry's catalogue entries present after ``migrate`` and after ``flush`` (which empties every
    table, seed data included, and then sends post_migrate) — the way Django restores content types."""
    if "catalogue_dataitem" not in connections[using].introspection.table_names():
        return  # migrated backwards past the catalogue
    from zhijiao.catalogue.services import catalogue_sync

    catalogue_sync(using=using)


class CatalogueConfig(AppConfig):
    name = "zhijiao.catalogue"
    label = "catalogue"
    verbose_name = "数据资源目录"

    def ready(self) -> None:
        post_migrate.connect(_sync_catalogue, sender=self, dispatch_uid="zhijiao.catalogue.sync")
        from zhijiao.catalogue.tasks import quality_on_registry_change
        from zhijiao.core.events import registry_subscribe

        registry_subscribe("catalogue.quality", quality_on_registry_change)
