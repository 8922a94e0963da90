"""Analytics writes: taking (and pruning) warehouse snapshots."""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.analytics.errors import AnalyticsError
from zhijiao.analytics.indicators_growth import growth_indicator_values_refresh
from zhijiao.analytics.models import Snapshot, SnapshotTrigger
from zhijiao.analytics.warehouse import registry_write, snapshot_remove
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.errors import Forbidden
from zhijiao.org.selectors import current_school_year

logger = logging.getLogger("zhijiao.analytics")


def snapshot_take(
    *,
    actor: Actor | None = None,
    day: date | None = None,
    trigger: str = SnapshotTrigger.CLI,
    origin: Origin | None = None,
) -> Snapshot:
    """Copy the registry into the warehouse as the snapshot of ``day`` (today in Beijing by default).

    ``actor`` None is the platform itself (CLI, worker); an account must be a platform administrator. A second
    snapshot the same day replaces the first: its files in one rename, its row here in place. The snapshot is
    recorded in the audit log, since it copies every school's registry to disk.
    """
    if actor is not None and not scope_for(actor).is_platform_admin:
        raise Forbidden(AnalyticsError.ANALYTICS_NOT_ALLOWED.message)
    day = day or timezone.localdate()
    taken_at = timezone.now()
    files = registry_write(day=day, school_year=current_school_year(), taken_at=taken_at)
    with transaction.atomic():
        snapshot, _ = Snapshot.objects.update_or_create(
            taken_on=day,
            defaults={
                "taken_at": taken_at,
                "path": str(files.path),
                "rows": files.rows,
                "duration_ms": files.duration_ms,
                "trigger": trigger,
            },
        )
        audit_record(
            actor=actor,
            action="analytics.snapshot",
            origin=origin
            or Origin(channel="job" if trigger in (SnapshotTrigger.IMPORT, SnapshotTrigger.NIGHTLY) else "cli"),
            target=Target("snapshot", f"{day:%Y-%m-%d}", f"数据仓库快照 {day:%Y-%m-%d}"),
        )
    logger.info(
        "数据仓库快照 %s：%s，用时 %.1f 秒",
        f"{day:%Y-%m-%d}",
        "，".join(f"{name} {rows}" for name, rows in files.rows.items()),
        files.duration_ms / 1000,
    )
    snapshots_prune()
    # growth's plan indicators (体质优良率, 近视率, 综合素质评价完成率) take their school values from the new snapshot
    growth_indicator_values_refresh(snapshot=snapshot, year=day.year)
    return snapshot


def snapshots_prune(*, keep: int | None = None) -> int:
    """Keep the newest ``keep`` snapshots (``ZHIJIAO_WAREHOUSE_KEEP``; 0 keeps all); return how many went."""
    keep = settings.ZHIJIAO_WAREHOUSE_KEEP if keep is None else keep
    if not keep:
        return 0
    old = list(Snapshot.objects.order_by("-taken_on")[keep:])
    for snapshot in old:
        snapshot_remove(snapshot.path)
        snapshot.delete()
    return len(old)
