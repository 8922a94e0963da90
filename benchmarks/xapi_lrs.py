"""The learning record store over HTTP: write statements in batches, then the queries an app makes.

    uv run python benchmarks/xapi_lrs.py [--statements 5000] [--batch 100] [--pupils 200] [--threads 8]

A fresh ``$ZHIJIAO_HOME`` (temporary; or ``DATABASE_URL`` for an empty PostgreSQL database), one app's credentials,
``zhijiao serve`` on a free port. Prints the write rate (statements per second, batches POSTed one after another) and
the median / p95 time of: one statement by id, a pupil's statements (agent filter), an activity's statements with
related activities, and a page of 100 with ``more``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from live_server import serve_start, wait_until_up, zhijiao

VERBS = ["completed", "attempted", "answered", "experienced", "passed", "failed"]


def _statement(rng: random.Random, pupils: int) -> dict:
    pupil = rng.randrange(pupils)
    lesson = rng.randrange(50)
    return {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": "urn:zhijiao:sub", "name": f"pupil-{pupil}"}},
        "verb": {"id": f"http://adlnet.gov/expapi/verbs/{rng.choice(VERBS)}", "display": {"zh-CN": "完成"}},
        "object": {
            "id": f"http://zuoye.example.cn/exercises/{lesson}/{rng.randrange(20)}",
            "definition": {
                "name": {"zh-CN": f"第{lesson}课练习"},
                "type": "http://adlnet.gov/expapi/activities/question",
            },
        },
        "result": {"score": {"scaled": round(rng.random(), 2)}, "success": rng.random() > 0.3, "duration": "PT42S"},
        "context": {
            "registration": str(uuid.uuid4()),
            "contextActivities": {"parent": [{"id": f"http://zuoye.example.cn/lessons/{lesson}"}]},
        },
    }


def _timed(session: requests.Session, url: str, params: dict, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = session.get(url, params=params, timeout=60)
        response.raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--statements", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--pupils", type=int, default=200)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    home = tempfile.mkdtemp(prefix="zh-xapi-bench-")
    env = dict(os.environ, ZHIJIAO_HOME=home)
    zhijiao("migrate", env=env)
    creds = json.loads(zhijiao("xapi", "credentials", "--app", "bench", "--json", env=env))
    server, base = serve_start(env, threads=args.threads, quiet_errors=True)
    try:
        wait_until_up(base, seconds=60)
        session = requests.Session()
        session.auth = (creds["key"], creds["secret"])
        session.headers["X-Experience-API-Version"] = "2.0.0"
        rng = random.Random(15)
        statements = [_statement(rng, args.pupils) for _ in range(args.statements)]
        started = time.perf_counter()
        for i in range(0, len(statements), args.batch):
            response = session.post(f"{base}/xapi/statements", json=statements[i : i + args.batch], timeout=120)
            response.raise_for_status()
        seconds = time.perf_counter() - started
        print(
            f"write: {args.statements} statements in batches of {args.batch}: {seconds:.1f} s, "
            f"{args.statements / seconds:.0f} statements/s"
        )
        url = f"{base}/xapi/statements"
        one = statements[len(statements) // 2]["id"]
        pupil = json.dumps({"account": {"homePage": "urn:zhijiao:sub", "name": "pupil-7"}})
        cases = {
            "one statement by id": {"statementId": one},
            "a pupil's statements (agent)": {"agent": pupil, "limit": 100},
            "a lesson's statements (activity, related_activities)": {
                "activity": "http://zuoye.example.cn/lessons/7",
                "related_activities": "true",
                "limit": 100,
            },
            "newest page of 100": {"limit": 100},
        }
        for name, params in cases.items():
            median, p95 = _timed(session, url, params, args.runs)
            print(f"{name}: median {median:.1f} ms, p95 {p95:.1f} ms")
        pages, started = 0, time.perf_counter()
        response = session.get(url, params={"limit": 100}, timeout=60).json()
        while response.get("more"):
            pages += 1
            response = session.get(base + response["more"], timeout=60).json()
        print(f"paging every statement with more: {pages + 1} pages in {time.perf_counter() - started:.1f} s")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
