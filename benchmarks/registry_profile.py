"""The registry API in process: queries and milliseconds per request, and (``--profile``) where the time goes.

    ZHIJIAO_HOME=DIR uv run python benchmarks/registry_profile.py [--account bureau] [--requests 200] [--profile]

Runs against an existing demo region (``benchmarks/registry_api.py --home DIR`` builds one) through
``django.test.Client`` with a bearer token, so no server, no sockets and no load generator: the figures are the
request path's own cost (Django, middleware, auth, scope, selectors, JSON). ``--profile`` prints cProfile's top
functions by cumulative time for each endpoint.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time

import django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--account", default="bureau")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--only", default="", help="endpoint names containing this text")
    args = parser.parse_args()
    if not os.environ.get("ZHIJIAO_HOME"):
        raise SystemExit("set ZHIJIAO_HOME to a home with the demo region")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()

    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from zhijiao.identity.models import Account
    from zhijiao.identity.services import api_token_create

    account = Account.objects.get(username=args.account)
    _, raw = api_token_create(account=account, name="profile")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_HOST="localhost")

    def get(path: str):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code} {response.content[:300]!r}")
        return response

    body = get("/api/v1/students?page=2").json()
    student = body["items"][len(body["items"]) // 2]["id"]
    body = get("/api/v1/staff?page=2").json()
    staff = body["items"][len(body["items"]) // 2]["id"]
    school = get("/api/v1/schools").json()["items"][0]["id"]
    endpoints = [
        ("healthz", "/healthz"),
        ("student detail", f"/api/v1/students/{student}"),
        ("student list (page of 50)", "/api/v1/students?page=3"),
        ("staff detail", f"/api/v1/staff/{staff}"),
        ("school list", "/api/v1/schools"),
        ("class list of a school", f"/api/v1/classes?school_id={school}"),
    ]
    print("| endpoint | queries | ms/request (in process) |")
    print("|---|---|---|")
    for name, path in endpoints:
        if args.only and args.only not in name:
            continue
        for _ in range(5):
            get(path)  # warm-up
        with CaptureQueriesContext(connection) as captured:
            get(path)
        queries = len(captured.captured_queries)
        profiler = cProfile.Profile() if args.profile else None
        start = time.process_time()
        if profiler:
            profiler.enable()
        for _ in range(args.requests):
            get(path)
        if profiler:
            profiler.disable()
        ms = (time.process_time() - start) * 1000 / args.requests
        print(f"| {name} | {queries} | {ms:.2f} |", flush=True)
        if profiler:
            pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(
                int(os.environ.get("PROFILE_LINES", "45"))
            )
            for q in captured.captured_queries:
                print("   ", q["sql"][:300])
        reset_queries()


if __name__ == "__main__":
    main()
