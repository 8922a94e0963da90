"""The audit log: who saw or changed what, when, and from where. Rows are only ever added."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    actor_username = models.CharField("账号", max_length=150, blank=True)
    action = models.CharField("操作", max_length=64, db_index=True)  # e.g. person.view_pii, auth.login
    target_type = models.CharField("对象类型", max_length=32, blank=True)
    target_id = models.CharField("对象ID", max_length=64, blank=True)
    target_label = models.CharField("对象", max_length=128, blank=True)
    fields = models.JSONField("字段", default=list, blank=True)
    ip = models.GenericIPAddressField("来源IP", null=True, blank=True)
    user_agent = models.CharField("客户端", max_length=255, blank=True)
    channel = models.CharField("渠道", max_length=16, blank=True)  # web, api, cli

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.target_label}"
