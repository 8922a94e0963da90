"""Huey jobs of the outbox (``core.outbox``): send a channel after a commit, and drain every five minutes."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from zhijiao.core.outbox import deliver_all_due, deliver_due


@db_task(retries=2, retry_delay=30)
def outbox_send_task(channel: str) -> tuple[int, int]:
    """Send a channel's due outbox rows (after the commit that wrote them)."""
    return deliver_due(channel=channel)


@db_periodic_task(crontab(minute="*/5"))
def outbox_drain_task() -> dict[str, tuple[int, int]]:
    """Every five minutes: rows held over quiet hours, and any a down server or gateway left behind."""
    return deliver_all_due()
