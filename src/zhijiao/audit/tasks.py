"""Background jobs (Huey): the nightly retention pruning of the audit log and the anchoring of its chain head."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from zhijiao.audit.selectors import audit_chain_head
from zhijiao.audit.services import audit_anchor, audit_prune

logger = logging.getLogger("zhijiao.audit")


@db_periodic_task(crontab(hour="19", minute="30"))  # Huey schedules in UTC: 03:30 in Asia/Shanghai
def nightly_audit_prune() -> int:
    """Every night at 03:30 Beijing time, after the integrity check: drop events past retention."""
    pruned = audit_prune()
    if pruned:
        logger.info("审计日志：已删除 %s 条超过保留期限的记录", pruned)
    # the head's hash in the logs is a copy outside the database: a rewritten chain will not match it
    logger.info("审计日志链头：#%s %s", *audit_chain_head())
    return pruned


@db_periodic_task(crontab(minute="*/10"))
def periodic_audit_anchor() -> str | None:
    """Every ten minutes: copy the chain head to the anchor file (and log) if it moved, so a log cut off at its end
    is caught down to the last anchoring."""
    return audit_anchor()
