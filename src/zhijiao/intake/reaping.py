"""Batches whose process died: found by their pid and marked interrupted (nothing of theirs was committed).

Apart from the pipeline so the read side (selectors) can reap without importing the pipeline, which reads
through the selectors when it restores a re-imported report's masked cells.
"""

from __future__ import annotations

import os

from django.utils import timezone

from zhijiao.intake.models import BatchStatus, ImportBatch


def batches_reap() -> int:
    """Mark batches whose process died mid-run as interrupted (nothing of theirs was committed)."""
    reaped = 0
    for batch in ImportBatch.objects.filter(status=BatchStatus.RUNNING):
        if batch.pid and _alive(batch.pid):
            continue
        ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.RUNNING).update(
            status=BatchStatus.INTERRUPTED,
            error="导入进程在完成前中止，本批次未写入任何数据，可重新导入",
            finished_at=timezone.now(),
            stage="",
        )
        reaped += 1
    return reaped


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
