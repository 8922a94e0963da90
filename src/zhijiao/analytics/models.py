"""The warehouse's record of its snapshots; the Parquet files themselves live under ``$ZHIJIAO_HOME/warehouse``."""

from __future__ import annotations

from django.db import models


class SnapshotTrigger(models.TextChoices):
    CLI = "cli", "命令行"
    IMPORT = "import", "导入后"
    NIGHTLY = "nightly", "夜间定时"
    DEMO = "demo", "演示数据"
    ON_DEMAND = "on_demand", "查看时补生成"  # a statistics page found none (zhijiao.analytics.views_pending)


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


# ------------------------------------------------------------------------------------------ plan indicators
class IndicatorUnit(models.TextChoices):
    RATIO = "ratio", "比值"
    PERCENT = "percent", "百分比"
    COUNT = "count", "个数"


class IndicatorDirection(models.TextChoices):
    HIGHER = "higher", "越高越好"
    LOWER = "lower", "越低越好"


class IndicatorBasis(models.TextChoices):
    """Where a school's value comes from: reported as is, or the registry's headcount divided by a reported number
    (生机比 = 在读学生 ÷ 学生用计算机台数; 师机比 = 专任教师 ÷ 教师用计算机台数)."""

    REPORTED = "reported", "学校直接填报"
    STUDENTS_PER = "students_per", "在读学生数 ÷ 填报数"
    TEACHERS_PER = "teachers_per", "专任教师数 ÷ 填报数"


class Indicator(models.Model):
    """A plan indicator (规划指标) a bureau tracks across the schools of its division."""

    code = models.SlugField("指标代码", max_length=32, unique=True)
    name = models.CharField("指标名称", max_length=64)
    unit = models.CharField("计量方式", max_length=8, choices=IndicatorUnit.choices)
    unit_label = models.CharField("单位", max_length=16, blank=True)  # 生/台, %, 个
    direction = models.CharField("方向", max_length=8, choices=IndicatorDirection.choices)
    basis = models.CharField("取值方式", max_length=16, choices=IndicatorBasis.choices, default=IndicatorBasis.REPORTED)
    reported_label = models.CharField("填报项", max_length=64, blank=True)  # what the school types in
    division = models.ForeignKey("org.Division", models.PROTECT, null=True, blank=True, related_name="+")
    school_types = models.JSONField("填报学校的办学类型", default=list, blank=True)  # empty: every school in scope
    description = models.CharField("说明", max_length=255, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "规划指标"
        verbose_name_plural = "规划指标"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class IndicatorTarget(models.Model):
    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField("年份")
    value = models.FloatField("目标值")

    class Meta:
        verbose_name = "指标年度目标"
        verbose_name_plural = "指标年度目标"
        ordering = ["indicator", "year"]
        constraints = [models.UniqueConstraint(fields=["indicator", "year"], name="indicator_target_unique_year")]

    def __str__(self) -> str:
        return f"{self.year}: {self.value:g}"


class IndicatorValue(models.Model):
    """One school's value for one year: what it reported and, for registry-based indicators, the headcount used."""

    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="values")
    school = models.ForeignKey("org.School", models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("年份")
    reported = models.FloatField("填报数")
    headcount = models.PositiveIntegerField("名册人数", null=True, blank=True)
    value = models.FloatField("指标值", null=True, blank=True)  # null: a headcount over a reported zero
    source = models.CharField("来源", max_length=8, default="form")  # form, import, demo
    reported_by = models.ForeignKey("identity.Account", models.SET_NULL, null=True, blank=True, related_name="+")
    reported_at = models.DateTimeField("填报时间")

    class Meta:
        verbose_name = "指标填报值"
        verbose_name_plural = "指标填报值"
        constraints = [
            models.UniqueConstraint(fields=["indicator", "school", "year"], name="indicator_value_unique_school_year"),
            models.CheckConstraint(condition=models.Q(reported__gte=0), name="indicator_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.school_id}/{self.year}"


# ------------------------------------------------------------------------------------------ early warnings
class WarningKind(models.TextChoices):
    LARGE_CLASS = "large_class", "大班额"
    VERY_LARGE_CLASS = "very_large_class", "超大班额"
    STAFFING = "staffing", "教职工配备不足"
    STALE = "stale", "数据长期未更新"
    QUALITY = "quality", "数据质量偏低"
    INDICATOR = "indicator", "规划指标未达标"


class WarningRule(models.Model):
    """A rule's threshold for a division's subtree (null division: the whole platform); the deepest rule wins."""

    kind = models.CharField("预警类型", max_length=20, choices=WarningKind.choices)
    division = models.ForeignKey("org.Division", models.CASCADE, null=True, blank=True, related_name="+")
    threshold = models.FloatField("阈值")
    enabled = models.BooleanField("启用", default=True)
    updated_by = models.ForeignKey("identity.Account", models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "预警规则"
        verbose_name_plural = "预警规则"
        constraints = [
            models.UniqueConstraint(fields=["kind", "division"], name="warning_rule_unique_node"),
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(division__isnull=True), name="warning_rule_unique_platform"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.division_id or '*'} {self.threshold:g}"


class WarningStatus(models.TextChoices):
    OPEN = "open", "待处理"
    ACKNOWLEDGED = "acknowledged", "已确认"
    RESOLVED = "resolved", "已解除"


class EarlyWarning(models.Model):
    """One condition at one school (``subject``: the indicator's code for indicator warnings, else ""); the same
    row is reopened when a resolved condition returns, so its history stays in one place."""

    kind = models.CharField("预警类型", max_length=20, choices=WarningKind.choices)
    school = models.ForeignKey("org.School", models.CASCADE, related_name="+")
    subject = models.CharField("对象", max_length=32, blank=True)
    rule = models.ForeignKey(WarningRule, models.SET_NULL, null=True, blank=True, related_name="warnings")
    measured = models.FloatField("实测值", null=True, blank=True)
    threshold = models.FloatField("阈值", null=True, blank=True)
    detail = models.CharField("说明", max_length=255, blank=True)
    status = models.CharField("状态", max_length=16, choices=WarningStatus.choices, default=WarningStatus.OPEN)
    owner = models.ForeignKey("identity.Account", models.SET_NULL, null=True, blank=True, related_name="+")
    first_seen = models.DateTimeField("首次发现")
    last_seen = models.DateTimeField("最近发现")
    resolved_at = models.DateTimeField("解除时间", null=True, blank=True)

    class Meta:
        verbose_name = "预警"
        verbose_name_plural = "预警"
        ordering = ["-last_seen", "-pk"]
        indexes = [models.Index(fields=["status", "kind"])]
        constraints = [
            models.UniqueConstraint(fields=["kind", "school", "subject"], name="warning_unique_condition"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.school_id} {self.subject}".strip()


class WarningEvent(models.Model):
    """A warning's history: every status change and assignment, by whom (null: the evaluation job), with a note."""

    warning = models.ForeignKey(EarlyWarning, models.CASCADE, related_name="events")
    at = models.DateTimeField("时间")
    actor = models.ForeignKey("identity.Account", models.SET_NULL, null=True, blank=True, related_name="+")
    action = models.CharField(
        "操作", max_length=16
    )  # opened, reopened, acknowledged, resolved, auto_resolved, assigned
    from_status = models.CharField("原状态", max_length=16, blank=True)
    to_status = models.CharField("新状态", max_length=16, blank=True)
    note = models.CharField("备注", max_length=500, blank=True)

    class Meta:
        verbose_name = "预警处理记录"
        verbose_name_plural = "预警处理记录"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"
