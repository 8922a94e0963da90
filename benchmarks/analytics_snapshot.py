"""Time warehouse snapshots and metric queries on DuckDB over a prepared demo.

    ZHIJIAO_HOME=/tmp/analytics-home uv run zhijiao demo --scale district --setup-only
    ZHIJIAO_HOME=/tmp/analytics-home uv run python benchmarks/analytics_snapshot.py [--runs 30]

Prints the snapshot time (median of ``--snapshots`` runs, each a full read of the registry and a Parquet write),
then p50/p95 in milliseconds of every metric, of the whole key-figures contract and of the overview page, for the
whole platform, the largest division and one school — each run ``--runs`` times after one warm-up run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import django
from timing import timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--snapshots", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()

    from django.test import Client

    from zhijiao.access.roles import Role
    from zhijiao.analytics import metrics as m
    from zhijiao.analytics.engine import engine
    from zhijiao.analytics.selectors import metric_rows, node_figures, snapshot_latest, snapshot_tables
    from zhijiao.analytics.services import snapshot_take
    from zhijiao.identity.models import Account
    from zhijiao.org.models import School
    from zhijiao.testing import login_as

    if not School.objects.exists():
        raise SystemExit("没有登记数据：先运行 zhijiao demo --scale district --setup-only")

    durations = []
    for _ in range(args.snapshots):
        started = time.perf_counter()
        snapshot = snapshot_take(actor=None)
        durations.append(time.perf_counter() - started)
    rows = snapshot.rows
    size_mb = sum(p.stat().st_size for p in os.scandir(snapshot.path)) / 2**20
    print(f"cpus={os.cpu_count()} students={rows['students']} staff={rows['staff']} classes={rows['classes']}")
    print(
        f"snapshot: median {statistics.median(durations):.2f} s over {args.snapshots} runs "
        f"(read+write inside: {snapshot.duration_ms} ms), {size_mb:.1f} MB of Parquet"
    )

    tables = snapshot_tables(snapshot_latest())
    run = engine().rows
    schools = run(m.school_staffing(tables, ""))
    largest = max(schools, key=lambda s: s["students"])
    divisions = {s["division_code"] for s in schools}
    district = max(divisions, key=lambda d: sum(s["students"] for s in schools if s["division_code"] == d))
    nodes = {"platform": "", "district": district, "school": largest["school_code"]}

    print("per metric, as the API serves it (selectors: scope, node lookup, SQL compiled once per kind of node;")
    print("kept rows dropped before each run, so every run executes the SQL):")
    print(f"{'query':<24}{'node':<10}{'first ms':>10}{'p50 ms':>10}{'p95 ms':>10}")
    worst = 0.0
    for name in m.METRICS:
        for label, node in nodes.items():

            def fresh(name: str = name, node: str = node) -> object:
                engine().results_clear()
                return metric_rows(actor=None, metric=name, node=node)

            first, p50, p95 = timed(fresh, args.runs)
            worst = max(worst, p95)
            print(f"{name:<24}{label:<10}{first:>10.1f}{p50:>10.1f}{p95:>10.1f}")
    for label, node in nodes.items():
        first, p50, p95 = timed(
            lambda node=node: (engine().results_clear(), node_figures(actor=None, node=node)), args.runs
        )
        worst = max(worst, p95)
        print(f"{'key figures (contract)':<24}{label:<10}{first:>10.1f}{p50:>10.1f}{p95:>10.1f}")
    print(f"slowest p95: {worst:.1f} ms")
    admin = Account.objects.filter(grants__role=Role.PLATFORM_ADMIN).first()
    if admin is not None:
        client = Client(HTTP_HOST="127.0.0.1")
        login_as(client, admin)
        print("overview page /analytics/<node>/ (whole response: selectors, template; Django test client; rows kept):")
        for label, node in nodes.items():
            url = f"/analytics/{node}/" if node else "/analytics/"
            first, p50, p95 = timed(lambda url=url: client.get(url), args.runs)
            print(f"{'page':<24}{label:<10}{first:>10.1f}{p50:>10.1f}{p95:>10.1f}")
    print("building and compiling an Ibis expression each time instead (what the SQL cache saves):")
    for name in ("totals", "school_staffing", "class_size_summary"):
        first, p50, p95 = timed(lambda name=name: run(m.METRICS[name].build(tables, district)), args.runs)
        print(f"{name:<24}{'district':<10}{first:>10.1f}{p50:>10.1f}{p95:>10.1f}")


if __name__ == "__main__":
    main()
