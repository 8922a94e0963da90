from __future__ import annotations

from django.core.management.base import BaseCommand

from zhijiao.resources.indexing import index_dir, reindex_all, search_backend


class Command(BaseCommand):
    help = "从已发布的资源重建资源搜索索引"

    def handle(self, *args, **opts) -> None:
        n = reindex_all()
        total = search_backend().num_docs()
        self.stdout.write(
            self.style.SUCCESS(f"已重建资源搜索索引：索引 {n} 条已发布资源，索引中共 {total} 条（{index_dir()}）")
        )
