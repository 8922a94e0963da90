"""Fuzz the whole /api/v1 OpenAPI with schemathesis, as an administrator and as a teacher: requests, server errors.

    uv run python benchmarks/api_fuzz.py [--examples 50] [--home DIR] [--keep]

A fresh ``$ZHIJIAO_HOME`` (a temporary directory unless ``--home``), migrations and the small test region
(``zhijiao.testing.build_test_region``: two districts, three schools, a platform administrator, a region
administrator, teachers …). Each role calls the API with its own bearer token holding every API scope the
account may have; every operation gets ``--examples`` positive and as many negative cases (values outside the
schema: wrong types, out-of-range integers, over-long text). Prints per role the requests sent, the answers by
status and every server error (5xx) with the exception behind it. Exits non-zero on any server error.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=50, help="cases per operation and mode (positive, negative)")
    parser.add_argument("--home", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the temporary ZHIJIAO_HOME")
    args = parser.parse_args()

    home = args.home or Path(tempfile.mkdtemp(prefix="zhijiao-fuzz-"))
    os.environ["ZHIJIAO_HOME"] = str(home)
    os.environ["ZHIJIAO_JOBS_IMMEDIATE"] = "1"  # jobs a call queues (index updates …) run in-process
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    from zhijiao.testing import build_test_region
    from zhijiao.web.tests.openapi_fuzz import fuzz_api, fuzz_roles

    try:
        call_command("migrate", interactive=False, verbosity=0)
        region = build_test_region()
        roles = fuzz_roles(region)

        app = get_wsgi_application()  # sets logging up again: quieten the request log after it
        logging.getLogger("django.request").setLevel(logging.CRITICAL)  # the errors are listed below, once each
        started = time.perf_counter()
        results = fuzz_api(app, roles, max_examples=args.examples)
        elapsed = time.perf_counter() - started
    finally:
        if not args.keep and not args.home:
            shutil.rmtree(home, ignore_errors=True)

    total = sum(r.requests for r in results)
    errors = sum(r.server_error_count for r in results)
    print(f"{results[0].operations} operations, {args.examples} examples per operation and mode, {elapsed:.0f} s")
    print(f"{'role':<22}{'requests':>10}{'2xx':>8}{'4xx':>8}{'5xx':>6}")
    for r in results:
        by_class = {c: sum(n for s, n in r.statuses.items() if s // 100 == c) for c in (2, 4, 5)}
        print(f"{r.role:<22}{r.requests:>10}{by_class[2]:>8}{by_class[4]:>8}{by_class[5]:>6}")
    print(f"{'total':<22}{total:>10}{'':>16}{errors:>6}")
    for r in results:
        for line in dict.fromkeys(r.server_errors):  # each distinct failure once
            print(f"  [{r.role}] {line}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
