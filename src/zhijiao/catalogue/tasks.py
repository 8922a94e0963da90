"""Background jobs (Huey): the nightly quality scoring, and a task queued when the registry changes."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from zhijiao.catalogue.services import quality_refresh
from zhijiao.core.events import RegistryChange


@db_task()
def quality_refresh_task(datasets: list[str] | None = None) -> int:
    """Recompute quality scores off the request path (e.g. ``quality_refresh_task(["students"])`` after an import)."""
    return quality_refresh(datasets=datasets)


def quality_on_registry_change(change: RegistryChange) -> None:
    """Subscriber of ``registry_changed``: rescore the datasets of the kinds that changed, in the background.

    Rescoring a dataset reads all of it (a minute at city scale), so the worker does it; the nightly job rescores
    everything anyway, which is when single edits are scored."""
    if change.is_import:
        quality_refresh_task(datasets=sorted(change.kinds))


@db_periodic_task(crontab(hour="19", minute="0"))  # Huey schedules in UTC: 03:00 in Asia/Shanghai
def nightly_quality_refresh() -> None:
    """Every night at 03:00 Beijing time, after the 02:30 integrity check: score every dataset."""
    quality_refresh()
