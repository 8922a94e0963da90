"""One xAPI statement per POST, in process: queries and CPU milliseconds per POST, and (``--profile``) where they go.

    ZHIJIAO_HOME=DIR uv run python benchmarks/xapi_post_profile.py [--posts 500] [--pupils 200] [--profile]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zh_x ZHIJIAO_HOME=DIR uv run python benchmarks/xapi_post_profile.py

Migrates the home's database (SQLite, or ``DATABASE_URL``: an empty database), issues one app's credentials and
POSTs ``--posts`` single statements (the seeded statements of ``benchmarks/xapi_lrs.py``) through
``django.test.Client`` with HTTP Basic: no server, no sockets, no load generator — the write path's own cost
(middleware, auth, validation, the store's queries, the answer). CPU time is the process's (``time.process_time``),
so other work on a shared machine inflates it less than wall time. ``--profile`` prints cProfile's top functions.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import json
import os
import pstats
import random
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent))
from xapi_lrs import _statement


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--pupils", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args()
    if not os.environ.get("ZHIJIAO_HOME"):
        raise SystemExit("set ZHIJIAO_HOME to a directory for this run")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from zhijiao.xapi.services import app_for_lrs, credential_issue

    call_command("migrate", verbosity=0)
    app, _ = app_for_lrs(name="profile-posts")
    issued = credential_issue(app=app, version="1.0.3")
    basic = base64.b64encode(f"{issued.key}:{issued.secret}".encode()).decode()
    client = Client(
        HTTP_AUTHORIZATION=f"Basic {basic}",
        HTTP_X_EXPERIENCE_API_VERSION="1.0.3",
        HTTP_HOST="localhost",
    )
    rng = random.Random(7)

    def post() -> None:
        body = json.dumps(_statement(rng, args.pupils))
        response = client.post("/xapi/statements", data=body, content_type="application/json")
        if response.status_code != 200:
            raise SystemExit(f"POST answered {response.status_code}: {response.content[:300]!r}")

    for _ in range(50):
        post()  # warm-up: compiled queries, the activities of the first lessons
    with CaptureQueriesContext(connection) as captured:
        post()
    queries = [q["sql"][:110] for q in captured.captured_queries]
    profiler = cProfile.Profile() if args.profile else None
    started_cpu, started_wall = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for _ in range(args.posts):
        post()
    if profiler:
        profiler.disable()
    cpu = (time.process_time() - started_cpu) * 1000 / args.posts
    wall = (time.perf_counter() - started_wall) * 1000 / args.posts
    print(f"database: {connection.vendor}; {args.posts} single POSTs")
    print(f"queries per POST: {len(queries)}")
    for sql in queries:
        print(f"  {sql}")
    print(f"CPU ms per POST: {cpu:.2f}; wall ms per POST: {wall:.2f}" + (" (profiled)" if profiler else ""))
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
