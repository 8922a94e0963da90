"""Huey jobs of the spaces app, thin: they call the fan-out."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from zhijiao.spaces.delivery import outbox_send
from zhijiao.spaces.fanout import receipts_write

logger = logging.getLogger("zhijiao.spaces")


@db_task(retries=2, retry_delay=10)
def notice_fanout_task(notice_id: int) -> int:
    """Deliver a published notice to a large audience (a school, a district) in the background."""
    written = receipts_write(notice_id)
    logger.info("notice %s: %s receipts written", notice_id, written)
    return written


@db_task(retries=2, retry_delay=30)
def outbox_send_task(channel: str = "email") -> tuple[int, int]:
    """Send a channel's due outbox rows (after a reminder's commit)."""
    return outbox_send(channel=channel)


@db_periodic_task(crontab(minute="*/5"))
def outbox_drain_task() -> tuple[int, int]:
    """Every five minutes: the rows held over quiet hours, and any a down mail server left behind."""
    return outbox_send(channel="email")
