"""Intake reads, scoped: an account sees the batches of the schools it manages (and its own uploads)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import F, Max, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.core.errors import Forbidden, NotFound
from zhijiao.core.import_facts import BatchFigures
from zhijiao.intake.models import CaseStatus, ImportBatch, MatchCase, QuarantineRow
from zhijiao.intake.reaping import batches_reap
from zhijiao.org.models import School


def _require(actor: Actor) -> None:
    if not scope_for(actor).manages_data:
        raise Forbidden("只有管理员可以查看数据导入")


def batch_list(*, actor: Actor, kind: str | None = None) -> QuerySet[ImportBatch]:
    """Batches visible to the actor, newest first: their own, and those of schools they manage."""
    _require(actor)
    batches_reap()
    scope = scope_for(actor)
    qs = ImportBatch.objects.select_related("school", "actor")
    if not scope.is_platform_admin:
        managed = School.objects.filter(scope.managed_schools_q()).values("pk")
        qs = qs.filter(Q(actor=actor) | Q(school__in=managed))
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def batch_get(*, actor: Actor, pk: int) -> ImportBatch:
    batch = batch_list(actor=actor).filter(pk=pk).first()
    if batch is None:
        raise NotFound()
    return batch


def quarantine_list(*, actor: Actor, batch: ImportBatch, rejected: bool | None = None) -> QuerySet[QuarantineRow]:
    batch_get(actor=actor, pk=batch.pk)
    qs = QuarantineRow.objects.filter(batch=batch)
    if rejected is not None:
        qs = qs.filter(rejected=rejected)
    return qs.order_by("-rejected", "row_no")


def case_list(*, actor: Actor, kind: str | None = None, status: str | None = CaseStatus.OPEN) -> QuerySet[MatchCase]:
    """Match cases touching the actor's schools (the importing school or the school holding the student)."""
    _require(actor)
    scope = scope_for(actor)
    qs = MatchCase.objects.select_related("person", "school", "other_school", "batch", "decided_by")
    if not scope.is_platform_admin:
        managed = School.objects.filter(scope.managed_schools_q()).values("pk")
        qs = qs.filter(Q(school__in=managed) | Q(other_school__in=managed))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs


def case_get(*, actor: Actor, pk: int) -> MatchCase:
    case = case_list(actor=actor, status=None).filter(pk=pk).first()
    if case is None:
        raise NotFound()
    return case


# ------------------------------------------------------------------ facts for consumers (core.import_facts)
def last_reported() -> dict[int, datetime]:
    """School id → when its newest finished batch finished (a school that reported, even with no change)."""
    batches = ImportBatch.objects.filter(school__isnull=False, finished_at__isnull=False)
    return dict(batches.values("school_id").annotate(at=Max("finished_at")).values_list("school_id", "at"))


def recent_figures(kind: str, count: int) -> tuple[dict[int, BatchFigures], BatchFigures]:
    """Rows read and rejected over the newest ``count`` finished batches of ``kind``, per school and overall."""
    done = ImportBatch.objects.filter(kind=kind, status="done", finished_at__isnull=False)
    per_school = (
        done.filter(school__isnull=False)
        .annotate(rank=Window(RowNumber(), partition_by=[F("school_id")], order_by=[F("finished_at").desc()]))
        .filter(rank__lte=count)
        .values_list("school_id", "rows_in", "rejected", "finished_at")
    )
    by_school: dict[int, BatchFigures] = {}
    for school_id, rows_in, rejected, finished in per_school:
        n, r, last, batches = by_school.get(school_id, (0, 0, None, 0))
        newest = max((t for t in (last, finished) if t is not None), default=None)
        by_school[school_id] = (n + rows_in, r + rejected, newest, batches + 1)
    overall = list(done.order_by("-finished_at").values_list("rows_in", "rejected", "finished_at")[:count])
    region: BatchFigures = (
        sum(b[0] for b in overall),
        sum(b[1] for b in overall),
        overall[0][2] if overall else None,
        len(overall),
    )
    return by_school, region
