"""Running metric expressions on DuckDB over snapshot folders.

One in-process DuckDB connection per process. Each snapshot's Parquet files are attached as views named
``<table>_<yyyymmdd>``, created once and kept; a snapshot replaced later the same day is read afresh because
the views name files, not data. DuckDB connections are not safe to share between threads, so executions take
a lock: metric queries are milliseconds, and the web server's threads wait their turn.
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir

from zhijiao.analytics.metrics import Tables
from zhijiao.analytics.warehouse import SCHEMAS, table_path


class Engine:
    def __init__(self) -> None:
        self._con = ibis.duckdb.connect()
        self._lock = threading.RLock()
        self._bound: dict[tuple[date, str, str], Tables] = {}

    def tables(self, day: date, folder: Path | str, version: str = "") -> Tables:
        """The snapshot of ``day`` stored in ``folder`` as Ibis tables on this connection. A new ``version`` (the
        snapshot's time) attaches the files again, so a same-day replacement with new columns is seen."""
        key = (day, str(folder), version)
        with self._lock:
            bound = self._bound.get(key)
            if bound is None:
                for stale in [k for k in self._bound if k[0] == day]:
                    del self._bound[stale]
                suffix = f"{day:%Y%m%d}"
                bound = Tables(
                    **{
                        name: self._con.read_parquet(table_path(folder, name), table_name=f"{name}_{suffix}")
                        for name in SCHEMAS
                    }
                )
                self._bound[key] = bound
            return bound

    def rows(self, expr: ir.Table) -> list[dict[str, Any]]:
        """Execute ``expr`` and return its rows as dictionaries."""
        with self._lock:
            return self._con.to_pyarrow(expr).to_pylist()

    def forget(self) -> None:
        """Drop every attached snapshot (after snapshots were removed, and between tests)."""
        with self._lock:
            for day, _folder, _version in list(self._bound):
                for name in SCHEMAS:
                    self._con.raw_sql(f'DROP VIEW IF EXISTS "{name}_{day:%Y%m%d}"')
            self._bound.clear()


_engine: Engine | None = None
_engine_lock = threading.Lock()


def engine() -> Engine:
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = Engine()
        return _engine
