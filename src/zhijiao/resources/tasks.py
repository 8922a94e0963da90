"""Background jobs: the worker is the one process that writes the search index."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from zhijiao.resources.indexing import index_resources
from zhijiao.resources.models import ResourceFile
from zhijiao.resources.previews import preview_build
from zhijiao.resources.uploads import upload_cleanup
from zhijiao.resources.value import value_recompute_changed

logger = logging.getLogger("zhijiao.resources")


@db_task()
def index_task(ids: list[int]) -> None:
    """Re-index these resources (published ones in, the rest out), after the change that asked for it committed."""
    indexed, removed = index_resources(ids)
    logger.info("search index: %s indexed, %s removed", indexed, removed)


@db_task()
def preview_task(file_id: int) -> None:
    """Thumbnail / poster / first page of a newly stored file (``previews``); a bad file is marked, never raised."""
    file = ResourceFile.objects.filter(pk=file_id).first()
    if file is not None:
        outcome = preview_build(file)
        logger.info("preview %s: %s %s", file.sha256[:12], outcome.state, outcome.note)


@db_periodic_task(crontab(hour="19", minute="40"))  # Huey schedules in UTC: 03:40 in Asia/Shanghai
def upload_cleanup_task() -> None:
    """Resumable uploads nobody touched for a week (``uploads.STALE_AFTER``) go, with their partial files."""
    removed = upload_cleanup()
    if removed:
        logger.info("uploads: %s stale sessions removed", removed)


def value_run() -> int:
    """Recompute every published resource's counts and value score (``value``), then refresh the rating and
    value of the changed ones in the search index; returns how many changed."""
    changed = value_recompute_changed()
    for start in range(0, len(changed), 1000):
        index_resources(changed[start : start + 1000])
    logger.info("value score: %s resources changed", len(changed))
    return len(changed)


@db_periodic_task(crontab(hour="19", minute="10"))  # Huey schedules in UTC: 03:10 in Asia/Shanghai
def value_nightly_task() -> None:
    value_run()


@db_task()
def value_task() -> None:
    """The same, asked for by ``usage`` after every ZHIJIAO_VALUE_EVERY_EVENTS usage events."""
    value_run()
