"""Platform-wide primitives that belong to no single domain."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class FeedCounter(models.Model):
    """The change feed's clock: one row whose value is the last sequence number handed out.

    Writers take numbers inside their own transaction, so the row lock orders feed numbers the same way
    commits happen and a reader paging by ``feed_seq > cursor`` never skips a record committed later.
    """

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "变更序号"
        verbose_name_plural = "变更序号"

    def __str__(self) -> str:
        return str(self.value)


class FeedMixin(models.Model):
    """Lineage and change-feed columns for registry records.

    ``origin`` names where the record was created (``import:12#45`` = batch 12, row 45; ``web``; ``api``;
    ``demo``); later changes are in ``people.ChangeRecord``. ``feed_seq`` is the change-feed position of the
    record's latest write.
    """

    origin = models.CharField("来源", max_length=64, blank=True)
    feed_seq = models.BigIntegerField("变更序号", default=0, db_index=True)

    class Meta:
        abstract = True


class OutboxMessage(models.Model):
    """One outgoing message (a text, an e-mail, a work-chat note): the platform's single outbox.

    Every app writes here through :mod:`zhijiao.core.outbox` (``send_sms``, ``queue_message``); ``deliver_due``
    hands due rows to the channel's sender. A row is pending until ``send_after`` (quiet hours, set by the app) and
    then either ``sent_at`` (with the ``sender`` that took it: a gateway, the mail backend, or ``outbox`` when the
    channel has no sender and the row is only kept here) or ``error``. ``source`` names what the message is about
    as a plain string (``spaces.notice:123``, ``services.admission``), never a foreign key into an app.
    """

    channel = models.CharField("渠道", max_length=16)
    address = models.CharField("地址", max_length=128)
    subject = models.CharField("标题", max_length=120, blank=True, default="")
    text = models.CharField("内容", max_length=500)
    purpose = models.CharField("用途", max_length=32, blank=True, default="")
    source = models.CharField("来源", max_length=64, blank=True, default="")
    created_at = models.DateTimeField("时间", default=timezone.now)
    send_after = models.DateTimeField("最早发送", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    sender = models.CharField("发送通道", max_length=32, blank=True, default="")
    error = models.CharField("发送失败原因", max_length=200, blank=True, default="")

    class Meta:
        verbose_name = "待发消息"
        verbose_name_plural = "待发消息"
        ordering = ["-created_at", "-id"]
        indexes = [
            # what is due on a channel: sent_at is null and error = '' and (send_after is null or <= now)
            models.Index(fields=["channel", "sent_at", "send_after"], name="core_outbox_due"),
            # the pages: a channel's newest rows, an app's rows (source prefix), one number's texts
            models.Index(fields=["channel", "-created_at"], name="core_outbox_channel"),
            models.Index(fields=["source", "channel"], name="core_outbox_source"),
            models.Index(fields=["address", "-created_at"], name="core_outbox_address"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}: {self.address}"
