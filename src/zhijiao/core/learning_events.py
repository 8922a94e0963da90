"""A hook for "a person used a learning resource" (a view, a download, a play's progress).

The resource centre records its usage events (``resources.usage.usage_record``) and publishes each one here; the
learning record store (``zhijiao.xapi``, a layer above) subscribes in its ``AppConfig.ready()`` and turns the same
event into an xAPI statement. The writer never imports the store, and both truths come from one event: the usage
row's id is in the statement (its id is derived from it), so the two can always be reconciled.

Delivery is on commit (never for a write that was rolled back); a failing subscriber is logged and skipped, so a
page is never answered with an error because a downstream copy could not be queued. Subscribers must only queue
work (the worker writes the statements), never do it inline.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LearningEvent:
    """One use of a resource. ``kind`` is ``view``, ``download`` or ``play``; ``usage_id`` the usage row's id (for a
    play the same row for every beacon, with the furthest ``progress`` reached, 0–1); ``account_id`` None for an
    anonymous visitor of the public portal; ``first`` is False for a later beacon of the same play."""

    kind: str
    usage_id: int
    resource_id: int
    resource_title: str
    account_id: int | None
    at: datetime
    progress: float | None = None
    first: bool = True
    media_kind: str = ""


LearningSubscriber = Callable[[LearningEvent], None]

_subscribers: dict[str, LearningSubscriber] = {}


def learning_subscribe(name: str, subscriber: LearningSubscriber) -> None:
    """Call ``subscriber(event)`` after each committed learning event; ``name`` keeps it registered once."""
    _subscribers[name] = subscriber


def learning_happened(event: LearningEvent) -> None:
    """Publish ``event``; subscribers hear of it once the current transaction commits."""
    if _subscribers:
        transaction.on_commit(lambda: learning_deliver(event))


def learning_deliver(event: LearningEvent) -> None:
    for name, subscriber in list(_subscribers.items()):
        try:
            subscriber(event)
        except Exception:
            logger.exception("learning event subscriber %s failed (%s)", name, event)
