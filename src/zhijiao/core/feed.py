"""The change feed: every registry write takes a sequence number, and readers page by it."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import F, Max, Min

from zhijiao.core.models import FeedCounter, FeedMixin


def feed_allocate(count: int = 1) -> int:
    """Reserve ``count`` feed numbers and return the first; the caller must be inside a transaction.

    The counter row stays locked until the caller commits, so feed numbers follow commit order.
    """
    if count < 1:
        raise ValueError("count must be positive")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("feed_allocate must run inside transaction.atomic")
    if not FeedCounter.objects.filter(pk=1).update(value=F("value") + count):
        FeedCounter.objects.create(pk=1, value=count)  # a database created before the counter's migration
        return 1
    return FeedCounter.objects.values_list("value", flat=True).get(pk=1) - count + 1


def feed_position() -> int:
    """The last feed number handed out (0 for an empty registry)."""
    return FeedCounter.objects.filter(pk=1).values_list("value", flat=True).first() or 0


def feed_touch(*records: FeedMixin) -> None:
    """Give freshly written records the next feed positions (inside the writer's transaction)."""
    if not records:
        return
    first = feed_allocate(len(records))
    for offset, record in enumerate(records):
        type(record)._default_manager.filter(pk=record.pk).update(feed_seq=first + offset)
        record.feed_seq = first + offset


def feed_number(records: Sequence[FeedMixin]) -> None:
    """Give records about to be inserted (``bulk_create``) the next feed positions, in their order; the caller's
    transaction holds the numbers until it commits."""
    if records:
        first = feed_allocate(len(records))
        for offset, record in enumerate(records):
            record.feed_seq = first + offset


def feed_backfill(model: type[FeedMixin]) -> int:
    """Number every record of ``model`` that has no feed position yet (bulk builders write them with 0)."""
    pending = model._default_manager.filter(feed_seq=0)
    bounds = pending.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return 0
    with transaction.atomic():
        first = feed_allocate(bounds["high"] - bounds["low"] + 1)
        return pending.update(feed_seq=F("pk") - bounds["low"] + first)
