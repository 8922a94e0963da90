"""Sending what the outbox holds for a channel with a sender (e-mail): due rows — not sent, not failed, past their
quiet-hours hold — go out through Django's mail backend on one connection, each row marked ``sent_at`` or with its
``error``. A failure of one address does not stop the others; a row is never sent twice (it is marked in the same
transaction that selected it, rows locked where the database can)."""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhijiao.spaces.models import OutboxMessage

logger = logging.getLogger("zhijiao.spaces")

BATCH = 200


def _subject(row: OutboxMessage) -> str:
    return f"【智教】未读通知提醒：{row.notice.title}"[:120]


def outbox_send(*, channel: str = "email", now: datetime | None = None, limit: int = 2000) -> tuple[int, int]:
    """Send the channel's due rows (up to ``limit``); returns (sent, failed)."""
    if channel != "email":
        return 0, 0  # SMS and work chat have no gateway here: their rows wait in the outbox
    now = now or timezone.now()
    sent = failed = 0
    while sent + failed < limit:
        with transaction.atomic():
            rows = list(
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(
                    Q(send_after__isnull=True) | Q(send_after__lte=now), channel=channel, sent_at__isnull=True, error=""
                )
                .select_related("notice")
                .order_by("pk")[: min(BATCH, limit - sent - failed)]
            )
            if not rows:
                break
            connection = get_connection(fail_silently=False)
            try:
                connection.open()
            except Exception as exc:  # the server is down: leave the rows for the next drain
                logger.warning("邮件服务器无法连接：%s", exc)
                break
            try:
                for row in rows:
                    message = EmailMessage(
                        _subject(row), row.text, settings.DEFAULT_FROM_EMAIL, [row.address], connection=connection
                    )
                    try:
                        message.send()
                    except Exception as exc:  # one bad address must not stop the batch
                        row.error = str(exc)[:200] or exc.__class__.__name__
                        failed += 1
                    else:
                        row.sent_at = timezone.now()
                        sent += 1
            finally:
                connection.close()
            OutboxMessage.objects.bulk_update(rows, ["sent_at", "error"])
    return sent, failed
