"""Running metric expressions on DuckDB over snapshot folders.

One in-process DuckDB connection per process. Each snapshot's Parquet files are attached as views named
``<table>_<yyyymmdd>``, created once and kept; a snapshot replaced later the same day is read afresh because
the views name files, not data. DuckDB connections are not safe to share between threads, so executions take
a lock: metric queries are milliseconds, and the web server's threads wait their turn.

Building an Ibis expression and compiling it to SQL costs more than DuckDB takes to run it (tens of milliseconds
for the key figures), so each metric is compiled once per process and kind of node, over stand-in table names and
a stand-in node code that are swapped for the real ones in the SQL text. Node codes are digits only
(``metrics.node_kind``); the stand-ins are whole quoted identifiers and literals that no metric uses otherwise.

A snapshot never changes once written, so a query's rows are kept per SQL text (which names the snapshot's days)
until a snapshot is attached again: every dashboard view after the first reads them from memory. Large results
(a city's class list) are not kept; callers get copies, so they may add columns to the rows.
``ZHIJIAO_ANALYTICS_KEEP_RESULTS=0`` turns this off.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from django.conf import settings

from zhijiao.analytics.metrics import Tables, node_kind
from zhijiao.analytics.warehouse import OPTIONAL_TABLES, SCHEMAS, table_path

SQL_CACHE_SIZE = 512
RESULT_CACHE_SIZE = 2048  # results kept (per SQL text), oldest dropped first
RESULT_CACHE_ROWS = 5000  # larger results are not kept
_DUCKDB_TYPES = {"string": "VARCHAR", "int16": "SMALLINT", "int64": "BIGINT", "boolean": "BOOLEAN", "float64": "DOUBLE"}


def placeholder(node: str) -> str:
    """A node code of the same kind as ``node`` that stands for it in compiled SQL ("" stays "")."""
    return "7" * len(node)


def snapshot_stand_in(index: int) -> str:
    """The table-name suffix that stands for the ``index``-th snapshot's date in compiled SQL."""
    return f"x{index:07d}"


class Engine:
    def __init__(self) -> None:
        self._con = ibis.duckdb.connect()
        self._lock = threading.RLock()
        self._bound: dict[tuple[date, str, str], Tables] = {}
        self._sql: dict[Hashable, tuple[str, pa.Schema]] = {}
        self._lookups: dict[Hashable, list[dict[str, Any]]] = {}
        self._results: dict[str, list[dict[str, Any]]] = {}

    def tables(self, day: date, folder: Path | str, version: str = "") -> Tables:
        """The snapshot of ``day`` stored in ``folder`` as Ibis tables on this connection. A new ``version`` (the
        snapshot's time) attaches the files again, so a same-day replacement with new columns is seen."""
        key = (day, str(folder), version)
        with self._lock:
            bound = self._bound.get(key)
            if bound is None:
                for stale in [k for k in self._bound if k[0] == day]:
                    del self._bound[stale]
                self._results.clear()  # a same-day replacement has the same view names
                suffix = f"{day:%Y%m%d}"
                bound = Tables(**{name: self._attach(folder, name, f"{name}_{suffix}") for name in SCHEMAS})
                self._bound[key] = bound
            return bound

    def _attach(self, folder: Path | str, name: str, view: str) -> ir.Table:
        """One table of a snapshot as a view; a table an older snapshot lacks (``OPTIONAL_TABLES``) is empty."""
        path = table_path(folder, name)
        if path.exists() or name not in OPTIONAL_TABLES:
            return self._con.read_parquet(path, table_name=view)
        columns = ", ".join(f'CAST(NULL AS {_DUCKDB_TYPES[kind]}) AS "{c}"' for c, kind in SCHEMAS[name].items())
        self._con.raw_sql(f'CREATE OR REPLACE VIEW "{view}" AS SELECT {columns} WHERE FALSE')
        return self._con.table(view)

    def rows(self, expr: ir.Table) -> list[dict[str, Any]]:
        """Execute ``expr`` and return its rows as dictionaries (compiled each time: for tests and one-off reads)."""
        return self._run(ibis.to_sql(expr, dialect="duckdb"), expr.schema().to_pyarrow())

    def _run(self, sql: str, schema: pa.Schema) -> list[dict[str, Any]]:
        # Straight to Arrow, not through Ibis's executor (which imports pandas: seconds on a cold process). DuckDB
        # sums integers into 128-bit decimals, so results are cast back to the types Ibis promises.
        with self._lock:
            return self._con.con.sql(sql).to_arrow_table().cast(schema).to_pylist()

    def lookup(self, key: Hashable, build: Callable[[], ir.Table]) -> list[dict[str, Any]]:
        """Rows of a small table expression, kept per ``key`` (a snapshot's names of schools and divisions)."""
        with self._lock:
            found = self._lookups.get(key)
            if found is None:
                if len(self._lookups) >= SQL_CACHE_SIZE:
                    self._lookups.clear()
                found = self._lookups[key] = self.rows(build())
            return found

    def query(
        self,
        key: Hashable,
        build: Callable[[str], ir.Table],
        node: str,
        days: Sequence[date] = (),
        reuse: bool = True,
    ) -> list[dict[str, Any]]:
        """Rows of a metric for ``node`` over the snapshots of ``days``.

        ``build(code)`` must build the metric over ``unbound_tables(snapshot_stand_in(i))`` for the i-th day; its
        SQL is compiled once per ``key`` and kind of node, and the stand-in node code and table names are swapped
        for the real ones in the text. ``reuse=False`` runs the SQL even if its rows are kept (for benchmarks).
        """
        node_kind(node)  # digits of a valid length, or ValueError: nothing else is ever put into SQL text
        stand_in = placeholder(node)
        cache_key = (key, len(node), len(days))
        with self._lock:
            compiled = self._sql.get(cache_key)
            if compiled is None:
                expr = build(stand_in)
                sql = ibis.to_sql(expr, dialect="duckdb")
                if stand_in and f"'{stand_in}'" not in sql:
                    raise ValueError(f"the node filter is missing from {key}")
                if len(self._sql) >= SQL_CACHE_SIZE:
                    self._sql.clear()
                compiled = self._sql[cache_key] = (sql, expr.schema().to_pyarrow())
            sql, schema = compiled
            if stand_in:
                sql = sql.replace(f"'{stand_in}'", f"'{node}'")
            for index, day in enumerate(days):
                for name in SCHEMAS:
                    sql = sql.replace(f'"{name}_{snapshot_stand_in(index)}"', f'"{name}_{day:%Y%m%d}"')
            keep = reuse and settings.ZHIJIAO_ANALYTICS_KEEP_RESULTS
            kept = self._results.get(sql) if keep else None
            if kept is None:
                kept = self._run(sql, schema)
                if keep and len(kept) <= RESULT_CACHE_ROWS:
                    if len(self._results) >= RESULT_CACHE_SIZE:
                        del self._results[next(iter(self._results))]
                    self._results[sql] = kept
        return [dict(row) for row in kept]

    def results_clear(self) -> None:
        """Drop the kept query results (benchmarks measuring a first view)."""
        with self._lock:
            self._results.clear()

    def forget(self) -> None:
        """Drop every attached snapshot (after snapshots were removed, and between tests)."""
        with self._lock:
            for day, _folder, _version in list(self._bound):
                for name in SCHEMAS:
                    self._con.raw_sql(f'DROP VIEW IF EXISTS "{name}_{day:%Y%m%d}"')
            self._bound.clear()
            self._sql.clear()
            self._lookups.clear()
            self._results.clear()


_engine: Engine | None = None
_engine_lock = threading.Lock()


def engine() -> Engine:
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = Engine()
        return _engine
