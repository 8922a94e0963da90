"""Huey jobs of the spaces app, thin: they call the fan-out."""

from __future__ import annotations

import logging

from huey.contrib.djhuey import db_task

from zhijiao.spaces.fanout import receipts_write

logger = logging.getLogger("zhijiao.spaces")


@db_task(retries=2, retry_delay=10)
def notice_fanout_task(notice_id: int) -> int:
    """Deliver a published notice to a large audience (a school, a district) in the background."""
    written = receipts_write(notice_id)
    logger.info("notice %s: %s receipts written", notice_id, written)
    return written
