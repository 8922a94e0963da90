"""Timing helpers shared by the benchmarks (run as scripts: ``benchmarks/`` is on ``sys.path``)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float, float]:
    """(first run, p50, p95) in milliseconds."""
    started = time.perf_counter()
    fn()
    first = (time.perf_counter() - started) * 1000
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return first, percentile(samples, 0.5), percentile(samples, 0.95)


def migrated_database(database_url: str | None) -> None:
    """Set Django up on a migrated database: ``database_url`` (PostgreSQL) is dropped and created afresh, else the
    SQLite file of ``ZHIJIAO_HOME``."""
    if database_url:
        import psycopg

        parts = urlsplit(database_url)
        with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}"')
            conn.execute(f'CREATE DATABASE "{parts.path.lstrip("/")}"')
        os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def db_backend_cpu() -> float | None:
    """CPU seconds of this connection's PostgreSQL backend so far (/proc of the server on this machine), else None:
    COPY, the foreign-key checks at commit and the upserts run there, not in this process."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
