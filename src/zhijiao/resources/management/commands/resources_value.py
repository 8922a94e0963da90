from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from zhijiao.resources.indexing import index_resources
from zhijiao.resources.models import Resource, ResourceStatus
from zhijiao.resources.value import value_recompute_changed


class Command(BaseCommand):
    help = "重新计算已发布资源的评分、收藏、使用次数与价值分（resources.value），并更新搜索索引中变化的资源"

    def add_arguments(self, parser) -> None:
        parser.add_argument("ids", nargs="*", type=int, help="只计算这些资源编号（默认全部已发布资源）")
        parser.add_argument("--no-index", action="store_true", help="不更新搜索索引")

    def handle(self, *args, **opts) -> None:
        started = time.perf_counter()
        changed = value_recompute_changed(ids=opts["ids"] or None)
        if not opts["no_index"]:
            for start in range(0, len(changed), 1000):
                index_resources(changed[start : start + 1000])
        total = len(opts["ids"]) if opts["ids"] else Resource.objects.filter(status=ResourceStatus.PUBLISHED).count()
        took = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"价值分已重新计算：{total} 条已发布资源，其中 {len(changed)} 条有变化（用时 {took:.1f} 秒）"
            )
        )
