"""Delivery channels for reminders: one interface, in-app and a local outbox now, gateways later.

A channel gets the unread receipts of a notice and says how many it reached. ``InApp`` marks the receipts (the
person's space shows the notice again as 提醒); ``Outbox`` channels (e-mail, SMS, work chat) write one
:class:`OutboxMessage` per reachable account, which a gateway adapter would send; the demo keeps them. Which
channels run: ``settings.ZHIJIAO_NOTICE_CHANNELS`` (default in-app, e-mail and SMS).
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.db.models import F, QuerySet
from django.utils import timezone

from zhijiao.spaces.models import Notice, NoticeReceipt, OutboxMessage


class Channel(Protocol):
    name: str
    label: str

    def remind(self, notice: Notice, receipts: QuerySet[NoticeReceipt]) -> int: ...


class InApp:
    name = "inapp"
    label = "站内"

    def remind(self, notice: Notice, receipts: QuerySet[NoticeReceipt]) -> int:
        return receipts.update(reminded_at=timezone.now(), reminder_count=F("reminder_count") + 1)


class Outbox:
    """A channel without a gateway here: the message goes to the local outbox, addressed by ``field``."""

    def __init__(self, name: str, label: str, field: str) -> None:
        self.name, self.label, self.field = name, label, field

    def remind(self, notice: Notice, receipts: QuerySet[NoticeReceipt]) -> int:
        text = f"【智教】您有一条未读通知：{notice.title}。请登录智教查看。"[:500]
        rows = [
            OutboxMessage(channel=self.name, notice=notice, account_id=pk, address=address, text=text)
            for pk, address in receipts.exclude(**{f"account__{self.field}": ""}).values_list(
                "account_id", f"account__{self.field}"
            )
        ]
        OutboxMessage.objects.bulk_create(rows, batch_size=2000)
        return len(rows)


CHANNELS: dict[str, Channel] = {
    "inapp": InApp(),
    "email": Outbox("email", "邮件", "email"),
    "sms": Outbox("sms", "短信", "mobile"),
    "wechat": Outbox("wechat", "企业微信", "username"),
}


def channels_enabled() -> list[Channel]:
    names = getattr(settings, "ZHIJIAO_NOTICE_CHANNELS", ["inapp", "email", "sms"])
    return [CHANNELS[n] for n in names if n in CHANNELS]
