from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import polars as pl
import pytest

from zhijiao.analytics.engine import engine
from zhijiao.analytics.metrics import Tables
from zhijiao.analytics.warehouse import SCHEMAS, frames_write, polars_schema


@pytest.fixture(autouse=True)
def warehouse(settings, tmp_path):
    """Every analytics test writes its snapshots into its own folder and starts with no attached snapshot."""
    settings.ZHIJIAO_WAREHOUSE_DIR = tmp_path / "warehouse"
    settings.ZHIJIAO_WAREHOUSE_KEEP = 0
    engine().forget()
    yield settings.ZHIJIAO_WAREHOUSE_DIR
    engine().forget()


def frame(table: str, rows: Iterable[dict[str, Any]]) -> pl.DataFrame:
    """A warehouse table from partial rows: missing columns are empty strings, nulls or false."""
    defaults = {"string": "", "int16": None, "int64": None, "boolean": True, "float64": None}
    full = [{c: row.get(c, defaults[kind]) for c, kind in SCHEMAS[table].items()} for row in rows]
    return pl.DataFrame(full, schema=polars_schema(table), orient="row")


def hand_built(day: date, **tables: list[dict[str, Any]]) -> Tables:
    """Write hand-built rows as the snapshot of ``day`` and attach it to the DuckDB engine."""
    frames = {name: frame(name, tables.get(name, [])) for name in SCHEMAS}
    folder = frames_write(frames, day=day, manifest={})
    return engine().tables(day, folder)
