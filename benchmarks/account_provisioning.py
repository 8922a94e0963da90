"""Time account provisioning (``zhijiao accounts sync``) for N pupils: first run, a re-run, and a leavers' run.

    uv run python benchmarks/account_provisioning.py [--pupils 100000] [--guardians 1.0] [--home DIR] [--keep]
                                                     [--database-url postgres://postgres@127.0.0.1:5432/zhijiao_bench_acc]

Steps, each timed and printed:

1. a fresh ``$ZHIJIAO_HOME`` (a temporary directory unless ``--home``), migrations, the current school year, one
   district's schools (1,500 pupils each) with classes of 45, a head teacher and a teacher per class, and ``--pupils``
   pupils with ``--guardians`` guardians each on average — written with ``bulk_create`` (not timed as provisioning);
2. the first ``accounts_sync``: every person gets an account and derived grants — seconds, accounts/s, queries;
3. the same again: nothing may change (idempotence), and how long a nightly no-op run takes;
4. 1 % of the pupils leave (status 转出, enrolment ended): their accounts must close, nothing else.

With ``--database-url`` the registry is that PostgreSQL database, dropped and created first. Exits non-zero if a
check does not hold, after printing what it measured.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PUPILS_PER_CLASS = 45
PUPILS_PER_SCHOOL = 1_500


def _setup(home: Path, database_url: str | None) -> None:
    os.environ["ZHIJIAO_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    if database_url:
        _recreate_postgres(database_url)
        os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _recreate_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _build(pupils: int, guardians: float) -> dict[str, int]:
    """One district's registry, written in bulk; returns what was written."""
    from django.db import transaction

    from zhijiao.org.models import Division, Grade, School, SchoolClass, Term
    from zhijiao.org.services import school_year_open
    from zhijiao.people.models import Enrolment, Guardianship, Person, Staff, Student, TeachingAssignment

    school_year_open(start_year=2026)
    term = Term.objects.get(is_current=True)
    district = Division.objects.get(pk="420112")
    schools_n = max(1, -(-pupils // PUPILS_PER_SCHOOL))
    classes_n = -(-pupils // PUPILS_PER_CLASS)
    with transaction.atomic():
        School.objects.bulk_create(
            [
                School(
                    code=f"34201{i:05d}",
                    name=f"东西湖区第{i + 1}小学",
                    school_type="211",
                    division=district,
                    stages="2",
                )
                for i in range(schools_n)
            ]
        )
        schools = list(School.objects.order_by("code"))
        Grade.objects.bulk_create(
            [Grade(school=s, stage="2", entry_year=y) for s in schools for y in range(2021, 2027)]
        )
        grades = list(Grade.objects.order_by("school_id", "entry_year"))
        per_school = -(-classes_n // schools_n)
        SchoolClass.objects.bulk_create(
            [
                SchoolClass(school_id=g.school_id, grade=g, number=n + 1, name=f"{g.entry_year}级{n + 1}班")
                for g in grades
                for n in range(-(-per_school // 6))
            ][: max(classes_n, schools_n)],
            batch_size=5_000,
        )
        classes = list(SchoolClass.objects.order_by("id").values_list("id", "school_id"))
        born = date(1985, 1, 1)
        staff_people = [
            Person(name=f"教师{i}", sex="2", birth_date=born, phone=f"139{i:08d}") for i in range(2 * len(classes))
        ]
        Person.objects.bulk_create(staff_people, batch_size=5_000)
        staff_ids = list(Person.objects.order_by("id").values_list("id", flat=True))
        Staff.objects.bulk_create(
            [
                Staff(person_id=pid, staff_no=f"T{i:06d}", school_id=classes[i // 2][1], category="11", subject="13")
                for i, pid in enumerate(staff_ids)
            ],
            batch_size=5_000,
        )
        staff = list(Staff.objects.order_by("id").values_list("id", flat=True))
        for class_id, head in zip((c[0] for c in classes), staff[::2], strict=True):
            SchoolClass.objects.filter(pk=class_id).update(head_teacher_id=head)
        TeachingAssignment.objects.bulk_create(
            [
                TeachingAssignment(staff_id=staff[2 * i + 1], school_class_id=c[0], subject="14", term=term)
                for i, c in enumerate(classes)
            ],
            batch_size=5_000,
        )
        first = Person.objects.order_by("-id").values_list("id", flat=True).first() + 1
        kid_born = date(2018, 9, 1)
        Person.objects.bulk_create(
            [Person(id=first + i, name=f"学生{i}", sex="1", birth_date=kid_born) for i in range(pupils)],
            batch_size=5_000,
        )
        Student.objects.bulk_create(
            [
                Student(
                    person_id=first + i,
                    student_no=f"L{first + i:018d}",
                    school_id=classes[i // PUPILS_PER_CLASS][1],
                    school_class_id=classes[i // PUPILS_PER_CLASS][0],
                )
                for i in range(pupils)
            ],
            batch_size=5_000,
        )
        rows = Student.objects.order_by("id").values_list("id", "school_id", "school_class_id")
        Enrolment.objects.bulk_create(
            [
                Enrolment(student_id=s, school_id=sc, school_class_id=c, started_on=kid_born + timedelta(days=730))
                for s, sc, c in rows
            ],
            batch_size=5_000,
        )
        n_guardians = int(pupils * guardians)
        gfirst = first + pupils
        Person.objects.bulk_create(
            [
                Person(id=gfirst + i, name=f"家长{i}", sex="2", birth_date=born, phone=f"136{i:08d}")
                for i in range(n_guardians)
            ],
            batch_size=5_000,
        )
        student_ids = [r[0] for r in rows]
        Guardianship.objects.bulk_create(
            [
                Guardianship(guardian_id=gfirst + i, student_id=student_ids[i % pupils], relation="51")
                for i in range(n_guardians)
            ],
            batch_size=5_000,
        )
    return {
        "schools": len(schools),
        "classes": len(classes),
        "staff": len(staff),
        "pupils": pupils,
        "guardians": n_guardians,
    }


def _timed_sync(label: str):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhijiao.identity.provisioning import accounts_sync

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = accounts_sync(actor=None)
        seconds = time.perf_counter() - started
    print(
        f"{label:<22} {seconds:8.2f} s   新建 {result.created:>8}  停用 {result.deactivated:>6}  "
        f"授权 +{result.grants_added}/−{result.grants_removed}  查询 {len(queries)}"
    )
    return result, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pupils", type=int, default=100_000)
    parser.add_argument("--guardians", type=float, default=1.0, help="guardians per pupil on average")
    parser.add_argument("--home")
    parser.add_argument("--database-url")
    parser.add_argument("--keep", action="store_true", help="keep the temporary $ZHIJIAO_HOME")
    args = parser.parse_args()

    home = Path(args.home) if args.home else Path(tempfile.mkdtemp(prefix="zhijiao-bench-accounts-"))
    home.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    try:
        _setup(home, args.database_url)
        from django.db import connection

        from zhijiao.identity.models import Account
        from zhijiao.people.models import Enrolment, Student

        started = time.perf_counter()
        built = _build(args.pupils, args.guardians)
        print(f"数据库：{connection.vendor}；$ZHIJIAO_HOME={home}")
        print(f"登记数据（不计入）：{built}，用时 {time.perf_counter() - started:.1f} s")

        first, seconds = _timed_sync("首次同步")
        people = built["pupils"] + built["guardians"] + built["staff"]
        print(f"{'':<22} 速率 {first.created / seconds:,.0f} 账号/秒（{people:,} 人）")
        if first.created != people:
            failures.append(f"首次同步应新建 {people} 个账号，实为 {first.created}")

        again, _ = _timed_sync("再次同步（无变化）")
        if (again.created, again.grants_added, again.grants_removed, again.deactivated) != (0, 0, 0, 0):
            failures.append(f"再次同步应无变化：{again.as_dict()}")

        leavers = list(Student.objects.order_by("id").values_list("id", flat=True)[::100])
        Student.objects.filter(id__in=leavers).update(status="10")
        Enrolment.objects.filter(student_id__in=leavers).update(ended_on=date(2026, 11, 1), end_reason="转出")
        left, _ = _timed_sync(f"{len(leavers)} 名学生离校")
        if left.deactivated < len(leavers):
            failures.append(f"离校学生的账号应停用 {len(leavers)} 个，实为 {left.deactivated}")
        closed = Account.objects.filter(is_active=False, person__student__id__in=leavers[:1000]).count()
        if closed != min(1000, len(leavers)):
            failures.append("离校学生的账号未停用")
    finally:
        if not args.home and not args.keep:
            shutil.rmtree(home, ignore_errors=True)
    for failure in failures:
        print(f"失败：{failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
