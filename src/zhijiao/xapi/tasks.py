"""Background jobs of the learning record store: the platform's own statements, and retention."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from zhijiao.core.learning_events import LearningEvent
from zhijiao.xapi.operate import retention_apply
from zhijiao.xapi.platform import platform_statements_write

logger = logging.getLogger("zhijiao.xapi")


@db_task()
def platform_statement_task(event: LearningEvent) -> None:
    """The statement of one usage event (a view, a download, a play's progress), written by the worker."""
    platform_statements_write([event])


def on_learning_event(event: LearningEvent) -> None:
    """Subscriber of ``core.learning_events``: queue the statement for the worker (the page does not wait)."""
    if event.account_id is not None:
        platform_statement_task(event)


@db_periodic_task(crontab(hour="19", minute="50"))  # Huey schedules in UTC: 03:50 in Asia/Shanghai
def retention_task() -> None:
    """Statements older than their app's retention period go (audited, one event per app)."""
    removed = retention_apply(actor=None)
    if removed:
        logger.info("xapi retention: %s statements removed", removed)
