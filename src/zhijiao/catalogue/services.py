"""Writes of the catalogue: keeping the dataset entries in step with the registry, and refreshing quality scores."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhijiao.catalogue import quality
from zhijiao.catalogue.models import DataItem, Dataset, QualityScore
from zhijiao.catalogue.registry import ENTRIES, FORMAT

logger = logging.getLogger("zhijiao.catalogue")

KEEP_SCORES_DAYS = 90  # history kept for trends; older runs are pruned by each refresh


def catalogue_sync(*, dataset_model=Dataset, item_model=DataItem, using: str = "default") -> int:
    """Create or update the registry's datasets and their data items from ``catalogue.registry``.

    Takes the models as arguments so the seed migration can pass its historical models. Returns the number
    of datasets written. Items no longer listed are removed; descriptions edited by hand are overwritten.
    """
    datasets, items = dataset_model.objects.using(using), item_model.objects.using(using)
    for order, entry in enumerate(ENTRIES):
        dataset, _ = datasets.update_or_create(
            code=entry.code,
            defaults={
                "name": entry.name,
                "description": entry.description,
                "format": FORMAT,
                "provider": entry.provider,
                "sharing": entry.sharing,
                "sharing_note": entry.sharing_note,
                "update_method": entry.update_method,
                "update_cycle_days": entry.update_cycle_days,
                "update_cycle": entry.update_cycle,
                "import_kind": entry.import_kind,
                "order": order,
            },
        )
        for position, item in enumerate(entry.items):
            items.update_or_create(
                dataset=dataset,
                field=item.field,
                defaults={
                    "order": position,
                    "name": item.name,
                    "standard": item.standard,
                    "code_table": item.code_table,
                    "required": item.required,
                    "personal": item.personal,
                },
            )
        items.filter(dataset=dataset).exclude(field__in=[i.field for i in entry.items]).delete()
    return len(ENTRIES)


@transaction.atomic
def quality_refresh(*, datasets: list[str] | None = None, now: datetime | None = None) -> int:
    """Recompute and store quality scores: a row per dataset × active school and one per dataset overall.

    ``datasets`` limits the run to some dataset codes (the intake refreshes the dataset it just imported);
    ``import_kind`` names work too. Returns the number of score rows written. Runs nightly (``catalogue.tasks``).
    """
    now = now or timezone.now()
    targets = Dataset.objects.order_by("order")
    if datasets is not None:
        targets = targets.filter(Q(code__in=datasets) | Q(import_kind__in=datasets))
    known = quality.measurements()
    rows: list[QualityScore] = []
    for dataset in targets:
        if dataset.code not in known:
            continue
        per_school, region = quality.measure(
            code=dataset.code, cycle_days=dataset.update_cycle_days, import_kind=dataset.import_kind, now=now
        )
        rows += [_score_row(dataset, result, now) for result in [*per_school, region]]
    QualityScore.objects.bulk_create(rows, batch_size=1000)
    QualityScore.objects.filter(computed_at__lt=now - timedelta(days=KEEP_SCORES_DAYS)).delete()
    logger.info("数据质量评分已更新：%d 行", len(rows))
    return len(rows)


def _score_row(dataset: Dataset, result: quality.Result, now: datetime) -> QualityScore:
    return QualityScore(
        dataset=dataset,
        school_id=result.school_id,
        computed_at=now,
        completeness=round(result.completeness, 2),
        validity=round(result.validity, 2),
        timeliness=round(result.timeliness, 2),
        score=round(result.score, 2),
        records=result.records,
        cells=result.cells,
        filled=result.filled,
        valid_records=result.valid_records,
        batch_rows=result.batch_rows,
        batch_rejected=result.batch_rejected,
        last_updated=result.last_updated,
        detail=result.detail(),
    )
