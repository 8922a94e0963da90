"""A tiny in-process event bus: "the registry changed".

Writers to the registry (the import pipeline, the demo builder, the org/people write services) publish a
:class:`RegistryChange`; it is delivered when the writer's transaction commits (``transaction.on_commit``), never
for a write that was rolled back. Consumers (analytics, catalogue, identity, and the apps to come) subscribe in
their ``AppConfig.ready()``, so the writers never import them.

A subscriber that fails is logged and skipped: a committed write is never undone nor reported as failed because a
downstream refresh could not be queued (subscribers should only queue work for the worker, never do it inline).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import models, transaction

logger = logging.getLogger(__name__)


class RegistryKind(models.TextChoices):
    """The kinds of registry records a change can touch (also the import kinds and the catalogue's datasets)."""

    SCHOOLS = "schools", "学校"
    CLASSES = "classes", "班级"
    STAFF = "staff", "教职工"
    STUDENTS = "students", "学生"
    GUARDIANS = "guardians", "监护人"
    ASSIGNMENTS = "assignments", "任课安排"


@dataclass(frozen=True)
class RegistryChange:
    """What changed: which kinds of records, at which schools, and from where.

    ``schools`` holds the primary keys of the schools whose records changed; ``None`` means not known or not
    limited (a region-wide import), so a subscriber should treat every school as changed. ``source`` says which
    writer (``intake``, ``demo``, ``web`` …) and ``batch`` the import batch's id where there is one.
    """

    kinds: frozenset[str]
    schools: frozenset[int] | None = None
    source: str = ""
    batch: int | None = None

    @property
    def is_import(self) -> bool:
        """A change brought by an import batch (as opposed to single edits, the demo or a test fixture)."""
        return self.batch is not None

    def touches(self, kinds: Iterable[str]) -> bool:
        return not self.kinds.isdisjoint(kinds)

    def merged(self, other: RegistryChange) -> RegistryChange:
        schools = None if self.schools is None or other.schools is None else self.schools | other.schools
        return RegistryChange(
            kinds=self.kinds | other.kinds,
            schools=schools,
            source=self.source or other.source,
            batch=self.batch if self.batch is not None else other.batch,
        )


Subscriber = Callable[[RegistryChange], None]

_subscribers: dict[str, Subscriber] = {}


@dataclass
class _Collector:
    change: RegistryChange | None = None
    publish: bool = True


_collecting: ContextVar[_Collector | None] = ContextVar("zhijiao_registry_collecting", default=None)


def registry_subscribe(name: str, subscriber: Subscriber) -> None:
    """Call ``subscriber(change)`` after each committed registry change. ``name`` keeps it registered once
    (``ready()`` may run more than once in tests)."""
    _subscribers[name] = subscriber


def registry_subscribers() -> dict[str, Subscriber]:
    return dict(_subscribers)


def registry_changed(
    kinds: Iterable[str], *, schools: Iterable[int] | None = None, source: str = "", batch: int | None = None
) -> None:
    """Publish a registry change; subscribers hear of it once the current transaction commits.

    Inside :func:`registry_changes_collected` the change is merged into the one change published when the block
    ends (a bulk build is one change, not thousands).
    """
    change = RegistryChange(
        kinds=frozenset(kinds),
        schools=None if schools is None else frozenset(s for s in schools if s is not None),
        source=source,
        batch=batch,
    )
    if not change.kinds:
        return
    collector = _collecting.get()
    if collector is not None:
        collector.change = change if collector.change is None else collector.change.merged(change)
        return
    transaction.on_commit(lambda: registry_deliver(change))


@contextmanager
def registry_changes_collected(*, source: str = "", publish: bool = True) -> Iterator[None]:
    """Merge every change published inside the block into one, published (on commit) when the block ends.

    ``publish=False`` drops them: for a hand-built test fixture whose consumers are not what the test checks.
    """
    collector = _Collector(publish=publish)
    token = _collecting.set(collector)
    try:
        yield
    finally:
        _collecting.reset(token)
    if collector.publish and collector.change is not None:
        change = collector.change
        if source:
            change = RegistryChange(change.kinds, change.schools, source, change.batch)
        registry_changed(change.kinds, schools=change.schools, source=change.source, batch=change.batch)


def registry_deliver(change: RegistryChange) -> None:
    """Hand ``change`` to every subscriber now; a failing subscriber is logged and the others still run."""
    for name, subscriber in list(_subscribers.items()):
        try:
            subscriber(change)
        except Exception:
            logger.exception("registry change subscriber %s failed (%s)", name, change)
