"""A hook for "a class's 综合素质评价 selections went into 公示" (issue 16 item 2; decision 0055-health-file).

growth publishes the event when a school opens a class's publicity (``growth.process.review_publish``); the notice
service (``zhijiao.spaces``, on growth's layer, which growth may not import) subscribes in its ``AppConfig.ready()``
and sends the class's guardians and teachers a notice that objections are open until the end date. Delivery is on
commit (never for a publication that was rolled back); a failing subscriber is logged and skipped, so publishing is
never refused because a notice could not be sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PublicityEvent:
    """A class's publicity opened by ``publisher_id`` (an account): objections are open ``starts_on`` …
    ``ends_on``; ``class_label`` as the school shows it (学校 年级（班）)."""

    review_id: int
    class_id: int
    publisher_id: int
    starts_on: date
    ends_on: date
    class_label: str


PublicitySubscriber = Callable[[PublicityEvent], object]  # the return value is ignored

_subscribers: dict[str, PublicitySubscriber] = {}


def publicity_subscribe(name: str, subscriber: PublicitySubscriber) -> None:
    """Call ``subscriber(event)`` after each committed publication; ``name`` keeps it registered once."""
    _subscribers[name] = subscriber


def publicity_published(event: PublicityEvent) -> None:
    """Publish ``event``; subscribers hear of it once the current transaction commits."""
    if _subscribers:
        transaction.on_commit(lambda: publicity_deliver(event))


def publicity_deliver(event: PublicityEvent) -> None:
    for name, subscriber in list(_subscribers.items()):
        try:
            subscriber(event)
        except Exception:
            logger.exception("publicity subscriber %s failed (%s)", name, event)
