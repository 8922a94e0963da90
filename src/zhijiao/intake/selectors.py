"""Intake reads, scoped: an account sees the batches of the schools it manages (and its own uploads)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from zhijiao.access.scope import scope_for
from zhijiao.core.errors import Forbidden, NotFound
from zhijiao.intake.models import CaseStatus, ImportBatch, MatchCase, QuarantineRow
from zhijiao.intake.reaping import batches_reap
from zhijiao.org.models import School


def _require(actor: Any) -> None:
    if not scope_for(actor).manages_data:
        raise Forbidden("只有管理员可以查看数据导入")


def batch_list(*, actor: Any, kind: str | None = None) -> QuerySet[ImportBatch]:
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


def batch_get(*, actor: Any, pk: int) -> ImportBatch:
    batch = batch_list(actor=actor).filter(pk=pk).first()
    if batch is None:
        raise NotFound()
    return batch


def quarantine_list(*, actor: Any, batch: ImportBatch, rejected: bool | None = None) -> QuerySet[QuarantineRow]:
    batch_get(actor=actor, pk=batch.pk)
    qs = QuarantineRow.objects.filter(batch=batch)
    if rejected is not None:
        qs = qs.filter(rejected=rejected)
    return qs.order_by("-rejected", "row_no")


def case_list(*, actor: Any, kind: str | None = None, status: str | None = CaseStatus.OPEN) -> QuerySet[MatchCase]:
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


def case_get(*, actor: Any, pk: int) -> MatchCase:
    case = case_list(actor=actor, status=None).filter(pk=pk).first()
    if case is None:
        raise NotFound()
    return case
