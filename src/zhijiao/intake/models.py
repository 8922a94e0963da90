"""Import batches, quarantined rows and the matching queues of the data centre's intake.

Every input row of a batch ends as exactly one of created / updated / unchanged / rejected, and the four
counts sum to ``rows_in``. Rejected rows (and accepted rows with warnings) are kept in :class:`QuarantineRow`
with the original values and every reason, so nothing a school sent is lost.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhijiao.core.events import RegistryKind

ImportKind = RegistryKind  # what a batch imports: one kind of registry record


class BatchStatus(models.TextChoices):
    PENDING = "pending", "排队中"
    RUNNING = "running", "处理中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"
    INTERRUPTED = "interrupted", "已中断"


class Channel(models.TextChoices):
    WEB = "web", "网页上传"
    CLI = "cli", "命令行"
    API = "api", "数据交换接口"
    REVIEW = "review", "比对裁定"


class ImportBatch(models.Model):
    kind = models.CharField("数据类型", max_length=16, choices=ImportKind.choices)
    status = models.CharField("状态", max_length=16, choices=BatchStatus.choices, default=BatchStatus.PENDING)
    channel = models.CharField("渠道", max_length=8, choices=Channel.choices, default=Channel.WEB)
    file_name = models.CharField("文件名", max_length=255, blank=True)
    file_path = models.CharField("存储路径", max_length=512, blank=True)
    file_sha256 = models.CharField("文件摘要", max_length=64, blank=True, db_index=True)
    school = models.ForeignKey(
        "org.School", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="限定学校"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    rows_in = models.PositiveIntegerField("读入行数", default=0)
    created = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("未变", default=0)
    rejected = models.PositiveIntegerField("拒收", default=0)
    warnings = models.PositiveIntegerField("警告行数", default=0)
    conflicts = models.PositiveIntegerField("待比对", default=0)
    stage = models.CharField("进度", max_length=64, blank=True)
    error = models.TextField("错误", blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done")
                | Q(rows_in=models.F("created") + models.F("updated") + models.F("unchanged") + models.F("rejected")),
                name="batch_counts_sum",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.file_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in (BatchStatus.DONE, BatchStatus.FAILED, BatchStatus.INTERRUPTED)

    @property
    def source(self) -> str:
        return f"import:{self.pk}"


class QuarantineRow(models.Model):
    """A row that was rejected, or accepted with warnings: its original values and every reason."""

    batch = models.ForeignKey(ImportBatch, models.CASCADE, related_name="quarantine")
    row_no = models.PositiveIntegerField("行号")  # the row number in the spreadsheet, header included
    rejected = models.BooleanField("拒收", default=True)
    raw = models.JSONField("原始数据")  # {header: value} exactly as read
    issues = models.JSONField("问题")  # [{"code", "severity", "field", "message"}]

    class Meta:
        verbose_name = "隔离行"
        verbose_name_plural = "隔离行"
        ordering = ["batch_id", "row_no"]
        indexes = [models.Index(fields=["batch", "rejected", "row_no"])]

    def __str__(self) -> str:
        return f"#{self.batch_id} 第{self.row_no}行"


class CaseKind(models.TextChoices):
    DUPLICATE_ENROLMENT = "duplicate_enrolment", "重复学籍"
    UNCERTAIN_MATCH = "uncertain_match", "疑似同一人"


class CaseStatus(models.TextChoices):
    OPEN = "open", "待处理"
    RESOLVED = "resolved", "已处理"


class Verdict(models.TextChoices):
    KEEP_EXISTING = "keep_existing", "保留原学校学籍"
    ACCEPT_INCOMING = "accept_incoming", "转入新学校"
    SAME_PERSON = "same_person", "是同一人"
    DIFFERENT_PERSON = "different_person", "不是同一人"


class MatchCase(models.Model):
    """A row the machine will not decide alone: a 重复学籍 conflict or an uncertain probabilistic match."""

    kind = models.CharField("类型", max_length=24, choices=CaseKind.choices)
    status = models.CharField("状态", max_length=12, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    batch = models.ForeignKey(ImportBatch, models.CASCADE, related_name="cases")
    row_no = models.PositiveIntegerField("行号")
    data = models.JSONField("导入数据")  # the row after normalisation, ready to import again once decided
    raw = models.JSONField("原始数据")
    key = models.CharField("比对键", max_length=64)  # the MatchDecision key this case will write
    person = models.ForeignKey("people.Person", models.CASCADE, related_name="+", verbose_name="已有人员")
    school = models.ForeignKey("org.School", models.CASCADE, related_name="+", verbose_name="导入学校")
    other_school = models.ForeignKey(
        "org.School", models.CASCADE, null=True, blank=True, related_name="+", verbose_name="在籍学校"
    )
    score = models.FloatField("匹配概率", null=True, blank=True)
    verdict = models.CharField("裁定", max_length=20, choices=Verdict.choices, blank=True)
    note = models.CharField("说明", max_length=255, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField("裁定时间", null=True, blank=True)
    created_at = models.DateTimeField("发现时间", auto_now_add=True)

    class Meta:
        verbose_name = "比对待办"
        verbose_name_plural = "比对待办"
        ordering = ["status", "-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class MatchDecision(models.Model):
    """A recorded verdict that later imports respect, so a decided question is never asked twice.

    ``key`` is ``enrol:<person id>:<school code>`` for 重复学籍 (who may enrol the person) and
    ``link:<fingerprint>`` for a probabilistic pair (name, birth date, sex and school of the incoming row).
    """

    key = models.CharField("比对键", max_length=64, unique=True)
    verdict = models.CharField("裁定", max_length=20, choices=Verdict.choices)
    person = models.ForeignKey("people.Person", models.CASCADE, related_name="+")
    case = models.ForeignKey(MatchCase, models.SET_NULL, null=True, blank=True, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField("裁定时间", auto_now_add=True)

    class Meta:
        verbose_name = "比对裁定"
        verbose_name_plural = "比对裁定"

    def __str__(self) -> str:
        return f"{self.key} → {self.get_verdict_display()}"
