"""Background jobs: uploaded files are imported by the worker so the page can show progress."""

from __future__ import annotations

import logging

from huey.contrib.djhuey import db_task

from zhijiao.intake.models import BatchStatus, ImportBatch
from zhijiao.intake.services import import_batch_run

logger = logging.getLogger("zhijiao.intake")


@db_task()
def import_batch_task(batch_id: int) -> None:
    """Run a queued batch. A batch that is gone or already started (a re-delivered job) is left alone."""
    batch = ImportBatch.objects.filter(pk=batch_id, status=BatchStatus.PENDING).first()
    if batch is None:
        logger.info("import batch %s is not pending; nothing to do", batch_id)
        return
    batch = import_batch_run(batch=batch)
    logger.info("import batch %s %s: %s rows in, %s rejected", batch.pk, batch.status, batch.rows_in, batch.rejected)
