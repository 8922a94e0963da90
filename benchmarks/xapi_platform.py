"""What the platform's own statements cost a resource page, and what they cost the worker.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj [REDIS_URL=redis://127.0.0.1:6379/9] uv run python benchmarks/xapi_platform.py [--n 300]

Times ``usage_record`` (a download: no de-duplication) committed one by one, first with the xAPI subscriber (each
event queues ``platform_statement_task``), then without it; then the worker's side, ``platform_statements_write``
of those events one by one. Everything it writes is removed at the end (usage rows, statements, queued jobs).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()
    from django.db import transaction
    from huey.contrib.djhuey import HUEY

    import zhijiao.core.learning_events as hook
    from zhijiao.identity.models import Account
    from zhijiao.resources.models import Resource, ResourceStatus, UsageEvent
    from zhijiao.resources.usage import usage_record
    from zhijiao.xapi.models import Statement
    from zhijiao.xapi.platform import platform_statements_write

    student = Account.objects.get(username="student")
    resource = Resource.objects.filter(status=ResourceStatus.PUBLISHED).order_by("pk").first()
    assert resource is not None
    captured: list = []

    def run(label: str) -> list[float]:
        times = []
        for _ in range(args.n):
            started = time.perf_counter()
            with transaction.atomic():
                event = usage_record(actor=student, resource=resource, kind="download")
            times.append((time.perf_counter() - started) * 1000)
            made.append(event.pk)
        print(f"{label}: {_stats(times)}")
        return times

    made: list[int] = []
    last = Statement.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    HUEY.flush()
    hook._subscribers["bench.capture"] = captured.append
    run("usage_record + queue the statement")
    queued = HUEY.pending_count()
    hook._subscribers.pop("xapi-platform", None)
    run("usage_record without the subscriber")
    hook._subscribers.pop("bench.capture")
    print(f"queued jobs: {queued} ({type(HUEY.storage).__name__})")
    worker = []
    for event in captured:
        started = time.perf_counter()
        platform_statements_write([event])
        worker.append((time.perf_counter() - started) * 1000)
    print(f"worker, one statement per job: {_stats(worker)}")
    HUEY.flush()
    removed = Statement.objects.filter(pk__gt=last).delete()[1].get("xapi.Statement", 0)
    UsageEvent.objects.filter(pk__in=made).delete()
    Resource.objects.filter(pk=resource.pk).update(download_count=resource.download_count)
    print(f"cleaned: {len(made)} usage rows, {removed} statements")


def _stats(times: list[float]) -> str:
    times = sorted(times)
    return f"median {statistics.median(times):.2f} ms, p95 {times[int(len(times) * 0.95)]:.2f} ms"


if __name__ == "__main__":
    main()
