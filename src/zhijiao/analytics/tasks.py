"""Background jobs (Huey): a warehouse snapshot after imports, and one every night."""

from __future__ import annotations

import logging
from datetime import datetime

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from zhijiao.analytics.models import Snapshot, SnapshotTrigger
from zhijiao.analytics.services import snapshot_take
from zhijiao.analytics.warnings import warnings_evaluate

logger = logging.getLogger("zhijiao.analytics")

# Imports come in bursts (a district's schools in one afternoon, exchange pushes by the minute): the snapshot
# waits this long, and a snapshot taken after the import already covers it, so a burst costs one snapshot.
AFTER_IMPORT_DELAY_SECONDS = 120


@db_task()
def snapshot_task(changed_at: str = "", trigger: str = SnapshotTrigger.IMPORT) -> str:
    """Take today's snapshot unless one taken after ``changed_at`` (ISO time of the change) already exists."""
    if changed_at:
        since = datetime.fromisoformat(changed_at)
        if Snapshot.objects.filter(taken_on=timezone.localdate(), taken_at__gte=since).exists():
            logger.info("数据仓库快照已包含 %s 的变更，跳过", changed_at)
            return ""
    taken = snapshot_take(actor=None, trigger=trigger)
    warnings_evaluate_task()  # the warnings follow the new snapshot
    return f"{taken.taken_on:%Y-%m-%d}"


def snapshot_after_change() -> None:
    """Queue a snapshot for the worker a little after a committed change to the registry (an import batch)."""
    snapshot_task.schedule(kwargs={"changed_at": timezone.now().isoformat()}, delay=AFTER_IMPORT_DELAY_SECONDS)


@db_periodic_task(crontab(hour="20", minute="0"))  # Huey schedules in UTC: 04:00 in Asia/Shanghai
def nightly_snapshot() -> None:
    """Every night at 04:00 Beijing time, after the integrity check, quality scoring and audit pruning: a snapshot
    dated with the Beijing day that has just begun, so every day has one even without imports."""
    snapshot_take(actor=None, trigger=SnapshotTrigger.NIGHTLY)


@db_task()
def warnings_evaluate_task() -> str:
    """Bring the early warnings in line with the latest snapshot, registry and indicator values."""
    return str(warnings_evaluate())


@db_periodic_task(crontab(hour="20", minute="30"))  # 04:30 in Asia/Shanghai, after the nightly snapshot
def nightly_warnings() -> None:
    warnings_evaluate_task.call_local()
