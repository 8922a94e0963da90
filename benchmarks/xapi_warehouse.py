"""Time the warehouse's ``learning_statements`` table over many stored statements (SQLite or PostgreSQL).

    ZHIJIAO_HOME=/tmp/xapi-wh uv run zhijiao manage migrate
    ZHIJIAO_HOME=/tmp/xapi-wh uv run python benchmarks/xapi_warehouse.py --statements 100000

Stores ``--statements`` statements (bulk rows, as the LRS writes them: full JSON, half with a result and duration,
spread over 30 days and the pupils of the test region), then times reading and flattening them
(``xapi.warehouse.learning_statements``), the whole snapshot, and the 学习活动 panel's queries on DuckDB.
"""

from __future__ import annotations

import argparse
import os
import time
import uuid
from datetime import UTC, datetime, timedelta

import django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--statements", type=int, default=100_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()

    from django.db import transaction

    from zhijiao.analytics.engine import engine
    from zhijiao.analytics.selectors import learning_panel, snapshot_tables
    from zhijiao.analytics.services import snapshot_take
    from zhijiao.org.models import School
    from zhijiao.testing import build_test_region
    from zhijiao.xapi.learners import actor_for
    from zhijiao.xapi.models import Statement
    from zhijiao.xapi.services import app_for_lrs
    from zhijiao.xapi.warehouse import learning_statements

    if not School.objects.exists():
        build_test_region()
    from zhijiao.identity.models import Account

    learners = list(Account.objects.filter(person__student__isnull=False)) or list(Account.objects.all()[:5])
    app, _ = app_for_lrs(name="基准测试应用")
    have = Statement.objects.count()
    if have < args.statements:
        start = datetime(2026, 11, 1, tzinfo=UTC)
        rows = []
        for i in range(have, args.statements):
            who = learners[i % len(learners)]
            at = start + timedelta(minutes=i * 43200 // args.statements)
            data = {
                "id": str(uuid.uuid4()),
                "actor": actor_for(who),
                "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"zh-CN": "完成"}},
                "object": {
                    "id": f"http://example.com/act/{i % 500}",
                    "definition": {
                        "name": {"zh-CN": f"练习 {i % 500}"},
                        "type": "http://adlnet.gov/expapi/activities/lesson",
                    },
                },
                "timestamp": at.isoformat(),
                "stored": at.isoformat(),
                "version": "1.0.0",
            }
            if i % 2:
                data["result"] = {"completion": True, "score": {"scaled": (i % 100) / 100}, "duration": "PT4M30S"}
            rows.append(
                Statement(
                    statement_id=data["id"],
                    data=data,
                    app=app,
                    stored=at,
                    actor_ifi=f"account::{who.pk}",
                    verb_id=data["verb"]["id"],
                    activity_id=data["object"]["id"],
                    learner=who,
                )
            )
        with transaction.atomic():
            Statement.objects.bulk_create(rows, batch_size=5000)
    print(f"cpus={os.cpu_count()} statements={Statement.objects.count()} learners={len(learners)}")

    started = time.perf_counter()
    frame = learning_statements(2026)
    flat = time.perf_counter() - started
    print(f"learning_statements: {frame.height} rows in {flat:.2f} s")

    started = time.perf_counter()
    snapshot = snapshot_take(actor=None)
    whole = time.perf_counter() - started
    size = os.path.getsize(os.path.join(snapshot.path, "learning_statements.parquet")) / 2**20
    print(f"snapshot: {whole:.2f} s in all, learning_statements.parquet {size:.1f} MB")

    tables = snapshot_tables(snapshot)
    for code, kind in (("3420112001", "school"), ("420112", "division")):
        node = {"code": code, "kind": kind}
        engine().results_clear()
        started = time.perf_counter()
        panel = learning_panel(snapshot, tables, node)
        first = time.perf_counter() - started
        print(f"panel {code}: {first * 1000:.0f} ms first view, {panel['statements']} statements")


if __name__ == "__main__":
    main()
