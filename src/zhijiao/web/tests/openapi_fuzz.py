"""Property-based fuzzing of the whole /api/v1 OpenAPI with schemathesis, straight into the WSGI app.

Used by ``test_api_fuzz.py`` (a bounded run in CI) and ``benchmarks/api_fuzz.py`` (a longer one with figures).
Every operation of the published schema is called with cases schemathesis derives from it — values that fit
the schema (positive) and values that break it (negative: wrong types, out-of-range numbers, over-long text) —
as each role, with that role's bearer token. A server error is any 5xx answer; the exception behind it is kept.
"""

from __future__ import annotations

import traceback
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.generation.modes import GenerationMode

SCHEMA_PATH = "/api/v1/openapi.json"
ALL_SCOPES = ["registry:read", "exchange:push", "exchange:pull", "resources:read", "resources:write"]
# role label → (account of the test region, token scopes)
ROLES: dict[str, tuple[str, list[str]]] = {
    "平台管理员 admin": ("admin", ALL_SCOPES),
    "区域管理员 bureau": ("bureau", ALL_SCOPES),
    "教师 teacher": ("teacher", ["registry:read", "resources:read", "resources:write"]),
}


def fuzz_roles(region: Any, roles: dict[str, tuple[str, list[str]]] = ROLES) -> dict[str, dict[str, str]]:
    """A bearer token per role (for the accounts of ``zhijiao.testing.build_test_region``), and a statistics
    snapshot so the analytics endpoints answer from data rather than "no snapshot yet"."""
    from zhijiao.analytics.services import snapshot_take
    from zhijiao.identity.services import api_token_create

    snapshot_take()
    headers = {}
    for label, (username, scopes) in roles.items():
        _, raw = api_token_create(account=region.accounts[username], name="fuzz", scopes=scopes)
        headers[label] = {"Authorization": f"Bearer {raw}"}
    return headers


@dataclass
class FuzzResult:
    role: str
    requests: int = 0
    operations: int = 0
    statuses: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)

    @property
    def server_error_count(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


class _Connections:
    """Keep the request's database connection across calls: a test runs inside one transaction (as Django's own
    test client does, the per-request close is switched off), and a benchmark is spared a reconnect per call."""

    def __enter__(self) -> None:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)

    def __exit__(self, *exc: object) -> None:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def fuzz_api(
    app: Any, roles: dict[str, dict[str, str]], *, max_examples: int = 20, seed: int | None = 2026
) -> list[FuzzResult]:
    """Fuzz every operation as each role (``roles``: name → extra request headers, e.g. its bearer token)."""
    results = []
    with _Connections():
        schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, app)
        operations = [result.ok() for result in schema.get_all_operations()]
        for role, headers in roles.items():
            result = FuzzResult(role=role, operations=len(operations))
            for operation in operations:
                for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                    _fuzz_operation(operation, mode, headers, result, max_examples=max_examples, seed=seed)
            results.append(result)
    return results


def _fuzz_operation(
    operation: Any, mode: GenerationMode, headers: dict[str, str], result: FuzzResult, *, max_examples: int, seed
) -> None:
    errors: list[str] = []

    def remember(sender: Any, request: Any = None, **kwargs: Any) -> None:
        errors.append(traceback.format_exc(limit=-3))

    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=seed is not None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case: Any) -> None:
        errors.clear()
        response = case.call(headers=headers)
        result.requests += 1
        result.statuses[response.status_code] += 1
        if response.status_code >= 500:
            query = "&".join(f"{k}={str(v)[:40]}" for k, v in (case.query or {}).items())
            detail = errors[-1].strip().splitlines()[-1] if errors else response.text[:200]
            result.server_errors.append(
                f"{case.method} {case.formatted_path}?{query} ({mode.value}) → {response.status_code}: {detail}"
            )

    got_request_exception.connect(remember)
    try:
        call()
    except Exception as exc:  # a case schemathesis cannot even build is not a server error; note it and go on
        if not _unbuildable(exc):
            raise
    finally:
        got_request_exception.disconnect(remember)


def _unbuildable(exc: Exception) -> bool:
    from hypothesis.errors import Unsatisfiable

    return isinstance(exc, Unsatisfiable) or type(exc).__name__ in {"SerializationNotPossible", "InvalidSchema"}
