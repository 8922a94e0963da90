"""The must-show analytics benchmark on the city demo: snapshot time, every dashboard panel's query, whole pages.

    ZHIJIAO_HOME=/tmp/city-home uv run zhijiao demo --scale city --setup-only      # once, ~16 min
    ZHIJIAO_HOME=/tmp/city-home uv run python benchmarks/analytics_city.py [--runs 30] [--page-runs 60]

1. **Snapshot**: one ``snapshot_take`` (the whole registry read and written as Parquet), wall time and size.
2. **Panel queries** on DuckDB, as the selectors run them (SQL compiled once per metric and kind of node, the
   node code swapped in): for the city, its largest district, that district's largest school and the school's
   largest grade, every query behind every panel of the overview — first run, p50 and p95 over ``--runs``.
   Each run executes the SQL on DuckDB (no result reuse): the query figure is the engine's.
3. **Pages**: ``zhijiao serve`` is started on ``--port``; a platform administrator signs in through the form and
   the overview of each level (and the printable report, and one xlsx export) is fetched ``--page-runs`` times
   over HTTP — the whole response: session, scope, selectors, template. Twice: with the server keeping query
   rows per snapshot (the default), and with ``ZHIJIAO_ANALYTICS_KEEP_RESULTS=0`` (every view runs every query).

Prints the machine's CPU count and load average before and after: the figures are only as quiet as the machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import django
from timing import timed

ROOT = Path(__file__).resolve().parents[1]


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--page-runs", type=int, default=60)
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--no-snapshot", action="store_true", help="use the latest snapshot as it is")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()

    from zhijiao.analytics import metrics as m
    from zhijiao.analytics import selectors
    from zhijiao.analytics.engine import engine, snapshot_stand_in
    from zhijiao.analytics.models import Snapshot
    from zhijiao.analytics.services import snapshot_take

    print(load())
    if args.no_snapshot:
        snapshot = selectors.snapshot_latest()
    else:
        started = time.perf_counter()
        snapshot = snapshot_take(actor=None)
        print(
            f"snapshot: {time.perf_counter() - started:.1f} s wall (read + write {snapshot.duration_ms / 1000:.1f} s)"
        )
    size_mb = sum(p.stat().st_size for p in Path(snapshot.path).iterdir()) / 2**20
    rows = snapshot.rows
    print(
        f"snapshot {snapshot.taken_on}: students {rows['students']:,}, staff {rows['staff']:,}, "
        f"classes {rows['classes']:,}, schools {rows['schools']:,}; {size_mb:.1f} MB of Parquet"
    )

    tables = selectors.snapshot_tables(snapshot)
    run = engine().rows
    schools = run(m.school_staffing(tables, ""))
    counties = {s["division_code"] for s in schools}
    root = ""
    for length in (2, 4, 6):  # the smallest division holding every school, as the overview opens on
        level = {c[:length] for c in counties}
        if len(level) != 1:
            break
        root = level.pop()
    district = max(counties, key=lambda d: sum(s["students"] for s in schools if s["division_code"] == d))
    school = max((s for s in schools if s["division_code"] == district), key=lambda s: s["students"])["school_code"]
    sizes = [r for r in run(m.class_sizes(tables, school)) if r["grade"]]
    grade = max({r["grade"] for r in sizes}, key=lambda g: sum(r["size"] for r in sizes if r["grade"] == g))
    levels = {"city": root, "district": district, "school": school}
    print(f"nodes: city {root or '(all)'}, district {district}, school {school}, grade {grade} of that school")

    stand_in = m.unbound_tables(snapshot_stand_in(0))
    panels: dict[str, list[str]] = {
        "关键指标 / 各学段": ["totals", "students_by_stage", "class_size_summary"],
        "班额分布": ["class_size_bands"],
        "学生构成": ["students_by_sex", "students_by_study_mode"],
        "教职工构成": ["staff_by_category"],
        "对比表 (children)": ["children"],
        "各年级 / 各班 (class_sizes)": ["class_sizes"],
        "各班构成 (class_mix)": ["class_mix"],
    }

    def query(name: str, node: str) -> list:
        build = m.METRICS[name].build
        return engine().query(name, lambda code: build(stand_in, code), node, days=[snapshot.taken_on], reuse=False)

    kept = [s for s in reversed(Snapshot.objects.order_by("-taken_on")[: selectors.TREND_POINTS])]
    days = [s.taken_on for s in kept if Path(s.path).is_dir()]
    history = [(day, m.unbound_tables(snapshot_stand_in(i))) for i, day in enumerate(days)]

    def trend(node: str) -> list:
        return engine().query(("trend", *days), lambda code: m.trend(history, code), node, days=days, reuse=False)

    print(f"\npanel queries on DuckDB, ms (first run compiles the SQL; then {args.runs} runs, none reusing rows):")
    print(f"{'panel':<28}{'query':<24}{'level':<10}{'rows':>7}{'first':>9}{'p50':>9}{'p95':>9}")
    for s in kept:
        selectors.snapshot_tables(s)  # attach every day the trend reads
    worst: tuple[float, str] = (0.0, "")
    for panel, names in panels.items():
        for name in names:
            for label, node in levels.items():
                if name in ("class_sizes", "class_mix") and label != "school":
                    continue  # the grade tables and the grade page read these at a school only
                if name == "children" and label == "school":
                    continue
                n = len(query(name, node))
                first, p50, p95 = timed(lambda name=name, node=node: query(name, node), args.runs)
                worst = max(worst, (p95, f"{name} at {label}"))
                print(f"{panel:<28}{name:<24}{label:<10}{n:>7}{first:>9.1f}{p50:>9.1f}{p95:>9.1f}")
    for label, node in levels.items():
        first, p50, p95 = timed(lambda node=node: trend(node), args.runs)
        worst = max(worst, (p95, f"trend at {label}"))
        print(f"{'变化趋势':<28}{'trend':<24}{label:<10}{'':>7}{first:>9.1f}{p50:>9.1f}{p95:>9.1f}")
    print(f"slowest panel query p95: {worst[0]:.1f} ms ({worst[1]})")

    print("\nwhole dashboards in process (selectors, every panel), ms — first view of a snapshot (no kept rows):")
    dashboards = {
        **{
            label: (lambda node=node: selectors.node_dashboard(actor=None, node=node)) for label, node in levels.items()
        },
        "grade": lambda: selectors.grade_dashboard(actor=None, school=school, grade=grade),
    }
    for label, fn in dashboards.items():

        def cold(fn: Callable[[], object] = fn) -> None:
            engine().results_clear()
            fn()

        first, p50, p95 = timed(cold, args.runs)
        print(f"{'dashboard, first view':<28}{'':<24}{label:<10}{'':>7}{first:>9.1f}{p50:>9.1f}{p95:>9.1f}")
    for label, fn in dashboards.items():
        first, p50, p95 = timed(fn, args.runs)
        print(f"{'dashboard, later views':<28}{'':<24}{label:<10}{'':>7}{first:>9.1f}{p50:>9.1f}{p95:>9.1f}")
    print(load())

    for keep in ("1", "0"):
        pages(args, root, district, school, grade, keep=keep)
        print(load())


def pages(args, root: str, district: str, school: str, grade: str, *, keep: str) -> None:
    import requests

    sys.path.insert(0, str(ROOT / "scripts"))
    from screenshots import demo_totp_secret, fresh_totp, wait_until_up

    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "zhijiao.cli", "serve", "--port", str(args.port)],
        env={**os.environ, "ZHIJIAO_ANALYTICS_KEEP_RESULTS": keep},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(base)
        session = requests.Session()
        session.get(f"{base}/accounts/login/", timeout=30)
        secret = demo_totp_secret("admin") or ""
        from zhijiao.demo.setup import demo_password

        answer = session.post(
            f"{base}/accounts/login/",
            data={
                "username": "admin",
                "password": demo_password(),
                "otp_token": fresh_totp(secret) if secret else "",  # a code is accepted once
                "csrfmiddlewaretoken": session.cookies.get("csrftoken", ""),
            },
            headers={"Referer": f"{base}/accounts/login/"},
            timeout=30,
            allow_redirects=False,
        )
        if answer.status_code != 302:
            raise SystemExit(f"sign-in failed: the login form answered {answer.status_code}")
        check = session.get(f"{base}/analytics/", timeout=60, allow_redirects=False)
        if check.status_code != 200:
            raise SystemExit(f"sign-in failed: /analytics/ answered {check.status_code}")
        urls = {
            "city": f"/analytics/{root}/" if root else "/analytics/",
            "district": f"/analytics/{district}/",
            "school": f"/analytics/{school}/",
            "grade": f"/analytics/{school}/grade/{grade}/",
            "report (city)": f"/analytics/{root}/report/" if root else "/analytics/report/",
            "xlsx all (district)": f"/analytics/{district}/export/all.xlsx",
        }
        rows = "query rows kept per snapshot (the default)" if keep == "1" else "every query run (KEEP_RESULTS=0)"
        print(f"\npages over HTTP (zhijiao serve, {rows}; {args.page_runs} runs each after one), ms:")
        print(f"{'page':<22}{'url':<44}{'KB':>7}{'first':>9}{'p50':>9}{'p95':>9}")
        for label, url in urls.items():
            got: dict[str, int] = {}

            def fetch(url: str = url, got: dict[str, int] = got) -> None:
                response = session.get(f"{base}{url}", timeout=60)
                if response.status_code != 200:
                    raise SystemExit(f"{url} answered {response.status_code}")
                got["bytes"] = len(response.content)

            first, p50, p95 = timed(fetch, args.page_runs)
            print(f"{label:<22}{url:<44}{got['bytes'] / 1024:>7.0f}{first:>9.1f}{p50:>9.1f}{p95:>9.1f}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
