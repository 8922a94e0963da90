"""Ten million statements in the learning record store on PostgreSQL: query p95 by agent, by activity and since.

    uv run python benchmarks/xapi_10m.py [--database-url URL] [--total 10000000] [--seed 20000] [--runs 100]

1. A fresh PostgreSQL database (dropped and created), ``zhijiao migrate``, one app's credentials, ``zhijiao serve``.
2. ``--seed`` statements POSTed over HTTP in batches of 100 (the ingest rate printed is this, over HTTP): the rows,
   links and activities exactly as the store writes them.
3. The store is grown to ``--total`` inside PostgreSQL: each seed row copied with a new statement id (in ``id`` and
   in the JSON), another pupil (``actor`` and its link; 50,000 pupils in all) and an earlier ``stored`` time, every
   other column as the seed row has it; its links copied with it. The indexes are dropped during the copy and
   rebuilt after it (their definitions as migrations made them), then ``ANALYZE``.
4. Over HTTP, ``--runs`` times each with varying values: a pupil's statements (``agent``), a lesson's statements
   (``activity``, with ``related_activities``), the newest since a time (``since``), limit 100 — median and p95.
5. Table and index sizes: disk per million statements.
"""
# ruff: noqa: S608 — the SQL is built from this script's constants and the catalogue's column names, no user input

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from live_server import database_reset, psql, serve_start, wait_until_up, zhijiao
from xapi_lrs import _statement

PUPILS = 50_000
HOME = "urn:zhijiao:sub"


def _columns(url: str, table: str) -> list[str]:
    rows = psql(url, f"SELECT column_name FROM information_schema.columns WHERE table_name = '{table}' ORDER BY 1")
    return rows.splitlines()


def _grow(url: str, total: int) -> float:
    """Copy the seed rows until the store holds ``total`` statements; the seconds it took."""
    seed = int(psql(url, "SELECT count(*) FROM xapi_statement"))
    copies = max(0, (total - seed) // seed)
    started = time.perf_counter()
    indexes = psql(
        url,
        "SELECT indexname || '|' || indexdef FROM pg_indexes WHERE tablename IN ('xapi_statement', "
        "'xapi_statementlink') AND indexname NOT IN (SELECT conname FROM pg_constraint)",
    ).splitlines()
    constraints = psql(
        url,
        "SELECT conrelid::regclass || '|' || conname || '|' || pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid IN ('xapi_statement'::regclass, 'xapi_statementlink'::regclass) AND contype IN ('u', 'f')",
    ).splitlines()
    for line in constraints:
        table, name, _ = line.split("|", 2)
        psql(url, f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for line in indexes:
        name = line.split("|", 1)[0]
        psql(url, f'DROP INDEX IF EXISTS "{name}"')
    statement_columns = [c for c in _columns(url, "xapi_statement") if c != "id"]
    override = {
        "statement_id": "m.new_id",
        "data": "jsonb_set(jsonb_set(s.data::jsonb, '{id}', to_jsonb(m.new_id::text)), '{actor,account,name}', "
        "to_jsonb('pupil-' || m.pupil))",
        "actor_ifi": "'account:urn:zhijiao:sub|pupil-' || m.pupil",
        "stored": "s.stored - make_interval(mins => m.g)",
    }
    select = ", ".join(override.get(c, f"s.{c}") for c in statement_columns)
    link_columns = [c for c in _columns(url, "xapi_statementlink") if c != "id"]
    link_override = {
        "statement_id": "n.id",
        "value": "CASE WHEN l.kind = 'agent' AND l.value = s.actor_ifi THEN n.actor_ifi ELSE l.value END",
    }
    link_select = ", ".join(link_override.get(c, f"l.{c}") for c in link_columns)
    psql(url, "CREATE UNLOGGED TABLE seed_stmts AS SELECT * FROM xapi_statement")
    psql(url, "CREATE UNLOGGED TABLE seed_links AS SELECT * FROM xapi_statementlink")
    step = max(1, 1_000_000 // seed)  # about a million statements per transaction
    for first in range(1, copies + 1, step):
        last = min(copies, first + step - 1)
        psql(
            url,
            f"""
            WITH m AS MATERIALIZED (
              SELECT s.id AS seed, g, gen_random_uuid() AS new_id, ((s.id * 7919 + g * 104729) % {PUPILS}) AS pupil
              FROM seed_stmts s CROSS JOIN generate_series({first}, {last}) g
            ), ins AS (
              INSERT INTO xapi_statement ({", ".join(statement_columns)})
              SELECT {select} FROM m JOIN seed_stmts s ON s.id = m.seed
              RETURNING id, statement_id, actor_ifi
            )
            INSERT INTO xapi_statementlink ({", ".join(link_columns)})
              SELECT {link_select} FROM ins n
              JOIN m ON m.new_id = n.statement_id
              JOIN seed_stmts s ON s.id = m.seed
              JOIN seed_links l ON l.statement_id = m.seed
            """,
        )
        print(f"  {seed * (last + 1):,} statements after {time.perf_counter() - started:.0f} s", flush=True)
    psql(url, "DROP TABLE seed_stmts; DROP TABLE seed_links")
    for line in constraints:
        table, name, definition = line.split("|", 2)
        psql(url, f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for line in indexes:
        name, definition = line.split("|", 1)
        psql(url, definition)
    psql(url, "ANALYZE xapi_statement; ANALYZE xapi_statementlink;")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/zh_xapi_10m")
    parser.add_argument("--total", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--reuse", action="store_true", help="query an already grown database")
    args = parser.parse_args()
    env = dict(os.environ, ZHIJIAO_HOME=tempfile.mkdtemp(prefix="zh-xapi-10m-"), DATABASE_URL=args.database_url)
    if not args.reuse:
        database_reset(args.database_url)
        zhijiao("migrate", env=env)
    creds = json.loads(zhijiao("xapi", "credentials", "--app", "ten-million", "--json", env=env))
    server, base = serve_start(env, threads=8, workers=2, quiet_errors=True)
    try:
        wait_until_up(base, seconds=60)
        session = requests.Session()
        session.auth = (creds["key"], creds["secret"])
        session.headers["X-Experience-API-Version"] = "1.0.3"
        if not args.reuse:
            rng = random.Random(1011)
            statements = [_statement(rng, 200) for _ in range(args.seed)]
            started = time.perf_counter()
            for i in range(0, len(statements), 100):
                session.post(f"{base}/xapi/statements", json=statements[i : i + 100], timeout=120).raise_for_status()
            seconds = time.perf_counter() - started
            print(f"ingest over HTTP: {args.seed:,} statements in batches of 100, {args.seed / seconds:,.0f} /s")
            grown = _grow(args.database_url, args.total)
            print(f"grown inside PostgreSQL in {grown:.0f} s (indexes rebuilt, analysed)")
        count = int(psql(args.database_url, "SELECT count(*) FROM xapi_statement"))
        stored = psql(args.database_url, "SELECT min(stored) || '|' || max(stored) FROM xapi_statement").split("|")
        rng = random.Random(7)
        cases = {
            "agent": lambda: {
                "agent": json.dumps(
                    {"account": {"homePage": "urn:zhijiao:sub", "name": f"pupil-{rng.randrange(PUPILS)}"}}
                ),
                "limit": 100,
            },
            "activity + related": lambda: {
                "activity": f"http://zuoye.example.cn/lessons/{rng.randrange(50)}",
                "related_activities": "true",
                "limit": 100,
            },
            "activity (object only)": lambda: {
                "activity": f"http://zuoye.example.cn/exercises/{rng.randrange(50)}/{rng.randrange(20)}",
                "limit": 100,
            },
            "since": lambda: {"since": stored[1][:19].replace(" ", "T") + "Z", "limit": 100},
        }
        print(f"{count:,} statements; {args.runs} runs of each query, limit 100, over HTTP (2 processes × 8 threads)")
        for label, params in cases.items():
            times = []
            for _ in range(args.runs):
                began = time.perf_counter()
                response = session.get(f"{base}/xapi/statements", params=params(), timeout=120)
                response.raise_for_status()
                response.json()
                times.append((time.perf_counter() - began) * 1000)
            times.sort()
            print(
                f"  {label}: median {statistics.median(times):.1f} ms, p95 {times[int(len(times) * 0.95) - 1]:.1f} ms"
            )
        sizes = psql(
            args.database_url,
            "SELECT relname || '|' || pg_total_relation_size(oid) FROM pg_class "
            "WHERE relname IN ('xapi_statement', 'xapi_statementlink', 'xapi_activity')",
        ).splitlines()
        total_bytes = 0
        for line in sizes:
            table, size = line.split("|")
            total_bytes += int(size)
            print(f"  {table}: {int(size) / 2**30:.2f} GiB with indexes")
        print(f"  disk per million statements: {total_bytes / count * 1e6 / 2**30:.2f} GiB")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
