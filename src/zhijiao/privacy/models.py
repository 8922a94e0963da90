"""Minors' personal data (PIPL art. 28–31): the bureau's consent policy and guardians' consent records.

A consent row is never rewritten: withdrawing sets ``withdrawn_at`` and ``withdrawn_by``, and a later
consent for the same child and app is a new row, so the whole history stays readable.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class ConsentPolicy(models.Model):
    """A bureau's rule for its division's subtree; the policy on the nearest division above a school wins."""

    division = models.OneToOneField(
        "org.Division", models.CASCADE, related_name="consent_policy", verbose_name="行政区划"
    )
    require_app_consent = models.BooleanField("第三方应用须经监护人同意", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="更新人"
    )

    class Meta:
        verbose_name = "未成年人数据授权策略"
        verbose_name_plural = "未成年人数据授权策略"

    def __str__(self) -> str:
        return f"{self.division_id} {'须同意' if self.require_app_consent else '无需同意'}"


class GuardianConsent(models.Model):
    """A guardian's consent for one app (or, with no app, every platform service) to receive a child's data."""

    student = models.ForeignKey("people.Student", models.CASCADE, related_name="guardian_consents")
    guardian = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="监护人账号")
    # None: "all platform services" — every app the child may use.
    app = models.ForeignKey(
        "oidc.RegisteredApp", models.CASCADE, null=True, blank=True, related_name="+", verbose_name="应用"
    )
    scopes = models.JSONField("授权范围", default=list, blank=True)
    granted_at = models.DateTimeField("同意时间", auto_now_add=True)
    granted_ip = models.GenericIPAddressField("同意来源IP", null=True, blank=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="撤回人"
    )
    withdrawn_ip = models.GenericIPAddressField("撤回来源IP", null=True, blank=True)

    class Meta:
        verbose_name = "监护人同意记录"
        verbose_name_plural = "监护人同意记录"
        ordering = ["-granted_at", "-id"]
        indexes = [models.Index(fields=["student", "app"], name="consent_student_app")]
        constraints = [
            # one active consent per child and app (NULL app = all services, counted once too)
            models.UniqueConstraint(
                fields=["student", "app"],
                condition=Q(withdrawn_at__isnull=True, app__isnull=False),
                name="consent_one_active_per_app",
            ),
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(withdrawn_at__isnull=True, app__isnull=True),
                name="consent_one_active_all_services",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} → {self.app_id or '全部服务'}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None
