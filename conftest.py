"""The suite's two sets: ``uv run pytest`` runs the fast one; tests marked ``slow`` (live servers, child processes,
the access matrix, the API fuzz run, backup drills, demo builds) run with ``--slow``, as CI does.

A slow test named on the command line (``uv run pytest tests/test_access_matrix.py``, or one test by its node id)
runs without ``--slow``: only a folder or the whole suite leaves the slow set out. ``-m`` decides on its own when
given."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", help="also run the tests marked slow (CI runs them all)")
    parser.addoption(
        "--shard",
        default="",
        metavar="K/N",
        help="run only the K-th of N parts of the collected tests (whole files, parts of about equal weight): "
        "CI runs the PostgreSQL suite as two processes beside the SQLite one",
    )


def _named_files(config: pytest.Config) -> set[Path]:
    """The test files named on the command line (by path or node id), not the folders."""
    named = set()
    for arg in config.args:
        path = Path(config.invocation_params.dir, arg.split("::")[0])
        if path.is_file():
            named.add(path.resolve())
    return named


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _slow_left_out(config, items)
    if config.getoption("--shard"):
        _shard(config, items)


# A file's weight for --shard, about its running time: one per test function, a slow one (a live server, a demo
# build, a region built for the module) this many; each further parametrized case of a function a tenth of one
# (the access matrix's 1,700 cells are requests against one region, not 1,700 tests).
SLOW_WEIGHT = 12


def _shard(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep the K-th of N parts: whole files (module fixtures stay shared), heaviest first into the lightest part."""
    number, _, parts = config.getoption("--shard").partition("/")
    k, n = int(number), int(parts)
    if not 1 <= k <= n:
        raise pytest.UsageError(f"--shard {k}/{n}: K must be between 1 and N")
    weights: dict[str, float] = {}
    seen: set[str] = set()
    for item in items:
        file = item.nodeid.split("::")[0]
        function = item.nodeid.split("[")[0]
        if function in seen:
            weight = 0.1
        else:
            seen.add(function)
            weight = SLOW_WEIGHT if item.get_closest_marker("slow") else 1
        weights[file] = weights.get(file, 0) + weight
    loads = [0.0] * n
    part_of: dict[str, int] = {}
    for file in sorted(weights, key=lambda f: (-weights[f], f)):
        lightest = loads.index(min(loads))
        part_of[file] = lightest
        loads[lightest] += weights[file]
    kept = [item for item in items if part_of[item.nodeid.split("::")[0]] == k - 1]
    left_out = [item for item in items if part_of[item.nodeid.split("::")[0]] != k - 1]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


def _slow_left_out(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--slow") or config.getoption("markexpr"):
        return
    named = _named_files(config)
    kept, left_out = [], []
    for item in items:
        slow = item.get_closest_marker("slow") is not None and item.path.resolve() not in named
        (left_out if slow else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None, request: pytest.FixtureRequest):
    """``--reuse-db`` on SQLite: keep the test database in ``$ZHIJIAO_HOME/test-db[-worker].sqlite3`` so the next run
    skips the migrations (about a minute here); without it the test database stays in memory, created afresh."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if request.config.getoption("reuse_db") and database["ENGINE"].endswith("sqlite3"):
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        name = f"test-db-{worker}.sqlite3" if worker else "test-db.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(Path(settings.HOME) / name)


@pytest.fixture(autouse=True)
def _fresh_list_counts():
    """API list counts are cached per feed position (``zhijiao.core.listing``); a rolled-back test can reach the same
    position with other rows, so every test starts without them."""
    from zhijiao.core.listing import COUNTS

    COUNTS.clear()
    yield
    COUNTS.clear()
