"""Background jobs: the worker is the one process that writes the search index."""

from __future__ import annotations

import logging

from huey.contrib.djhuey import db_task

from zhijiao.resources.indexing import index_resources

logger = logging.getLogger("zhijiao.resources")


@db_task()
def index_task(ids: list[int]) -> None:
    """Re-index these resources (published ones in, the rest out), after the change that asked for it committed."""
    indexed, removed = index_resources(ids)
    logger.info("search index: %s indexed, %s removed", indexed, removed)
