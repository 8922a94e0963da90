"""The data resource catalogue (数据资源目录) and the quality scores of its datasets.

A :class:`Dataset` describes one registry dataset the way a 政务数据资源目录 does: what it holds (its
:class:`DataItem` rows, each tied to a JY/T field and, for coded fields, a national code table), who provides
it, on what terms it is shared and how often it must be refreshed. :class:`QualityScore` rows are written by
``catalogue.services.quality_refresh`` — one per dataset × school and one per dataset for the whole platform.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from zhijiao.catalogue.registry import standard_name
from zhijiao.core.events import RegistryKind


class Sharing(models.TextChoices):
    OPEN = "open", "无条件共享"
    CONDITIONAL = "conditional", "有条件共享"
    CLOSED = "closed", "不予共享"


ImportKindRef = RegistryKind  # the registry kind (and import kind) a dataset is fed by


class Dataset(models.Model):
    code = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=64)
    description = models.TextField("摘要", blank=True)
    format = models.CharField("格式", max_length=64, default="结构化数据（Excel/CSV/API）")
    provider = models.CharField("提供单位", max_length=64)
    sharing = models.CharField("共享条件", max_length=16, choices=Sharing.choices, default=Sharing.CONDITIONAL)
    sharing_note = models.CharField("共享条件说明", max_length=255, blank=True)
    update_method = models.CharField("更新方式", max_length=64, blank=True)
    update_cycle_days = models.PositiveSmallIntegerField("更新周期（天）", default=30)
    update_cycle = models.CharField("更新周期", max_length=16, default="每月")
    import_kind = models.CharField(
        "导入类型", max_length=16, choices=ImportKindRef.choices, blank=True, help_text="数据采集时使用的导入模板"
    )
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "数据集"
        verbose_name_plural = "数据集"
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(update_cycle_days__gt=0), name="dataset_cycle_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class DataItem(models.Model):
    dataset = models.ForeignKey(Dataset, models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField("排序", default=0)
    name = models.CharField("数据项名称", max_length=64)
    field = models.CharField("字段", max_length=64)
    standard = models.CharField("标准", max_length=64, blank=True)  # e.g. JY/T 1002 XSJBSJ
    code_table = models.CharField("代码表", max_length=32, blank=True)  # a table in zhijiao.core.codes, or ""
    required = models.BooleanField("必填", default=False)
    personal = models.BooleanField("个人信息", default=False, help_text="按角色脱敏显示的个人信息")

    class Meta:
        verbose_name = "数据项"
        verbose_name_plural = "数据项"
        ordering = ["dataset_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "field"], name="dataitem_unique_field"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id}.{self.field}"

    @property
    def standard_name(self) -> str:
        """The standard in words (学生基本数据) for the catalogue page; ``standard`` keeps the code."""
        return standard_name(self.standard)


class QualityScore(models.Model):
    """One dataset's quality at one school (``school`` null: the whole platform) at one moment.

    The counts are kept beside the percentages so scores for any set of schools (a district, a city) can be
    pooled exactly: completeness = Σfilled / Σcells, record validity = Σvalid_records / Σrecords.
    """

    dataset = models.ForeignKey(Dataset, models.CASCADE, related_name="scores")
    school = models.ForeignKey("org.School", models.CASCADE, null=True, blank=True, related_name="+")
    computed_at = models.DateTimeField("计算时间", db_index=True)
    completeness = models.FloatField("完整性", default=0)
    validity = models.FloatField("有效性", default=0)
    timeliness = models.FloatField("及时性", default=0)
    score = models.FloatField("综合得分", default=0)
    records = models.PositiveIntegerField("记录数", default=0)
    cells = models.PositiveIntegerField("应填项数", default=0)
    filled = models.PositiveIntegerField("已填项数", default=0)
    valid_records = models.PositiveIntegerField("通过校验记录数", default=0)
    batch_rows = models.PositiveIntegerField("近期导入行数", default=0)
    batch_rejected = models.PositiveIntegerField("近期拒收行数", default=0)
    last_updated = models.DateTimeField("最近更新", null=True, blank=True)
    detail = models.JSONField("明细", default=dict)

    class Meta:
        verbose_name = "数据质量得分"
        verbose_name_plural = "数据质量得分"
        ordering = ["-computed_at", "dataset_id", "school_id"]
        indexes = [models.Index(fields=["dataset", "computed_at"])]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "school", "computed_at"], name="quality_unique_run"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=100), name="quality_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id}@{self.school_id or '全区'} {self.score:.1f}"
