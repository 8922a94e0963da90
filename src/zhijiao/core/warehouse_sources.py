"""A hook for tables that apps above analytics add to each warehouse snapshot.

The warehouse (``zhijiao.analytics.warehouse``) owns every table's schema, but some tables hold rows of apps in a
higher layer, which analytics may not import: the learning record store's flattened statements
(``learning_statements``, written by ``zhijiao.xapi.warehouse``). Such an app registers a reader here in its
``AppConfig.ready()``; the snapshot calls it while it reads the registry. A table without a registered reader (the
app is not installed) is written empty, in its schema, so every snapshot has the same files.

A reader takes the snapshot's school year and returns a Polars frame with at least the schema's columns (extra
columns are dropped, missing ones are an error: the snapshot fails rather than writing a half table).
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

WarehouseReader = Callable[[int], pl.DataFrame]

_readers: dict[str, WarehouseReader] = {}


def warehouse_source_register(table: str, reader: WarehouseReader) -> None:
    """Let ``reader(school_year)`` fill ``table`` in every snapshot (registered once per table name)."""
    _readers[table] = reader


def warehouse_source(table: str) -> WarehouseReader | None:
    return _readers.get(table)
