"""The district 学情 report at district scale: p50/p95 of the page, its xlsx export and one school's report, in ms.

    ZHIJIAO_HOME=DIR uv run zhijiao migrate
    ZHIJIAO_HOME=DIR uv run python benchmarks/learning_area_reports.py [--pupils 53000] [--points 10] [--runs 30]

Builds, once per ZHIJIAO_HOME (bulk inserts, benchmark data only): a district (420112) of 60 schools × ~20 classes,
``--pupils`` pupils, a district 数学 exam on a paper of ``--points`` knowledge points, one marked submission per
pupil and one ``Mastery`` row per pupil × point; then asks the pages through Django's test client in one process
(no server) as the district's 区域管理员 and its 数学 教研员. Prints the sizes and (first, p50, p95) per page.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).parent))
from timing import timed

SCHOOLS = 60
TITLE = "基准：区域八年级数学期中"
PASSWORD = "Bench-pass-2026"  # noqa: S105  (benchmark accounts, never a real install)


def _build(pupils: int, n_points: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from zhijiao.access.roles import Role
    from zhijiao.curriculum.models import KnowledgePoint
    from zhijiao.identity.services import account_create, role_grant
    from zhijiao.learning.models import Assignment, Item, ItemVersion, Mastery, Paper, PaperItem, Submission
    from zhijiao.org.models import Division, Grade, School, SchoolClass
    from zhijiao.people.models import Person, Student

    rng = random.Random(14)
    division = Division.objects.get(pk="420112")
    started = time.perf_counter()
    with transaction.atomic():
        bureau = account_create(username="bench_bureau", password=PASSWORD)
        role_grant(account=bureau, role=Role.REGION_ADMIN, division=division)
        researcher = account_create(username="bench_researcher", password=PASSWORD)
        role_grant(account=researcher, role=Role.RESEARCHER, division=division, subject="14")
        schools = School.objects.bulk_create(
            School(code=f"34201129{i:02d}", name=f"基准第{i + 1}中学", school_type="311", division=division, stages="3")
            for i in range(SCHOOLS)
        )
        grades = Grade.objects.bulk_create(Grade(school=s, stage="3", entry_year=2025) for s in schools)
        per_class = 45
        n_classes = -(-pupils // per_class)
        classes = SchoolClass.objects.bulk_create(
            SchoolClass(school=g.school, grade=g, number=i // SCHOOLS + 1, name=f"{i // SCHOOLS + 1}班")
            for i, g in ((i, grades[i % SCHOOLS]) for i in range(n_classes))
        )
        persons = Person.objects.bulk_create(
            (Person(name=f"学生{i}", sex="1", birth_date=date(2012, 1, 1)) for i in range(pupils)), batch_size=5000
        )
        students = Student.objects.bulk_create(
            (
                Student(
                    person=p,
                    student_no=f"B{i:018d}",
                    school=classes[i % n_classes].school,
                    school_class=classes[i % n_classes],
                )
                for i, p in enumerate(persons)
            ),
            batch_size=5000,
        )
        points = list(KnowledgePoint.objects.filter(stage="3", subject="14").order_by("code")[:n_points])
        paper = Paper.objects.create(title=TITLE, stage="3", subject="14", author=bureau, owner_division=division)
        for i, kp in enumerate(points):
            item = Item.objects.create(stage="3", subject="14", author=bureau, owner_division=division)
            version = ItemVersion.objects.create(
                item=item, number=1, type="single", stem=f"基准题 {i}", answer=["A"], points=4, created_by=bureau
            )
            item.knowledge_points.set([kp])
            PaperItem.objects.create(paper=paper, item=item, version=version, order=i, points=4)
        now = timezone.now()
        exam = Assignment.objects.create(
            title=TITLE, kind="exam", mode="paper", paper=paper, stage="3", subject="14", division=division,
            opens_at=now - timedelta(days=3), status="published", created_by=bureau,
        )  # fmt: skip
        full = 4 * len(points)
        Submission.objects.bulk_create(
            (
                Submission(
                    assignment=exam,
                    student=s,
                    school_class_id=s.school_class_id,
                    status="marked",
                    source="import",
                    score=max(0, min(full, round(rng.gauss(0.65, 0.18) * full))),
                    max_score=full,
                    marked_at=now,
                )
                for s in students
            ),
            batch_size=5000,
        )
        Mastery.objects.bulk_create(
            (
                Mastery(
                    student=s,
                    knowledge_point=kp,
                    subject="14",
                    estimate=min(1.0, max(0.0, rng.gauss(0.6, 0.2))),
                    uncertainty=0.12,
                    evidence=3,
                    model="cdm",
                    assignment=exam,
                    fitted_at=now,
                )
                for s in students
                for kp in points
            ),
            batch_size=10000,
        )
    print(f"built in {time.perf_counter() - started:.0f} s", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pupils", type=int, default=53_000)
    parser.add_argument("--points", type=int, default=10)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()
    from django.conf import settings
    from django.test import Client

    from zhijiao.identity.models import Account
    from zhijiao.learning.models import Assignment, Mastery, Submission
    from zhijiao.testing import login_as

    settings.ALLOWED_HOSTS = ["*"]
    exam = Assignment.objects.filter(title=TITLE).first()
    if exam is None:
        _build(args.pupils, args.points)
        exam = Assignment.objects.get(title=TITLE)
    subs = Submission.objects.filter(assignment=exam).count()
    print(f"submissions {subs:,}, mastery rows {Mastery.objects.count():,}, schools 60", flush=True)
    school_id = Submission.objects.filter(assignment=exam).values_list("school_class__school_id", flat=True).first()
    print(f"{'page':<30} {'as':<18} {'first':>8} {'p50':>8} {'p95':>8}  (ms, {args.runs} runs)")
    for label, who, url in (
        ("district report", "bench_bureau", f"/learning/reports/assignments/{exam.pk}/district/"),
        ("district report", "bench_researcher", f"/learning/reports/assignments/{exam.pk}/district/"),
        ("district xlsx", "bench_researcher", f"/learning/reports/assignments/{exam.pk}/district/export.xlsx"),
        ("school report", "bench_researcher", f"/learning/reports/assignments/{exam.pk}/schools/{school_id}/"),
    ):
        client = Client()
        login_as(client, Account.objects.get(username=who))  # past the administrators' second step

        def get(client: Client = client, url: str = url) -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        cpu = time.process_time()
        first, p50, p95 = timed(get, args.runs)
        cpu_ms = (time.process_time() - cpu) * 1000 / (args.runs + 1)
        print(f"{label:<30} {who:<18} {first:8.1f} {p50:8.1f} {p95:8.1f}  cpu {cpu_ms:.1f} ms/request", flush=True)
    # cold: the kept aggregates dropped before every request (the first request after a marking or a refit)
    from django.core.cache import cache

    client = Client()
    login_as(client, Account.objects.get(username="bench_researcher"))
    url = f"/learning/reports/assignments/{exam.pk}/district/"

    def cold() -> None:
        cache.clear()
        assert client.get(url).status_code == 200

    cpu = time.process_time()
    first, p50, p95 = timed(cold, 5)
    cpu_ms = (time.process_time() - cpu) * 1000 / 6
    label = "district report (cold)"
    print(f"{label:<30} {'bench_researcher':<18} {first:8.1f} {p50:8.1f} {p95:8.1f}  cpu {cpu_ms:.1f} ms/request")
    return 0


if __name__ == "__main__":
    sys.exit(main())
