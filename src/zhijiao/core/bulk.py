"""Bulk reads and writes of frames, for any app: SQLite ``executemany`` and PostgreSQL ``COPY``.

Callers run inside one ``transaction.atomic`` block, so a batch's writes commit together or not at all.
Ids are allocated up front (``ids_allocate``) so related rows can be written without reading keys back.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import polars as pl
from django.db import connection

CHUNK = 50_000


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def fetch_frame(sql: str, params: Sequence[Any], schema: dict[str, Any]) -> pl.DataFrame:
    """Run a read query and return its rows as a frame with ``schema`` (column name → Polars type).

    The registry is read in bulk on every import, so this skips Django's per-value conversions: PostgreSQL
    streams the result as CSV through ``COPY … TO STDOUT``; SQLite hands back plain tuples. Select date
    columns as text (``CAST(x AS TEXT)``); they are parsed here.
    """
    text_schema = {name: (pl.String if dtype == pl.Date else dtype) for name, dtype in schema.items()}
    if is_postgres():
        if params:
            raise ValueError("fetch_frame on PostgreSQL takes no parameters")
        buffer = io.BytesIO()
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
            for block in copy:
                buffer.write(block)
        frame = (
            pl.read_csv(
                buffer.getvalue(),
                has_header=False,
                new_columns=list(schema),
                schema=text_schema,
            )
            if buffer.tell()
            else pl.DataFrame(schema=text_schema)
        )
    else:
        connection.ensure_connection()
        cursor = connection.connection.cursor()
        try:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        finally:
            cursor.close()
        frame = pl.DataFrame(rows, schema=text_schema, orient="row")
    dates = [name for name, dtype in schema.items() if dtype == pl.Date]
    return frame.with_columns([pl.col(n).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False) for n in dates])


def ids_allocate(table: str, count: int) -> pl.Series:
    """``count`` fresh primary keys for ``table``; the caller holds the write lock (SQLite) or uses the sequence."""
    if count == 0:
        return pl.Series("id", [], dtype=pl.Int64)
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return pl.Series("id", [r[0] for r in cursor.fetchall()], dtype=pl.Int64)
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608 (table names are ours)
        top = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(top, row[0] if row else 0) + 1
    return pl.int_range(start, start + count, dtype=pl.Int64, eager=True).alias("id")


def _sqlite_values(frame: pl.DataFrame) -> Iterable[tuple[Any, ...]]:
    casts = []
    for name, dtype in frame.schema.items():
        if dtype == pl.Date:
            casts.append(pl.col(name).dt.strftime("%Y-%m-%d"))
        elif isinstance(dtype, pl.Datetime):
            casts.append(pl.col(name).dt.strftime("%Y-%m-%d %H:%M:%S%.f"))
        elif dtype in (pl.List, pl.Struct, pl.Object):
            raise TypeError(f"column {name} of type {dtype} cannot be written")
        else:
            casts.append(pl.col(name))
    return frame.select(casts).iter_rows()


def _copy(table: str, frame: pl.DataFrame) -> None:
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    buffer = io.BytesIO()
    out = frame.with_columns(
        [
            pl.col(n).dt.strftime("%Y-%m-%d %H:%M:%S%.f+00")
            for n, t in frame.schema.items()
            if isinstance(t, pl.Datetime)
        ]
    )
    out.write_csv(buffer, include_header=False, null_value="\\N")
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor behind Django's wrapper
        with raw.copy(f"COPY \"{table}\" ({columns}) FROM STDIN (FORMAT csv, NULL '\\N')") as copy:
            copy.write(buffer.getvalue())


def insert(table: str, frame: pl.DataFrame) -> int:
    """Insert every row of ``frame`` (column names = database columns)."""
    if frame.height == 0:
        return 0
    if is_postgres():
        for offset in range(0, frame.height, CHUNK * 4):
            _copy(table, frame.slice(offset, CHUNK * 4))
        return frame.height
    _sqlite_tune()
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    marks = ", ".join("?" for _ in frame.columns)
    sql = f'INSERT INTO "{table}" ({columns}) VALUES ({marks})'  # noqa: S608
    raw = connection.connection
    rebuild = _sqlite_indexes_drop(table) if frame.height >= max(REBUILD_MIN_ROWS, _sqlite_rows(table)) else []
    for offset in range(0, frame.height, CHUNK):
        raw.executemany(sql, _sqlite_values(frame.slice(offset, CHUNK)))
    for create in rebuild:
        raw.execute(create)
    return frame.height


def _sqlite_rows(table: str) -> int:
    """About how many rows ``table`` holds (its highest rowid: cheap, and exact enough to compare sizes)."""
    return connection.connection.execute(f'SELECT COALESCE(MAX(rowid), 0) FROM "{table}"').fetchone()[0]  # noqa: S608


def _sqlite_indexes_drop(table: str) -> list[str]:
    """Drop ``table``'s secondary indexes and return the statements that recreate them.

    Inserting as many rows as a table already holds, or more, is several times faster into a bare table followed by
    ``CREATE INDEX`` (one sort per index) than row by row into every index B-tree. Both run inside the batch's
    transaction (SQLite's DDL is transactional), so a failed or killed batch leaves the indexes as they were,
    and a unique index that no longer holds fails the batch as the insert itself would have. The indexes SQLite
    makes for UNIQUE/PRIMARY KEY columns cannot be dropped and stay.
    """
    raw = connection.connection
    found = raw.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", [table]
    ).fetchall()
    for name, _ in found:
        raw.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in found]


REBUILD_MIN_ROWS = 50_000  # below this, rebuilding indexes costs more than it saves


def _sqlite_tune() -> None:
    """A big page cache for bulk writes: index B-trees stay in memory instead of being re-read per row."""
    connection.connection.execute("PRAGMA cache_size = -262144")  # 256 MiB, this connection only


def update(table: str, frame: pl.DataFrame, key: str = "id") -> int:
    """Set the other columns of ``frame`` on the rows whose ``key`` matches."""
    if frame.height == 0:
        return 0
    columns = [c for c in frame.columns if c != key]
    if is_postgres():
        temp = f"_upd_{table}"
        with connection.cursor() as cursor:
            cols = ", ".join(f'"{c}"' for c in columns)
            cursor.execute(
                f'CREATE TEMP TABLE "{temp}" ON COMMIT DROP AS SELECT "{key}", {cols} FROM "{table}" WITH NO DATA'  # noqa: S608
            )
        _copy(temp, frame.select([key, *columns]))
        sets = ", ".join(f'"{c}" = t."{c}"' for c in columns)
        with connection.cursor() as cursor:
            cursor.execute(f'UPDATE "{table}" SET {sets} FROM "{temp}" t WHERE "{table}"."{key}" = t."{key}"')  # noqa: S608
            cursor.execute(f'DROP TABLE "{temp}"')
        return frame.height
    sets = ", ".join(f'"{c}" = ?' for c in columns)
    sql = f'UPDATE "{table}" SET {sets} WHERE "{key}" = ?'  # noqa: S608
    raw = connection.connection
    ordered = frame.select([*columns, key])
    for offset in range(0, ordered.height, CHUNK):
        raw.executemany(sql, _sqlite_values(ordered.slice(offset, CHUNK)))
    return frame.height


def now_utc() -> datetime:
    return datetime.now(UTC)


def upsert(table: str, frame: pl.DataFrame, unique: Sequence[str], update_columns: Sequence[str]) -> int:
    """Insert every row of ``frame``; a row whose ``unique`` columns match an existing row sets ``update_columns``
    on it instead (``INSERT … ON CONFLICT … DO UPDATE``: PostgreSQL through a COPY into a temporary table)."""
    if frame.height == 0:
        return 0
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    conflict = ", ".join(f'"{c}"' for c in unique)
    sets = ", ".join(f'"{c}" = excluded."{c}"' for c in update_columns)
    if is_postgres():
        temp = f"_ups_{table}"
        with connection.cursor() as cursor:
            cursor.execute(
                f'CREATE TEMP TABLE "{temp}" ON COMMIT DROP AS SELECT {columns} FROM "{table}" WITH NO DATA'  # noqa: S608
            )
        for offset in range(0, frame.height, CHUNK * 4):
            _copy(temp, frame.slice(offset, CHUNK * 4))
        with connection.cursor() as cursor:
            cursor.execute(
                f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM "{temp}" '  # noqa: S608
                f"ON CONFLICT ({conflict}) DO UPDATE SET {sets}"
            )
            cursor.execute(f'DROP TABLE "{temp}"')
        return frame.height
    _sqlite_tune()
    marks = ", ".join("?" for _ in frame.columns)
    sql = f'INSERT INTO "{table}" ({columns}) VALUES ({marks}) ON CONFLICT ({conflict}) DO UPDATE SET {sets}'  # noqa: S608
    raw = connection.connection
    for offset in range(0, frame.height, CHUNK):
        raw.executemany(sql, _sqlite_values(frame.slice(offset, CHUNK)))
    return frame.height
