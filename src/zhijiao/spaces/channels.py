"""Delivery channels for reminders: one interface, in-app and a local outbox now, gateways later.

A channel gets the unread receipts of a notice and says how many it reached. ``InApp`` marks the receipts (the
person's space shows the notice again as 提醒); ``Outbox`` channels (e-mail, SMS, work chat) queue one message in
the platform's outbox (``core.outbox``, source ``spaces.notice:<id>``) per reachable account that has not opted out
of the channel (``ChannelOptOut``), held until 07:00 when written in quiet hours (21:00–07:00, the same rule as
家校沟通 messages: the quiet-hours rule is this app's, the outbox only honours ``send_after``). After commit the job
worker hands due rows to the channel's sender (e-mail: Django's mail backend — SMTP when configured, files in the
demo, locmem in tests; SMS: the gateway of ``ZHIJIAO_SMS_SENDER``; without a sender the row is kept in the outbox
only) and each row records ``sent_at`` or its ``error``; held rows go by the periodic drain. Which channels run:
``settings.ZHIJIAO_NOTICE_CHANNELS`` (default in-app, e-mail and SMS).
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.db.models import F, QuerySet
from django.utils import timezone

from zhijiao.core.outbox import queue_many, queue_message
from zhijiao.spaces.contact.selectors import deliver_time
from zhijiao.spaces.homes.models import ChannelOptOut
from zhijiao.spaces.models import Notice, NoticeReceipt

PURPOSE = "未读通知提醒"


def notice_source(notice_id: int) -> str:
    """The outbox's reference to a notice."""
    return f"spaces.notice:{notice_id}"


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
    """A channel through the platform's outbox, addressed by the account's ``field``."""

    def __init__(self, name: str, label: str, field: str) -> None:
        self.name, self.label, self.field = name, label, field

    def text(self, notice: Notice) -> str:
        return f"【智教】您有一条未读通知：{notice.title}。请登录智教查看。"[:500]

    def subject(self, notice: Notice) -> str:
        return ""

    def remind(self, notice: Notice, receipts: QuerySet[NoticeReceipt]) -> int:
        now = timezone.now()
        held = deliver_time(now)  # quiet hours: not before 07:00
        text, subject, source = self.text(notice), self.subject(notice), notice_source(notice.pk)
        opted_out = ChannelOptOut.objects.filter(channel=self.name).values("account_id")
        reachable = receipts.exclude(**{f"account__{self.field}": ""}).exclude(account_id__in=opted_out)
        rows = [
            queue_message(
                channel=self.name,
                address=address,
                text=text,
                subject=subject,
                purpose=PURPOSE,
                source=source,
                send_after=held if held > now else None,
            )
            for address in reachable.values_list(f"account__{self.field}", flat=True)
        ]
        return queue_many(rows)  # due rows go to the channel's sender after commit


class Email(Outbox):
    """E-mail through Django's mail backend, the outbox row its record."""

    def text(self, notice: Notice) -> str:
        link = getattr(settings, "ZHIJIAO_PUBLIC_URL", "")
        where = f"请登录智教查看：{link}/space/notices/{notice.pk}/" if link else "请登录智教“我的空间”查看。"
        return f"您有一条未读通知：{notice.title}。{where}"[:500]

    def subject(self, notice: Notice) -> str:
        return f"【智教】未读通知提醒：{notice.title}"[:120]


CHANNELS: dict[str, Channel] = {
    "inapp": InApp(),
    "email": Email("email", "邮件", "email"),
    "sms": Outbox("sms", "短信", "mobile"),
    "wechat": Outbox("wechat", "企业微信", "username"),
}


def channels_enabled() -> list[Channel]:
    names = getattr(settings, "ZHIJIAO_NOTICE_CHANNELS", ["inapp", "email", "sms"])
    return [CHANNELS[n] for n in names if n in CHANNELS]
