"""Background jobs (Huey): a warehouse snapshot after imports, one every night, and one when a statistics page
finds none."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from zhijiao.analytics.models import Snapshot, SnapshotTrigger
from zhijiao.analytics.services import snapshot_take
from zhijiao.analytics.space_indicators import space_indicators_update
from zhijiao.analytics.warnings import warnings_evaluate
from zhijiao.core.events import RegistryChange

logger = logging.getLogger("zhijiao.analytics")

# Imports come in bursts (a district's schools in one afternoon, exchange pushes by the minute): the snapshot
# waits this long, and a snapshot taken after the import already covers it, so a burst costs one snapshot.
AFTER_IMPORT_DELAY_SECONDS = 120

# A page that finds no snapshot asks for one: the request is marked in Huey's own store (shared by every web
# process and the worker) and cleared by the job, so a crowd of bureau users queues one job. A mark this old
# whose job never ran (worker down, queue lost) no longer holds a new request back.
SNAPSHOT_REQUEST_KEY = "zhijiao.analytics.snapshot-requested"
SNAPSHOT_REQUEST_STALE = timedelta(minutes=30)


@db_task()
def snapshot_task(changed_at: str = "", trigger: str = SnapshotTrigger.IMPORT) -> str:
    """Take today's snapshot unless one taken after ``changed_at`` (ISO time of the change) already exists."""
    if changed_at:
        since = datetime.fromisoformat(changed_at)
        if Snapshot.objects.filter(taken_on=timezone.localdate(), taken_at__gte=since).exists():
            logger.info("数据仓库快照已包含 %s 的变更，跳过", changed_at)
            HUEY.delete(SNAPSHOT_REQUEST_KEY)
            return ""
    taken = snapshot_take(actor=None, trigger=trigger)
    HUEY.delete(SNAPSHOT_REQUEST_KEY)  # a page that finds none from now on may ask again
    space_indicators_task()  # spaces (issue 18): its indicators from the new snapshot, before the warnings read them
    warnings_evaluate_task()  # the warnings follow the new snapshot
    return f"{taken.taken_on:%Y-%m-%d}"


def snapshot_after_change() -> None:
    """Queue a snapshot for the worker a little after a committed change to the registry (an import batch)."""
    snapshot_task.schedule(kwargs={"changed_at": timezone.now().isoformat()}, delay=AFTER_IMPORT_DELAY_SECONDS)


def snapshot_on_registry_change(change: RegistryChange) -> None:
    """Subscriber of ``registry_changed``: an import batch queues a snapshot (single edits wait for the nightly one)."""
    if change.is_import:
        snapshot_after_change()


def snapshot_when_missing() -> bool:
    """Queue a snapshot because a statistics page found none (or its files gone): once, however many pages ask,
    until that job has run or its request went stale. True when this call queued the job."""
    now = timezone.now()
    if not HUEY.put_if_empty(SNAPSHOT_REQUEST_KEY, now.isoformat()):
        asked = HUEY.get(SNAPSHOT_REQUEST_KEY, peek=True)
        try:
            fresh = now - datetime.fromisoformat(asked) < SNAPSHOT_REQUEST_STALE
        except (TypeError, ValueError):
            fresh = False
        if fresh:
            return False
        HUEY.put(SNAPSHOT_REQUEST_KEY, now.isoformat())
    logger.warning("统计页面未找到可用的数据仓库快照，已排队生成（需要后台任务进程运行）")
    snapshot_task(changed_at=now.isoformat(), trigger=SnapshotTrigger.ON_DEMAND)
    return True


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


def space_indicators_task() -> None:
    """The 网络学习空间 indicators of the latest snapshot (inline in the snapshot job; a failure is logged, never
    stops the warnings)."""
    try:
        space_indicators_update()
    except Exception:
        logger.exception("网络学习空间指标计算失败")
