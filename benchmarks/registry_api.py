"""The registry API under load: requests per second, p50/p95 latency and server CPU per request, beside ``/healthz``.

    uv run python benchmarks/registry_api.py [--scale district] [--home DIR] [--requests 2000] [--concurrency 16]
                                             [--threads 8] [--workers 2] [--account bureau]
                                             [--database-url postgres://…/zh_bench]

Needs ApacheBench (``ab``; Debian/Ubuntu: ``sudo apt-get install -y apache2-utils``).

A fresh ``$ZHIJIAO_HOME`` with the demo region (``zhijiao demo --setup-only --scale …``; ``--home`` reuses one
built before, so repeated runs skip the build), a bearer token for the demo region administrator (``zhijiao
api-token bureau``: the whole district, unmasked reads that are audited) and the real server (``zhijiao serve``:
waitress, SQLite; ``--workers N`` web processes, default 2, as on the 2-core reference machine; 1 is the single
process) on a free loopback port. Each endpoint gets a warm-up, then ``--requests`` requests with
``--concurrency`` in flight. The server's own CPU time (utime + stime from ``/proc/<pid>/stat``, all its threads)
is read before and after each run and divided by the requests: the fair figure on a machine where ``ab`` shares
the cores with the server. With several web processes it is the sum over the server process and its children.

``--database-url`` (or ``DATABASE_URL`` in the environment): the region lives in that database instead of the home's
SQLite file (PostgreSQL: give the benchmark a database of its own; it is built once, as the home is, and
``--home`` must then be the home built with it: the demo accounts file marks a built region). The database
server's own CPU is not in the server CPU column: it is measured apart (``postgres`` processes' utime + stime,
"db CPU ms/request").
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import requests
from live_server import serve_start, wait_until_up, zhijiao

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    name: str
    path: str
    requests: int
    failed: int
    non_2xx: int
    per_second: float
    p50_ms: float
    p95_ms: float
    cpu_ms_per_request: float
    db_cpu_ms_per_request: float | None = None


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()  # the fields after "pid (comm)"


def server_cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads) and of its live child processes (the web processes of
    ``zhijiao serve --workers``), in seconds."""
    pids = [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat(int(entry.name))[1]) == pid:
                    pids.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    total = 0
    for p in pids:
        try:
            fields = _stat(p)
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5)
    return total / TICKS


def _pid_cpu_seconds(pid: int) -> float:
    try:
        fields = _stat(pid)
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


class DatabaseCpu:
    """CPU of the PostgreSQL backends serving the benchmark's database (``pg_stat_activity``; the database server must
    run on this machine, as the reference setup's does). Backends of other databases (other sessions) are left out."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.connection = psycopg.connect(url, autocommit=True)

    def pids(self) -> set[int]:
        rows = self.connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
        return {int(pid) for (pid,) in rows}

    def snapshot(self) -> dict[int, float]:
        return {pid: _pid_cpu_seconds(pid) for pid in self.pids()}

    @staticmethod
    def spent(before: dict[int, float], after: dict[int, float]) -> float:
        return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def _number(pattern: str, text: str, default: float = 0.0) -> float:
    match = re.search(pattern, text, re.MULTILINE)
    return float(match.group(1)) if match else default


def ab(url: str, *, token: str, requests_: int, concurrency: int) -> str:
    command = ["ab", "-q", "-n", str(requests_), "-c", str(concurrency), "-H", f"Authorization: Bearer {token}", url]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"ab failed on {url}:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def measure(
    name: str,
    base: str,
    path: str,
    *,
    pid: int,
    token: str,
    requests_: int,
    concurrency: int,
    database: DatabaseCpu | None = None,
) -> Run:
    ab(base + path, token=token, requests_=max(50, requests_ // 10), concurrency=concurrency)  # warm-up
    db_before = database.snapshot() if database else {}
    before = server_cpu_seconds(pid)
    out = ab(base + path, token=token, requests_=requests_, concurrency=concurrency)
    cpu = server_cpu_seconds(pid) - before
    db_cpu = DatabaseCpu.spent(db_before, database.snapshot()) if database else None
    return Run(
        name=name,
        path=path,
        requests=requests_,
        failed=int(_number(r"^Failed requests:\s+(\d+)", out)),
        non_2xx=int(_number(r"^Non-2xx responses:\s+(\d+)", out)),
        per_second=_number(r"^Requests per second:\s+([\d.]+)", out),
        p50_ms=_number(r"^\s+50%\s+(\d+)", out),
        p95_ms=_number(r"^\s+95%\s+(\d+)", out),
        cpu_ms_per_request=cpu * 1000 / requests_,
        db_cpu_ms_per_request=None if db_cpu is None else db_cpu * 1000 / requests_,
    )


def first_id(base: str, path: str, token: str) -> int:
    response = requests.get(base + path, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    response.raise_for_status()
    body = response.json()
    items = body["items"] if isinstance(body, dict) else body
    return items[len(items) // 2]["id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="district", choices=["small", "district", "city"])
    parser.add_argument("--home", default="", help="a $ZHIJIAO_HOME to build once and reuse (default: a fresh one)")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (zhijiao serve --threads)")
    parser.add_argument("--workers", type=int, default=2, help="web processes (zhijiao serve --workers)")
    parser.add_argument("--account", default="bureau", help="the demo account the token acts as")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.add_argument("--only", default="", help="only the endpoints whose name contains this text (and healthz)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="the database of the region (default: $DATABASE_URL, else the home's SQLite file)",
    )
    args = parser.parse_args()
    if shutil.which("ab") is None:
        raise SystemExit("ApacheBench (ab) is missing: sudo apt-get install -y apache2-utils")

    home = Path(args.home) if args.home else Path(tempfile.mkdtemp(prefix="zhijiao-bench-api-"))
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "ZHIJIAO_HOME": str(home)}
    env.pop("DATABASE_URL", None)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    if not (home / "demo-accounts.json").exists():
        print(f"building the {args.scale} demo region in {home} …", flush=True)
        zhijiao("demo", "--scale", args.scale, "--setup-only", env=env)
    token = json.loads(zhijiao("api-token", args.account, "--name", "benchmark", "--json", env=env))["token"]

    load_before = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    server, base = serve_start(env, threads=args.threads, quiet_errors=True, workers=args.workers)
    try:
        wait_until_up(base, seconds=120)
        student = first_id(base, "/api/v1/students?page=2", token)
        staff = first_id(base, "/api/v1/staff?page=2", token)
        school = first_id(base, "/api/v1/schools", token)
        endpoints = [
            ("healthz", "/healthz"),
            ("student detail", f"/api/v1/students/{student}"),
            ("student list (page of 50)", "/api/v1/students?page=3"),
            ("staff detail", f"/api/v1/staff/{staff}"),
            ("school list", "/api/v1/schools"),
            ("class list of a school", f"/api/v1/classes?school_id={school}"),
        ]
        endpoints = [e for e in endpoints if not args.only or args.only in e[0] or e[0] == "healthz"]
        database = DatabaseCpu(args.database_url) if args.database_url.startswith("postgres") else None
        runs = [
            measure(
                name,
                base,
                path,
                pid=server.pid,
                token=token,
                requests_=args.requests,
                concurrency=args.concurrency,
                database=database,
            )
            for name, path in endpoints
        ]
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(
        f"\n{args.scale} demo region, {args.account} token, {args.requests} requests per endpoint, "
        f"{args.concurrency} concurrent, {args.workers} web process(es) × waitress {args.threads} threads, "
        f"{os.cpu_count()} cores, {'PostgreSQL' if args.database_url else 'SQLite'}, "
        f"load average before {load_before}\n"
    )
    db = runs and runs[0].db_cpu_ms_per_request is not None
    print(
        "| endpoint | req/s | p50 ms | p95 ms | server CPU ms/request |"
        + (" db CPU ms/request |" if db else "")
        + " failed / non-2xx |"
    )
    print("|---|---|---|---|---|" + ("---|" if db else "") + "---|")
    for run in runs:
        db_cell = f" {run.db_cpu_ms_per_request:.2f} |" if run.db_cpu_ms_per_request is not None else ""
        print(
            f"| {run.name} | {run.per_second:,.0f} | {run.p50_ms:.0f} | {run.p95_ms:.0f} | "
            f"{run.cpu_ms_per_request:.2f} |{db_cell} {run.failed} / {run.non_2xx} |"
        )
    if args.json:
        print(json.dumps([run.__dict__ for run in runs], ensure_ascii=False, indent=1))
    if any(run.failed or run.non_2xx for run in runs):
        raise SystemExit("some requests failed")


if __name__ == "__main__":
    main()
