"""网上办事: the admission lottery (公民同招 电脑派位) of one school for one year.

A draw moves 已公示名单 → 已抽签 → 已公布 and never back. What is stored is exactly what is published: the canonical
applicant list (application numbers and masked names, never ID numbers), its hash and the commitment (fixed at
creation, so the list cannot change after it), then the notary's public input and the four result files byte for
byte, so the public pages serve the same bytes ``zhijiao lottery verify`` checks. Procedure: ``services.lottery``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhijiao.org.models import School


class DrawStatus(models.TextChoices):
    COMMITTED = "committed", "已公示名单"
    DRAWN = "drawn", "已抽签"
    PUBLISHED = "published", "已公布"


class LotteryDraw(models.Model):
    school = models.ForeignKey(School, models.PROTECT, related_name="lottery_draws", verbose_name="学校")
    year = models.PositiveSmallIntegerField("招生年份")
    title = models.CharField("名称", max_length=128)
    seats = models.PositiveIntegerField("招生名额")
    input_plan = models.CharField("公开数据来源（事先公告）", max_length=255)
    status = models.CharField("状态", max_length=16, choices=DrawStatus.choices, default=DrawStatus.COMMITTED)
    procedure_version = models.CharField("程序版本", max_length=32)
    applicants_csv = models.TextField("规范名单")
    applicants_count = models.PositiveIntegerField("申请人数")
    applicants_sha256 = models.CharField("名单 SHA-256", max_length=64)
    commitment = models.CharField("承诺值", max_length=64)
    committed_at = models.DateTimeField("公示时间")
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="公示人"
    )
    public_input = models.CharField("公开数据", max_length=255, blank=True)
    public_input_key = models.CharField("种子串", max_length=255, blank=True)
    notary = models.CharField("公证人员", max_length=64, blank=True)
    seed = models.CharField("种子", max_length=64, blank=True)
    inputs_json = models.TextField("inputs.json", blank=True)
    result_csv = models.TextField("result.csv", blank=True)
    sums = models.TextField("SHA256SUMS", blank=True)
    drawn_at = models.DateTimeField("抽签时间", null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="操作人"
    )
    published_at = models.DateTimeField("公布时间", null=True, blank=True)

    class Meta:
        verbose_name = "电脑派位"
        verbose_name_plural = "电脑派位"
        ordering = ["-year", "school__code"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="services_draw_school_year"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="services_draw_seats_positive"),
            # drawn or published ⇒ the result and its inputs are there; published ⇒ it was drawn first
            models.CheckConstraint(
                condition=Q(status=DrawStatus.COMMITTED)
                | (~Q(result_csv="") & ~Q(public_input="") & Q(drawn_at__isnull=False)),
                name="services_draw_has_result",
            ),
            models.CheckConstraint(
                condition=~Q(status=DrawStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="services_draw_published_at",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def files(self) -> dict[str, bytes]:
        """The published files, byte for byte (only once drawn)."""
        return {
            "applicants.csv": self.applicants_csv.encode("utf-8"),
            "inputs.json": self.inputs_json.encode("utf-8"),
            "result.csv": self.result_csv.encode("utf-8"),
            "SHA256SUMS": self.sums.encode("utf-8"),
        }
