"""The whole /api/v1 OpenAPI fuzzed with schemathesis (a bounded run; ``benchmarks/api_fuzz.py`` runs longer), as a
platform administrator and as a teacher: no answer may be a server error."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.core.wsgi import get_wsgi_application

from zhijiao.analytics.engine import engine
from zhijiao.web.tests.openapi_fuzz import ROLES, fuzz_api, fuzz_roles

pytestmark = [pytest.mark.slow, pytest.mark.django_db]  # hundreds of generated requests
EXAMPLES = 4  # per operation and mode: ~600 requests, about half a minute


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.HOME = tmp_path
    settings.ZHIJIAO_WAREHOUSE_DIR = tmp_path / "warehouse"
    settings.ZHIJIAO_MEDIA_DIR = tmp_path / "media"
    engine().forget()
    caches["default"].clear()
    yield
    engine().forget()
    caches["default"].clear()


def test_fuzzing_the_openapi_finds_no_server_error(region):
    roles = fuzz_roles(region, {k: v for k, v in ROLES.items() if v[0] in ("admin", "teacher")})
    results = fuzz_api(get_wsgi_application(), roles, max_examples=EXAMPLES)

    for r in results:
        print(f"{r.role}: {r.requests} requests over {r.operations} operations, {r.server_error_count} server errors")
    assert all(r.operations >= 30 for r in results)  # every operation of the schema, not a part of it
    assert all(r.requests >= r.operations * 2 for r in results)
    assert [e for r in results for e in r.server_errors] == []
