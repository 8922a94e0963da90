"""Delivery channels for reminders: one interface, in-app and a local outbox now, gateways later.

A channel gets the unread receipts of a notice and says how many it reached. ``InApp`` marks the receipts (the
person's space shows the notice again as 提醒); ``Outbox`` channels (e-mail, SMS, work chat) write one
:class:`OutboxMessage` per reachable account that has not opted out of the channel (``ChannelOptOut``), held until
07:00 when written in quiet hours (21:00–07:00, the same rule as 家校沟通 messages). ``Email`` really sends: after
commit its rows go out through Django's mail backend (SMTP when configured, files in the demo, locmem in tests) and
each row records ``sent_at`` or its ``error``; held rows go by the periodic drain. SMS and work chat stay with the
outbox, which a gateway adapter would drain the same way. Which channels run: ``settings.ZHIJIAO_NOTICE_CHANNELS``
(default in-app, e-mail and SMS).
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from zhijiao.spaces.contact.selectors import deliver_time
from zhijiao.spaces.homes.models import ChannelOptOut
from zhijiao.spaces.models import Notice, NoticeReceipt, OutboxMessage
from zhijiao.spaces.tasks import outbox_send_task


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

    def text(self, notice: Notice) -> str:
        return f"【智教】您有一条未读通知：{notice.title}。请登录智教查看。"[:500]

    def remind(self, notice: Notice, receipts: QuerySet[NoticeReceipt]) -> int:
        now = timezone.now()
        held = deliver_time(now)  # quiet hours: not before 07:00
        text = self.text(notice)
        opted_out = ChannelOptOut.objects.filter(channel=self.name).values("account_id")
        reachable = receipts.exclude(**{f"account__{self.field}": ""}).exclude(account_id__in=opted_out)
        rows = [
            OutboxMessage(
                channel=self.name,
                notice=notice,
                account_id=pk,
                address=address,
                text=text,
                send_after=held if held > now else None,
            )
            for pk, address in reachable.values_list("account_id", f"account__{self.field}")
        ]
        OutboxMessage.objects.bulk_create(rows, batch_size=2000)
        if rows and held <= now:
            self.after_write()
        return len(rows)

    def after_write(self) -> None:
        """A channel with a sender sends its new rows after commit; the outbox-only ones leave them."""


class Email(Outbox):
    """E-mail through Django's mail backend, the outbox row its record."""

    def text(self, notice: Notice) -> str:
        link = getattr(settings, "ZHIJIAO_PUBLIC_URL", "")
        where = f"请登录智教查看：{link}/space/notices/{notice.pk}/" if link else "请登录智教“我的空间”查看。"
        return f"您有一条未读通知：{notice.title}。{where}"[:500]

    def after_write(self) -> None:
        transaction.on_commit(lambda: outbox_send_task(self.name))


CHANNELS: dict[str, Channel] = {
    "inapp": InApp(),
    "email": Email("email", "邮件", "email"),
    "sms": Outbox("sms", "短信", "mobile"),
    "wechat": Outbox("wechat", "企业微信", "username"),
}


def channels_enabled() -> list[Channel]:
    names = getattr(settings, "ZHIJIAO_NOTICE_CHANNELS", ["inapp", "email", "sms"])
    return [CHANNELS[n] for n in names if n in CHANNELS]
