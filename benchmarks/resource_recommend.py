"""Learner recommendation on the demo library: ``resources_for_knowledge_points`` for a pupil.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python benchmarks/resource_recommend.py [--runs 50]

Two cases, each as a student account freshly loaded (no grants cached): the three knowledge points with the most
resources, and one point with fewer than three resources of its own (the prerequisite fallback). Prints the
first-run, p50 and p95 times, the number of queries and the top reasons.
"""

from __future__ import annotations

import argparse
import os
import sys

import django

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from timing import timed  # noqa: E402

from zhijiao.access.models import RoleGrant  # noqa: E402
from zhijiao.access.roles import Role  # noqa: E402
from zhijiao.curriculum.models import KnowledgePoint  # noqa: E402
from zhijiao.identity.models import Account  # noqa: E402
from zhijiao.resources.models import Resource, ResourceStatus  # noqa: E402
from zhijiao.resources.selectors import resources_for_knowledge_points  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    published = Resource.objects.filter(status=ResourceStatus.PUBLISHED).count()
    by_count = KnowledgePoint.objects.annotate(n=Count("resources"))
    busiest = list(by_count.order_by("-n", "code")[:3])
    thin = by_count.filter(n__lt=3, prerequisites__isnull=False).order_by("code").first()
    student_id = RoleGrant.objects.filter(role=Role.STUDENT).order_by("pk").values_list("account_id", flat=True)[0]
    print(f"{published} published resources; busiest points: {', '.join(f'{k.name} ({k.n})' for k in busiest)}")
    cases = [("3 busiest points", busiest)]
    if thin is not None:
        cases.append((f"thin point {thin.name} (prerequisite fallback)", [thin]))
    for label, points in cases:

        def call(points=points):
            actor = Account.objects.get(pk=student_id)
            return resources_for_knowledge_points(actor=actor, points=points, limit=10)

        first, p50, p95 = timed(call, args.runs)
        with CaptureQueriesContext(connection) as queries:
            found = call()
        print(f"{label}: first {first:.1f} ms, p50 {p50:.1f} ms, p95 {p95:.1f} ms, {len(queries)} queries")
        for r in found[:3]:
            print(f"  {r.reason} — {r.resource.title}")


if __name__ == "__main__":
    main()
