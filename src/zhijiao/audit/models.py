"""The audit log: who saw or changed what, when, and from where. Rows are only ever added.

Rows form a hash chain (see :mod:`zhijiao.audit.chain`); ``audit_record`` is the only writer.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from zhijiao.audit.chain import GENESIS
from zhijiao.audit.errors import AuditError
from zhijiao.core.errors import ZhijiaoError


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
    prev_hash = models.CharField("前一条哈希", max_length=64, blank=True)
    hash = models.CharField("哈希", max_length=64, blank=True)  # empty only inside the inserting transaction

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.target_label}"

    # A guard rail, not the rule: the chain (checked by ``audit_chain_verify``) is what makes tampering
    # visible; this only stops application code from rewriting or removing an event by accident.
    # QuerySet.update/delete bypass it on purpose: sealing the hash and pruning use them.
    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ZhijiaoError(AuditError.AUDIT_APPEND_ONLY, status=409)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ZhijiaoError(AuditError.AUDIT_APPEND_ONLY, status=409)


class AuditChainHead(models.Model):
    """One row (pk=1): the chain's newest link and its anchor.

    Appending locks this row, so two writers never chain onto the same predecessor and chain order is
    commit order. ``last_*`` lets verification notice events cut off the end; ``anchor_*`` is the last
    event removed by retention pruning, from which the surviving chain starts.
    """

    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS)
    anchor_id = models.BigIntegerField(default=0)
    anchor_hash = models.CharField(max_length=64, default=GENESIS)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return f"#{self.last_id} {self.last_hash[:12]}"
