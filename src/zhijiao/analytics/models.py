"""The warehouse's record of its snapshots; the Parquet files themselves live under ``$ZHIJIAO_HOME/warehouse``."""

from __future__ import annotations

from django.db import models


class SnapshotTrigger(models.TextChoices):
    CLI = "cli", "命令行"
    IMPORT = "import", "导入后"
    NIGHTLY = "nightly", "夜间定时"
    DEMO = "demo", "演示数据"


class Snapshot(models.Model):
    """One dated copy of the registry as Parquet. Taking another the same day replaces it (same row, new files)."""

    taken_on = models.DateField("快照日期", unique=True)  # the Beijing date the snapshot describes
    taken_at = models.DateTimeField("生成时间")
    path = models.CharField("目录", max_length=500)
    rows = models.JSONField("行数", default=dict)  # table name -> rows written
    duration_ms = models.PositiveIntegerField("用时（毫秒）", default=0)
    trigger = models.CharField("触发方式", max_length=16, choices=SnapshotTrigger.choices, default=SnapshotTrigger.CLI)

    class Meta:
        verbose_name = "数据仓库快照"
        verbose_name_plural = "数据仓库快照"
        ordering = ["-taken_on"]

    def __str__(self) -> str:
        return f"{self.taken_on:%Y-%m-%d}"
