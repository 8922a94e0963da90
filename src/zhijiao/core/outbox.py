"""The platform's one outbox: queue a message, send it through its channel's sender.

Apps write messages with :func:`queue_message` (any channel, optionally held until ``send_after``: quiet hours are
the app's rule) or :func:`send_sms` (a text sent at once: sign-in codes, admission results). :func:`deliver_due`
hands a channel's due rows to its sender and marks each ``sent_at`` or ``error``; the job worker runs it after a
commit (:func:`deliver_soon`, :func:`outbox_send_task`) and every five minutes (:func:`outbox_drain_task`; the jobs
live here, ``core.tasks`` only registers them with the worker).

Senders are pluggable per channel: ``settings.ZHIJIAO_OUTBOX_SENDERS`` maps a channel to a dotted path (e-mail:
:class:`MailSender`, Django's mail backend; SMS: ``ZHIJIAO_SMS_SENDER``, a gateway adapter). A channel without one
uses :class:`LocalSender`: the row is only kept here ("local outbox only"), marked with sender ``outbox``, and is
never sent later even if a gateway is configured afterwards. A gateway adapter subclasses :class:`Sender` and
implements ``send(row)`` (raise to mark the row failed, raise :class:`SenderUnavailable` to leave the batch for
the next run).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cache, partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from zhijiao.core.models import OutboxMessage

logger = logging.getLogger("zhijiao.core.outbox")

BATCH = 200
LOCAL = "outbox"


class SenderUnavailable(Exception):
    """The gateway or mail server cannot be reached now: leave the rows for the next run."""


class Sender:
    """Sends rows of one channel. Subclasses set ``name`` and implement :meth:`send` (or :meth:`send_batch`)."""

    name = "sender"
    local = False

    def send(self, row: OutboxMessage) -> None:
        raise NotImplementedError

    def send_batch(self, rows: Sequence[OutboxMessage]) -> None:
        """Send each row, setting ``sent_at``/``sender`` or ``error`` on it; one failure does not stop the rest."""
        for row in rows:
            _mark(row, self.name, partial(self.send, row))


def _mark(row: OutboxMessage, name: str, send: Callable[[], object]) -> None:
    try:
        send()
    except SenderUnavailable:
        raise
    except Exception as exc:  # one bad address must not stop the batch
        row.error = str(exc)[:200] or exc.__class__.__name__
    else:
        row.sent_at, row.sender, row.error = timezone.now(), name, ""


class LocalSender(Sender):
    """No sender for the channel: the row stays in the outbox as its only record (the demo, tests, no gateway)."""

    name = LOCAL
    local = True

    def send(self, row: OutboxMessage) -> None:
        return None


class MailSender(Sender):
    """E-mail through Django's mail backend (SMTP when configured, files in the demo, locmem in tests), one
    connection per batch."""

    name = "email"

    def send_batch(self, rows: Sequence[OutboxMessage]) -> None:
        connection = get_connection(fail_silently=False)
        try:
            connection.open()
        except Exception as exc:  # the server is down: leave the rows for the next drain
            raise SenderUnavailable(f"邮件服务器无法连接：{exc}") from exc
        try:
            for row in rows:
                message = EmailMessage(
                    row.subject or "【智教】消息",
                    row.text,
                    settings.DEFAULT_FROM_EMAIL,
                    [row.address],
                    connection=connection,
                )
                _mark(row, self.name, message.send)
        finally:
            connection.close()


def senders_setting() -> dict[str, str]:
    """Channel → dotted path: ``ZHIJIAO_OUTBOX_SENDERS``, and SMS from ``ZHIJIAO_SMS_SENDER`` when set."""
    paths = dict(getattr(settings, "ZHIJIAO_OUTBOX_SENDERS", {}) or {})
    sms = getattr(settings, "ZHIJIAO_SMS_SENDER", "")
    if sms:
        paths["sms"] = sms
    return paths


@cache
def _sender_class(path: str) -> type[Sender]:
    return import_string(path)  # type: ignore[no-any-return]


def sender_for(channel: str) -> Sender:
    """The configured sender of ``channel``; :class:`LocalSender` when none is set."""
    path = senders_setting().get(channel, "")
    return _sender_class(path)() if path else LocalSender()


def queue_message(
    *,
    channel: str,
    address: str,
    text: str,
    subject: str = "",
    purpose: str = "",
    source: str = "",
    send_after: datetime | None = None,
) -> OutboxMessage:
    """An unsaved outbox row with every field cut to its column (callers save it or ``queue_many`` a list)."""
    return OutboxMessage(
        channel=channel[:16],
        address=address[:128],
        subject=subject[:120],
        text=text[:500],
        purpose=purpose[:32],
        source=source[:64],
        send_after=send_after,
    )


def queue_many(rows: Sequence[OutboxMessage], *, deliver: bool = True) -> int:
    """Write rows built by :func:`queue_message`. Due rows of a channel without a sender are marked kept (sender
    ``outbox``) as they are written; with ``deliver``, the other channels' due rows are sent after the commit by the
    job worker."""
    now = timezone.now()
    local = {c for c in {r.channel for r in rows} if sender_for(c).local}
    for row in rows:  # kept here only: marked as they are written, no job needed
        if row.channel in local and (row.send_after is None or row.send_after <= now):
            row.sent_at, row.sender = now, LOCAL
    OutboxMessage.objects.bulk_create(rows, batch_size=2000)
    if deliver:
        waiting = {r.channel for r in rows if r.sent_at is None and (r.send_after is None or r.send_after <= now)}
        for channel in sorted(waiting):
            deliver_soon(channel)
    return len(rows)


def deliver_soon(channel: str) -> None:
    """After the current transaction commits, the job worker sends ``channel``'s due rows."""
    transaction.on_commit(lambda: outbox_send_task(channel))


def send_sms(phone: str, text: str, purpose: str, *, source: str = "") -> OutboxMessage:
    """Send a text now: the row is written and handed to the SMS sender in this request (a sign-in code cannot
    wait for the worker). Without a gateway it is kept in the outbox only."""
    row = queue_message(channel="sms", address=phone, text=text, purpose=purpose, source=source)
    sender = sender_for("sms")
    if sender.local:
        row.sent_at, row.sender = timezone.now(), sender.name
        row.save()
        return row
    # written and sent in one transaction: the drain cannot see (and send) the row before its outcome is saved
    with transaction.atomic():
        row.save()
        try:
            sender.send_batch([row])
        except SenderUnavailable as exc:  # committed as pending: the drain sends it when the gateway is back
            logger.warning("短信网关无法连接：%s", exc)
            return row
        OutboxMessage.objects.filter(pk=row.pk).update(sent_at=row.sent_at, sender=row.sender, error=row.error)
    return row


def due(channel: str, now: datetime) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(
        Q(send_after__isnull=True) | Q(send_after__lte=now), channel=channel, sent_at__isnull=True, error=""
    )


def deliver_due(*, channel: str, now: datetime | None = None, limit: int = 2000) -> tuple[int, int]:
    """Send ``channel``'s due rows (up to ``limit``) through its sender; returns (sent, failed). A row is never sent
    twice: it is marked in the transaction that selected it, rows locked where the database can."""
    now = now or timezone.now()
    sender = sender_for(channel)
    if sender.local:  # kept here only: all of them in one statement
        return due(channel, now).update(sent_at=now, sender=LOCAL), 0
    sent = failed = 0
    while sent + failed < limit:
        with transaction.atomic():
            rows = list(
                due(channel, now)
                .select_for_update(skip_locked=True)
                .order_by("pk")[: min(BATCH, limit - sent - failed)]
            )
            if not rows:
                break
            try:
                sender.send_batch(rows)
            except SenderUnavailable as exc:
                logger.warning("%s", exc)
                break
            OutboxMessage.objects.bulk_update(rows, ["sent_at", "sender", "error"])
            ok = sum(1 for r in rows if r.sent_at is not None)
            sent, failed = sent + ok, failed + len(rows) - ok
    return sent, failed


def deliver_all_due(*, now: datetime | None = None) -> dict[str, tuple[int, int]]:
    """Every channel that has due rows (the periodic drain)."""
    now = now or timezone.now()
    channels = (
        OutboxMessage.objects.filter(
            Q(send_after__isnull=True) | Q(send_after__lte=now), sent_at__isnull=True, error=""
        )
        .values_list("channel", flat=True)
        .distinct()
    )
    return {channel: deliver_due(channel=channel, now=now) for channel in sorted(set(channels))}


@db_task(retries=2, retry_delay=30)
def outbox_send_task(channel: str) -> tuple[int, int]:
    """Send a channel's due outbox rows (after the commit that wrote them)."""
    return deliver_due(channel=channel)


@db_periodic_task(crontab(minute="*/5"))
def outbox_drain_task() -> dict[str, tuple[int, int]]:
    """Every five minutes: rows held over quiet hours, and any a down server or gateway left behind."""
    return deliver_all_due()
