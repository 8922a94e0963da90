"""API list pages built from compiled queries: the page's rows as plain values, and a count that is not re-counted.

A :class:`Listing` is what a registry list selector hands the API's paginator
(:class:`zhijiao.core.params.BoundedPageNumberPagination`) instead of a queryset: a prepared page query (compiled
once per shape of filter, :mod:`zhijiao.core.prepared`), a function that turns one row of it into the API's row, and
a prepared ``COUNT(*)``. The rows are read fresh on every request. The count of a large scope (a district's 53,758
students) is the dearest part of a page, and the same for every page: :class:`CountCache` keeps it per query and
parameters while the registry's change feed stands still (every registry write moves ``feed_position``), and for
at most ``COUNT_TTL_SECONDS`` in any case, so even a write that bypassed the feed shows within that time. A count
is never more than the number of the caller's own rows: it holds no personal data.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from ninja import Schema
from pydantic import ModelWrapValidatorHandler, ValidationInfo, model_validator

from zhijiao.core.models import FeedCounter
from zhijiao.core.prepared import Prepared, PreparedCache

COUNT_TTL_SECONDS = 30.0

_FEED_POSITION: Prepared = Prepared(lambda pk: FeedCounter.objects.filter(pk=pk).values_list("value"), pk=int)


def feed_position_now() -> int:
    """``core.feed.feed_position()`` through a compiled query (every list page asks it)."""
    rows = _FEED_POSITION.rows(pk=1)
    return rows[0][0] if rows else 0


class CountCache:
    """Counts by key, each valid while the feed position it was taken at stands and for ``ttl`` seconds."""

    def __init__(self, size: int = 1024, ttl: float = COUNT_TTL_SECONDS) -> None:
        self._size, self._ttl = size, ttl
        self._entries: OrderedDict[Hashable, tuple[int, float, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, count: Callable[[], int]) -> int:
        position, now = feed_position_now(), time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == position and now - entry[1] < self._ttl:
                self._entries.move_to_end(key)
                return entry[2]
        value = count()
        with self._lock:
            self._entries[key] = (position, now, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class RowSchema(Schema):
    """A ninja schema for rows built as plain dicts (:class:`Listing` rows, details): a dict is validated as it is,
    without ninja's per-field getter (which looks for resolvers and converts values one attribute at a time, most of
    a page's rendering time); anything else goes through ninja as usual. Declare no resolvers on these."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo) -> Any:
        if isinstance(values, dict):
            return handler(values)
        return super()._run_root_validator(values, handler, info)  # type: ignore[misc,operator]


_QUERIES = PreparedCache(size=512)
COUNTS = CountCache()


@dataclass
class Listing:
    """One list's page source. ``build(**params)`` is the filtered, ordered queryset (``values_list`` of the columns
    ``row`` takes); ``key`` names its shape (the scope's filter and which filters are set), ``params`` the values of
    its ``int``/``str`` parameters; ``row`` turns one result tuple into the API's row."""

    key: Hashable
    build: Callable[..., QuerySet]
    params: dict[str, Any]
    row: Callable[[tuple], dict[str, Any]]

    def _types(self) -> dict[str, type]:
        return {name: type(value) for name, value in self.params.items()}

    def rows(self, *, offset: int, limit: int) -> list[dict[str, Any]]:
        page = _QUERIES.get(("page", self.key), self.build, self._types(), paged=True)
        return [self.row(r) for r in page.rows(limit=limit, offset=offset, **self.params)]

    def count(self) -> int:
        counter = _QUERIES.get(("count", self.key), self.build, self._types(), counting=True)
        return COUNTS.get((self.key, tuple(sorted(self.params.items()))), lambda: counter.rows(**self.params)[0][0])
