"""Huey jobs of the learning app, thin: the diagnosis refit (``refit.refit_assignment``), debounced.

``marks_changed`` is sent after every marking write; the receiver (:func:`refit_request`) only marks the assignment's
:class:`DiagnosisFit` row ``queued`` and enqueues one job when none is waiting, so a burst of signals for one
assignment (a teacher marking 40 answers, an import) becomes one fit. The job clears the mark first: a signal that
arrives while it fits queues the next one.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from huey.contrib.djhuey import db_task

from zhijiao.learning.models import Assignment, DiagnosisFit
from zhijiao.learning.refit import refit_assignment

logger = logging.getLogger("zhijiao.learning")
STALE = timedelta(minutes=15)


@db_task(retries=2, retry_delay=30)
def refit_task(assignment_id: int) -> int:
    """Refit the diagnosis of one assignment in the worker."""
    DiagnosisFit.objects.filter(assignment_id=assignment_id).update(queued=False)
    result = refit_assignment(assignment_id)
    if result is None:
        return 0
    logger.info(
        "refit %s: %s pupils, %s changes, %s class reports",
        assignment_id,
        result.pupils,
        result.changes,
        result.reports,
    )
    return result.changes


def refit_request(assignment_id: int) -> bool:
    """Queue a refit of the assignment unless one is already waiting; True when a job was queued."""
    if not Assignment.objects.filter(pk=assignment_id).exists():
        return False
    now = timezone.now()
    with transaction.atomic():
        fit, _ = DiagnosisFit.objects.select_for_update().get_or_create(assignment_id=assignment_id)
        # a job queued long ago that never ran (a worker lost it, its retries failed) no longer counts as waiting
        waiting = fit.queued and fit.requested_at is not None and now - fit.requested_at < STALE
        if not waiting:
            fit.queued, fit.requested_at = True, now
            fit.save(update_fields=["requested_at", "queued"])
    if not waiting:
        transaction.on_commit(lambda: refit_task(assignment_id))
    return not waiting


def on_marks_changed(sender: Any, assignment_id: int, **kwargs: Any) -> None:
    """``marks_changed`` receiver: only queues (nothing is fitted in the request that marked)."""
    refit_request(assignment_id)
