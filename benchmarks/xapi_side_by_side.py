"""Zhijiao's learning record store beside a peer LRS (ADL LRS), both on PostgreSQL on this machine.

    uv run python benchmarks/xapi_side_by_side.py --peer http://127.0.0.1:8199/xapi --peer-auth USER:PASS \
        [--singles 2000] [--batched 20000] [--concurrency 8] [--runs 50] [--workers 2] [--threads 8]

Zhijiao: a fresh PostgreSQL database (``--database-url``, default ``zh_xapi_side``, dropped and created), one app's
credentials from ``zhijiao xapi credentials``, ``zhijiao serve`` with ``--workers`` processes × ``--threads``. The
peer is started by hand (docs/benchmarks.md has the commands for ADL LRS under gunicorn with the same processes ×
threads) on its own empty PostgreSQL database.

The same statements (seeded) go to both, in the same order, from the same client:

* single POSTs: ``--singles`` statements, one per request, ``--concurrency`` client threads;
* batches: ``--batched`` statements in POSTs of 100, ``--concurrency`` client threads;
* queries, one after another, ``--runs`` each: a pupil's statements (``agent``), a lesson's statements (``activity``
  with ``related_activities``), the newest since a time (``since``), limit 100 — median and p95 in ms.

Each figure is printed for both servers and as a ratio; a target's database size after the run is printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from live_server import database_reset, psql, serve_start, wait_until_up, zhijiao
from xapi_lrs import _statement

HEADERS = {"X-Experience-API-Version": "1.0.3", "Content-Type": "application/json"}


def _database_size(url: str) -> int:
    return int(psql(url, f"SELECT pg_database_size('{urlsplit(url).path.lstrip('/')}')"))


class Target:
    def __init__(self, name: str, endpoint: str, auth: tuple[str, str]) -> None:
        self.name, self.endpoint, self.auth = name, endpoint.rstrip("/"), auth
        self.local = threading.local()
        self.lock = threading.Lock()
        self.errors = 0
        self.failed = 0

    def session(self) -> requests.Session:
        session = getattr(self.local, "session", None)
        if session is None:
            session = requests.Session()
            session.auth = self.auth
            session.headers.update(HEADERS)
            self.local.session = session
        return session

    def post(self, body: object) -> None:
        """POST, retrying a server error (a deadlock under concurrent writes) up to five times; each counted, and a
        POST that fails six times is given up and counted (its statements are not stored)."""
        for _ in range(6):
            response = self.session().post(f"{self.endpoint}/statements", data=json.dumps(body), timeout=120)
            if response.status_code == 200:
                return
            if response.status_code < 500:
                raise SystemExit(f"{self.name}: POST answered {response.status_code}: {response.text[:300]}")
            with self.lock:
                self.errors += 1
        with self.lock:  # given up: counted and reported beside the rate
            self.failed += 1

    def get(self, params: dict) -> float:
        started = time.perf_counter()
        response = self.session().get(f"{self.endpoint}/statements", params=params, timeout=120)
        if response.status_code != 200:
            raise SystemExit(f"{self.name}: GET answered {response.status_code}: {response.text[:300]}")
        response.json()
        return (time.perf_counter() - started) * 1000


def _rate(target: Target, bodies: list, concurrency: int, count: int) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(target.post, bodies))
    return count / (time.perf_counter() - started)


def _pupil(n: int) -> dict:
    return {"account": {"homePage": "urn:zhijiao:sub", "name": f"pupil-{n}"}}


def _queries(target: Target, runs: int, since: str) -> dict[str, tuple[float, float]]:
    cases = {
        "agent": lambda i: {"agent": json.dumps(_pupil(i % 50)), "limit": 100},
        "activity + related": lambda i: {
            "activity": f"http://zuoye.example.cn/lessons/{i % 50}",
            "related_activities": "true",
            "limit": 100,
        },
        "since": lambda i: {"since": since, "limit": 100},
    }
    figures = {}
    for name, params in cases.items():
        times = sorted(target.get(params(i)) for i in range(runs))
        figures[name] = (statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)])
    return figures


def _run(target: Target, args: argparse.Namespace) -> dict:
    rng = random.Random(9274)
    singles = [_statement(rng, args.pupils) for _ in range(args.singles)]
    batched = [_statement(rng, args.pupils) for _ in range(args.batched)]
    batches = [batched[i : i + 100] for i in range(0, len(batched), 100)]
    figures: dict = {}
    for concurrency in args.concurrency:
        half = len(singles) // len(args.concurrency)
        part = singles[:half] if concurrency == args.concurrency[0] else singles[half:]
        figures[f"singles, {concurrency} client(s)"] = _rate(target, part, concurrency, len(part))
    since = (datetime.now(UTC) - timedelta(seconds=5)).isoformat()
    for concurrency in args.concurrency:
        half = len(batches) // len(args.concurrency)
        part = batches[:half] if concurrency == args.concurrency[0] else batches[half:]
        figures[f"batches of 100, {concurrency} client(s)"] = _rate(target, part, concurrency, 100 * len(part))
    figures["errors"], figures["failed"] = target.errors, target.failed
    figures["queries"] = _queries(target, args.runs, since)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--peer", help="the peer LRS endpoint, e.g. http://127.0.0.1:8199/xapi")
    parser.add_argument("--peer-auth", default="bench:benchpass")
    parser.add_argument("--peer-database-url", help="to print the peer's database size")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/zh_xapi_side")
    parser.add_argument("--singles", type=int, default=2000)
    parser.add_argument("--batched", type=int, default=20000)
    parser.add_argument("--pupils", type=int, default=200)
    parser.add_argument(
        "--concurrency",
        type=lambda v: [int(x) for x in v.split(",")],
        default=[1, 8],
        help="client threads for the writes, e.g. 1,8: the statements are shared between the settings",
    )
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()

    results: dict[str, dict] = {}
    database_reset(args.database_url)
    env = dict(os.environ, ZHIJIAO_HOME=tempfile.mkdtemp(prefix="zh-xapi-side-"), DATABASE_URL=args.database_url)
    zhijiao("migrate", env=env)
    creds = json.loads(zhijiao("xapi", "credentials", "--app", "side-by-side", "--json", env=env))
    server, base = serve_start(env, threads=args.threads, workers=args.workers)
    try:
        wait_until_up(base, seconds=60)
        results["Zhijiao"] = _run(Target("Zhijiao", f"{base}/xapi", (creds["key"], creds["secret"])), args)
        results["Zhijiao"]["bytes"] = _database_size(args.database_url)
    finally:
        server.terminate()
        server.wait(timeout=30)
    if args.peer:
        user, _, password = args.peer_auth.partition(":")
        results["peer"] = _run(Target("peer", args.peer, (user, password)), args)
        if args.peer_database_url:
            results["peer"]["bytes"] = _database_size(args.peer_database_url)

    print(
        f"{args.singles} single POSTs and {args.batched} statements in batches of 100, shared between "
        f"{args.concurrency} client threads; {args.runs} runs of each query"
    )
    names = list(results)
    print("| figure | " + " | ".join(names) + (" | Zhijiao ÷ peer |" if len(names) > 1 else " |"))
    print("|---" * (len(names) + 1 + (len(names) > 1)) + "|")

    def row(label: str, values: list[float], unit: str, higher_better: bool) -> None:
        cells = [f"{v:,.0f} {unit}" if unit == "statements/s" else f"{v:.1f} {unit}" for v in values]
        ratio = ""
        if len(values) > 1:
            ratio = f" | {values[0] / values[1]:.1f}×" if higher_better else f" | {values[1] / values[0]:.1f}× faster"
        print(f"| {label} | " + " | ".join(cells) + ratio + " |")

    for key in results["Zhijiao"]:
        if key.startswith(("singles", "batches")):
            row(f"POST {key}", [results[n][key] for n in names], "statements/s", True)
    for query in results["Zhijiao"]["queries"]:
        row(f"GET {query} p50", [results[n]["queries"][query][0] for n in names], "ms", False)
        row(f"GET {query} p95", [results[n]["queries"][query][1] for n in names], "ms", False)
    for n in names:
        print(f"{n}: {results[n]['errors']} server errors retried, {results[n]['failed']} POSTs given up after six")
        if "bytes" in results[n]:
            total = args.singles + args.batched
            print(
                f"{n}: database {results[n]['bytes'] / 2**20:.0f} MiB after {total:,} statements "
                f"({results[n]['bytes'] / total * 1e6 / 2**30:.2f} GiB per million)"
            )


if __name__ == "__main__":
    main()
