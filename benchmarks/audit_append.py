"""The audit append under concurrency, as audited reads make it: several processes × threads, each "request" doing
some CPU work and then one ``audit_record`` outside a transaction; appends/s, the append's latency (p50/p95/p99)
and CPU per request, with the group commit on and off.

    uv run python benchmarks/audit_append.py [--processes 2] [--threads 8] [--seconds 10] [--work-ms 1.5]
                                             [--home DIR] [--database-url URL]

A fresh ``$ZHIJIAO_HOME`` (migrated; or ``--home`` an existing one, e.g. the district demo's) or ``--database-url``
(PostgreSQL: its own database). ``--work-ms``: CPU burnt in Python before each append, holding the GIL as the rest
of a request does (≈ 1.5–3 ms on the reference machine). The chain is verified at the end.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path


def _setup(home: str, database_url: str, group: bool) -> None:
    os.environ["ZHIJIAO_HOME"] = home
    os.environ["ZHIJIAO_AUDIT_GROUP_COMMIT"] = "1" if group else "0"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    import django

    django.setup()


def _burn(ms: float) -> None:
    end = time.thread_time() + ms / 1000
    x = 0
    while time.thread_time() < end:
        for i in range(200):
            x += i * i


def _process(home: str, database_url: str, group: bool, threads: int, seconds: float, work_ms: float, out) -> None:
    if os.environ.get("BENCH_SWITCH_MS"):
        sys.setswitchinterval(float(os.environ["BENCH_SWITCH_MS"]) / 1000)
    _setup(home, database_url, group)
    from django.db import connection

    from zhijiao.audit.services import Origin, Target, audit_record

    latencies: list[float] = []
    lock = threading.Lock()
    start_cpu = time.process_time()
    deadline = time.monotonic() + seconds

    def run(n: int) -> None:
        mine = []
        i = 0
        try:
            while time.monotonic() < deadline:
                _burn(work_ms)
                t = time.perf_counter()
                audit_record(
                    actor=None,
                    action="person.view_pii",
                    origin=Origin(channel="api", ip="127.0.0.1", user_agent="bench"),
                    target=Target("student", f"{os.getpid()}-{n}-{i}", "学生"),
                    fields=["id_number", "phone"],
                )
                mine.append(time.perf_counter() - t)
                i += 1
        finally:
            connection.close()
        with lock:
            latencies.extend(mine)

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    out.put((latencies, time.process_time() - start_cpu))


def measure(home: str, database_url: str, *, group: bool, processes: int, threads: int, seconds: float, work_ms: float):
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [
        ctx.Process(target=_process, args=(home, database_url, group, threads, seconds, work_ms, out))
        for _ in range(processes)
    ]
    started = time.monotonic()
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    wall = time.monotonic() - started
    latencies = sorted(x for lat, _ in results for x in lat)
    cpu = sum(c for _, c in results)
    n = len(latencies)
    q = statistics.quantiles(latencies, n=100) if n > 1 else [0.0] * 99
    return {
        "group": group,
        "appends": n,
        "per_second": n / seconds,
        "p50_ms": q[49] * 1000,
        "p95_ms": q[94] * 1000,
        "p99_ms": q[98] * 1000,
        "max_ms": latencies[-1] * 1000 if n else 0.0,
        "cpu_ms_per_request": cpu * 1000 / max(n, 1),
        "wall": wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--work-ms", type=float, default=1.5)
    parser.add_argument("--home", default="")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--rounds", type=int, default=2, help="off/on pairs, alternated")
    args = parser.parse_args()

    home = args.home or tempfile.mkdtemp(prefix="zhijiao-bench-audit-")
    Path(home).mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "ZHIJIAO_HOME": home}
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    import subprocess

    subprocess.run([sys.executable, "-m", "zhijiao.cli", "migrate", "-v", "0"], env=env, check=True)

    print(
        f"{args.processes} processes × {args.threads} threads, {args.work_ms} ms of CPU per request before its append, "
        f"{args.seconds:.0f} s per run, {'PostgreSQL' if args.database_url else 'SQLite'}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}\n"
    )
    print("| group commit | appends/s | append p50 / p95 / p99 / max ms | CPU ms per request |")
    print("|---|---|---|---|")
    for _ in range(args.rounds):
        for group in (False, True):
            r = measure(
                home,
                args.database_url,
                group=group,
                processes=args.processes,
                threads=args.threads,
                seconds=args.seconds,
                work_ms=args.work_ms,
            )
            print(
                f"| {'on' if group else 'off'} | {r['per_second']:,.0f} | {r['p50_ms']:.1f} / {r['p95_ms']:.1f} / "
                f"{r['p99_ms']:.1f} / {r['max_ms']:.0f} | {r['cpu_ms_per_request']:.2f} |",
                flush=True,
            )
    _setup(home, args.database_url, True)
    from zhijiao.audit.selectors import audit_chain_verify

    problems = audit_chain_verify()
    print(f"\nchain verified: {'intact' if not problems else problems[:3]}")
    if problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
