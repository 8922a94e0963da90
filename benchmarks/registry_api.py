"""The registry API under load: requests per second, p50/p95 latency and server CPU per request, beside ``/healthz``.

    uv run python benchmarks/registry_api.py [--scale district] [--home DIR] [--requests 2000] [--concurrency 16]
                                             [--threads 8] [--workers 2] [--account bureau]

Needs ApacheBench (``ab``; Debian/Ubuntu: ``sudo apt-get install -y apache2-utils``).

A fresh ``$ZHIJIAO_HOME`` with the demo region (``zhijiao demo --setup-only --scale …``; ``--home`` reuses one
built before, so repeated runs skip the build), a bearer token for the demo region administrator (``zhijiao
api-token bureau``: the whole district, unmasked reads that are audited) and the real server (``zhijiao serve``:
waitress, SQLite; ``--workers N`` web processes, default 2, as on the 2-core reference machine; 1 is the single
process) on a free loopback port. Each endpoint gets a warm-up, then ``--requests`` requests with
``--concurrency`` in flight. The server's own CPU time (utime + stime from ``/proc/<pid>/stat``, all its threads)
is read before and after each run and divided by the requests: the fair figure on a machine where ``ab`` shares
the cores with the server. With several web processes it is the sum over the server process and its children.
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


def _number(pattern: str, text: str, default: float = 0.0) -> float:
    match = re.search(pattern, text, re.MULTILINE)
    return float(match.group(1)) if match else default


def ab(url: str, *, token: str, requests_: int, concurrency: int) -> str:
    command = ["ab", "-q", "-n", str(requests_), "-c", str(concurrency), "-H", f"Authorization: Bearer {token}", url]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"ab failed on {url}:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def measure(name: str, base: str, path: str, *, pid: int, token: str, requests_: int, concurrency: int) -> Run:
    ab(base + path, token=token, requests_=max(50, requests_ // 10), concurrency=concurrency)  # warm-up
    before = server_cpu_seconds(pid)
    out = ab(base + path, token=token, requests_=requests_, concurrency=concurrency)
    cpu = server_cpu_seconds(pid) - before
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
    args = parser.parse_args()
    if shutil.which("ab") is None:
        raise SystemExit("ApacheBench (ab) is missing: sudo apt-get install -y apache2-utils")

    home = Path(args.home) if args.home else Path(tempfile.mkdtemp(prefix="zhijiao-bench-api-"))
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "ZHIJIAO_HOME": str(home)}
    env.pop("DATABASE_URL", None)
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
        runs = [
            measure(
                name, base, path, pid=server.pid, token=token, requests_=args.requests, concurrency=args.concurrency
            )
            for name, path in endpoints
        ]
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(
        f"\n{args.scale} demo region, {args.account} token, {args.requests} requests per endpoint, "
        f"{args.concurrency} concurrent, {args.workers} web process(es) × waitress {args.threads} threads, "
        f"{os.cpu_count()} cores, load average before {load_before}\n"
    )
    print("| endpoint | req/s | p50 ms | p95 ms | server CPU ms/request | failed / non-2xx |")
    print("|---|---|---|---|---|---|")
    for run in runs:
        print(
            f"| {run.name} | {run.per_second:,.0f} | {run.p50_ms:.0f} | {run.p95_ms:.0f} | "
            f"{run.cpu_ms_per_request:.2f} | {run.failed} / {run.non_2xx} |"
        )
    if args.json:
        print(json.dumps([run.__dict__ for run in runs], ensure_ascii=False, indent=1))
    if any(run.failed or run.non_2xx for run in runs):
        raise SystemExit("some requests failed")


if __name__ == "__main__":
    main()
