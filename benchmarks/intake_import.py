"""Time `zhijiao import students` on a million-row file against a city-sized registry, next to the raw floor.

    uv run python benchmarks/intake_import.py [--rows 1000000] [--dirty 0.05] [--seed 42]
                                              [--database-url postgres://postgres@127.0.0.1:5432/zhijiao_bench_intake]
                                              [--home DIR] [--keep]

Steps, each timed and printed:

1. a fresh ``$ZHIJIAO_HOME`` (a temporary directory unless ``--home``), migrations, the current school year and an
   organisation skeleton sized for ``--rows`` students: 武汉市's districts with their schools, grades and classes
   (about 45 pupils a class) but no people, written with ``bulk_create``;
2. ``zhijiao generate students`` for ``--rows`` rows with ``--dirty`` of them dirty, referring to that registry;
3. ``zhijiao import students FILE --json`` in a child process: wall time, the child's peak RSS, rows/s, and the
   check created + updated + unchanged + rejected == rows_in;
4. the same file again: every accepted row must come back unchanged and the registry must not move (row counts of
   persons, students, enrolments, guardianships and change records, and the students' highest ``feed_seq``);
5. the raw floor: the same CSV read by DuckDB (all columns as text) and inserted without any checks into a scratch
   table, in one transaction (SQLite: a separate database file, ``executemany``; PostgreSQL: a separate database,
   ``COPY``), and the ratio import time / floor time.

With ``--database-url`` the registry is that PostgreSQL database, dropped and created first (so is ``NAME_floor``).
The script exits non-zero if the import fails or a check does not hold, after printing what it measured.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REGISTRY_TABLES = (
    "people_person",
    "people_student",
    "people_enrolment",
    "people_guardianship",
    "people_changerecord",
)
PUPILS_PER_CLASS = 45


# ------------------------------------------------------------------------------------------ child processes
@dataclass
class Child:
    command: list[str]
    returncode: int
    seconds: float
    peak_rss_mb: float
    stdout: str
    stderr: str
    result: dict = field(default_factory=dict)


def run_child(args: list[str], env: dict[str, str], workdir: Path) -> Child:
    """Run ``zhijiao ARGS``; wall time and this child's own peak RSS (``wait4``, not the sum over children)."""
    command = [sys.executable, "-m", "zhijiao.cli", *args]
    out_path, err_path = workdir / "child.out", workdir / "child.err"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    stdout = out_path.read_text(encoding="utf-8", errors="replace")
    stderr = err_path.read_text(encoding="utf-8", errors="replace")
    peak = usage.ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else usage.ru_maxrss / 1024
    done = Child(command, child.returncode, seconds, peak, stdout, stderr)
    for line in reversed(stdout.splitlines()):
        if line.startswith("{"):
            try:
                done.result = json.loads(line)
            except json.JSONDecodeError:
                continue
            break
    return done


# ------------------------------------------------------------------------------------------ databases
def recreate_pg_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def floor_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"{parts.path}_floor"))


def registry_state() -> dict[str, int]:
    from django.db import connection

    state: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in REGISTRY_TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 (fixed table names)
            state[table] = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(MAX(feed_seq), 0) FROM people_student")
        state["max(people_student.feed_seq)"] = cursor.fetchone()[0]
    connection.close()  # never hold a connection (or a SQLite lock) while a child writes
    return state


# ------------------------------------------------------------------------------------------ step 1: skeleton
@dataclass
class Skeleton:
    schools: int
    grades: int
    classes: int
    year: int
    seconds: float


def build_skeleton(*, rows: int, seed: int) -> Skeleton:
    """Schools, grades and classes of 武汉市's districts, enough for ``rows`` pupils at about 45 a class; no people.

    Schools are taken district by district in turn from the city plan's mix (the demo builder's class counts per
    grade), so a small ``--rows`` gives a few schools spread over the city and a million gives about 22k classes.
    """
    from django.db import transaction
    from django.utils import timezone

    from zhijiao.core.feed import feed_backfill
    from zhijiao.core.synth import Synth
    from zhijiao.demo.builder import POLICY_SIZE
    from zhijiao.demo.plan import KINDS, region_plan
    from zhijiao.org.grades import STAGE_YEARS
    from zhijiao.org.models import Division, Grade, School, SchoolClass
    from zhijiao.org.selectors import school_year_start_for
    from zhijiao.org.services import school_year_open

    started = time.perf_counter()
    today = timezone.localdate()
    year = school_year_start_for(today)
    synth = Synth(seed)
    rng = synth.rng
    plan = region_plan("city")
    counties = {d.code: d for d in Division.objects.filter(code__in=[c for c, _ in plan.counties])}
    queues: list[list[tuple[str, str, str]]] = []  # per county: (county code, kind key, school name)
    for code, mix in plan.counties:
        queue = []
        for key, count in mix.items():
            queue += [(code, key, name) for name in synth.school_names(counties[code].name, key, count)]
        rng.shuffle(queue)
        queues.append(queue)

    target = max(1, round(rows / PUPILS_PER_CLASS))
    schools: list[School] = []
    layout: list[list[tuple[str, int, int]]] = []  # per school: (stage, entry year, classes in that grade)
    serials: dict[str, int] = {}
    planned = 0
    while planned < target and any(queues):
        for queue in queues:
            if not queue or planned >= target:
                continue
            code, key, name = queue.pop()
            kind = KINDS[key]
            serials[code] = serials.get(code, 0) + 1
            schools.append(
                School(
                    code=f"3{code[:4]}{int(code[4:]):02d}{serials[code]:03d}",
                    name=name,
                    school_type=kind.school_type,
                    sponsor="831",
                    division_id=code,
                    stages=",".join(kind.stages),
                    address=synth.address(code),
                    phone=f"027-8{rng.randint(1000000, 9999999)}",
                    founded_year=rng.randint(1950, 2018),
                    origin="bench",
                )
            )
            per_grade = rng.randint(*kind.classes_per_grade)
            grades = []
            for stage in kind.stages:
                for level in range(1, STAGE_YEARS[stage] + 1):
                    n = max(1, per_grade + rng.choice((-1, 0, 0, 0, 1)))
                    grades.append((stage, year - level + 1, n))
                    planned += n
            layout.append(grades)
    if planned < target:
        raise SystemExit(f"the city plan holds {planned} classes, fewer than the {target} that --rows {rows} needs")

    with transaction.atomic():
        school_year_open(start_year=year, current_term=1 if today.month >= 9 else 2)
        School.objects.bulk_create(schools, batch_size=2000)
        grade_rows = [
            Grade(school=school, stage=stage, entry_year=entry)
            for school, grades in zip(schools, layout, strict=True)
            for stage, entry, _ in grades
        ]
        Grade.objects.bulk_create(grade_rows, batch_size=2000)
        counts = [n for grades in layout for _, _, n in grades]
        classes = [
            SchoolClass(
                school_id=grade.school_id,
                grade=grade,
                number=number,
                name=f"{grade.entry_year}级（{number}）班",
                capacity=POLICY_SIZE[grade.stage],
                origin="bench",
            )
            for grade, n in zip(grade_rows, counts, strict=True)
            for number in range(1, n + 1)
        ]
        SchoolClass.objects.bulk_create(classes, batch_size=2000)
    feed_backfill(School)
    feed_backfill(SchoolClass)
    return Skeleton(len(schools), len(grade_rows), len(classes), year, time.perf_counter() - started)


# ------------------------------------------------------------------------------------------ step 5: raw floor
@dataclass
class Floor:
    rows: int
    seconds: float
    read_seconds: float
    where: str


def _duckdb_rows(path: Path):
    import duckdb

    con = duckdb.connect()
    cursor = con.execute("SELECT * FROM read_csv(?, all_varchar = true, header = true)", [str(path)])
    columns = len(cursor.description)
    return con, cursor, columns


def floor_sqlite(path: Path, scratch: Path) -> Floor:
    """DuckDB reads the CSV as text; SQLite takes it with one ``executemany`` per chunk in one transaction."""
    scratch.unlink(missing_ok=True)
    started = time.perf_counter()
    con, cursor, columns = _duckdb_rows(path)
    db = sqlite3.connect(scratch, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")  # what the application's SQLite runs with
    names = ", ".join(f"c{i} TEXT" for i in range(columns))
    db.execute(f"CREATE TABLE raw ({names})")
    insert = f"INSERT INTO raw VALUES ({', '.join('?' * columns)})"  # noqa: S608 (placeholders only)
    rows = 0
    read = 0.0
    db.execute("BEGIN")
    while True:
        tick = time.perf_counter()
        chunk = cursor.fetchmany(100_000)
        read += time.perf_counter() - tick
        if not chunk:
            break
        db.executemany(insert, chunk)
        rows += len(chunk)
    db.execute("COMMIT")
    db.close()
    con.close()
    return Floor(rows, time.perf_counter() - started, read, f"SQLite {sqlite3.sqlite_version} ({scratch.name})")


def floor_postgres(path: Path, url: str) -> Floor:
    """DuckDB reads the CSV as text; PostgreSQL takes it through ``COPY … FROM STDIN`` in one transaction."""
    import psycopg

    recreate_pg_database(url)
    started = time.perf_counter()
    con, cursor, columns = _duckdb_rows(path)
    rows = 0
    read = 0.0
    with psycopg.connect(url) as db:
        names = ", ".join(f"c{i} text" for i in range(columns))
        db.execute(f"CREATE TABLE raw ({names})")
        with db.cursor().copy("COPY raw FROM STDIN") as copy:
            while True:
                tick = time.perf_counter()
                chunk = cursor.fetchmany(100_000)
                read += time.perf_counter() - tick
                if not chunk:
                    break
                for row in chunk:
                    copy.write_row(row)
                rows += len(chunk)
        db.commit()
        shown = db.execute("SHOW server_version").fetchone()
        version = str(shown[0]).split()[0] if shown else "?"
    con.close()
    return Floor(rows, time.perf_counter() - started, read, f"PostgreSQL {version} ({urlsplit(url).path[1:]})")


# ------------------------------------------------------------------------------------------ main
def _child_failed(name: str, child: Child) -> None:
    print(f"!! {name} FAILED (exit {child.returncode}) after {child.seconds:.1f} s: {' '.join(child.command[2:])}")
    tail = (child.stderr or child.stdout).strip().splitlines()[-15:]
    print("\n".join(f"   {line}" for line in tail))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dirty", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database-url", default="", help="PostgreSQL instead of SQLite (dropped and recreated)")
    parser.add_argument("--home", default="", help="ZHIJIAO_HOME to use (emptied first); default a temporary one")
    parser.add_argument("--keep", action="store_true", help="keep the home directory (database, file) afterwards")
    args = parser.parse_args()

    if args.home:
        home = Path(args.home).resolve()
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
    else:
        home = Path(tempfile.mkdtemp(prefix="zhijiao-bench-intake-"))
    os.environ["ZHIJIAO_HOME"] = str(home)
    os.environ["DJANGO_SETTINGS_MODULE"] = "zhijiao.config.settings"
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("DATABASE_URL", None)
    database = "sqlite"
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
        recreate_pg_database(args.database_url)
        database = "postgresql"
    env = dict(os.environ)
    failures: list[str] = []

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    print(f"rows={args.rows} dirty={args.dirty} seed={args.seed} database={database} cpus={os.cpu_count()}")
    print(f"home={home}")

    # 1. schema and organisation skeleton
    tick = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrate_seconds = time.perf_counter() - tick
    skeleton = build_skeleton(rows=args.rows, seed=args.seed)
    connection.close()
    print(
        f"[1] migrate {migrate_seconds:.1f} s; skeleton {skeleton.seconds:.1f} s: {skeleton.schools} schools, "
        f"{skeleton.grades} grades, {skeleton.classes} classes, school year {skeleton.year}-{skeleton.year + 1}"
    )

    # 2. the file
    data = home / f"students-{args.rows}.csv"
    generate = run_child(
        [
            "generate",
            "students",
            "--rows",
            str(args.rows),
            "--out",
            str(data),
            "--dirty",
            str(args.dirty),
            "--seed",
            str(args.seed),
        ],
        env,
        home,
    )
    if generate.returncode != 0:
        _child_failed("generate", generate)
        raise SystemExit(1)
    size_mb = data.stat().st_size / 1e6
    print(
        f"[2] generate {args.rows:,} rows: wall {generate.seconds:.1f} s, peak RSS {generate.peak_rss_mb:.0f} MB, "
        f"{size_mb:.0f} MB CSV — {generate.stdout.strip()}"
    )

    # 3. first import
    before = registry_state()
    first = run_child(["import", "students", str(data), "--json"], env, home)
    after_first = registry_state()
    r = first.result
    if first.returncode != 0 or not r:
        _child_failed("import (first)", first)
        failures.append("first import")
    else:
        total = r["created"] + r["updated"] + r["unchanged"] + r["rejected"]
        balanced = total == r["rows_in"] == args.rows
        print(
            f"[3] import: wall {first.seconds:.1f} s, peak RSS {first.peak_rss_mb:.0f} MB, "
            f"{r['rows_in'] / first.seconds:,.0f} rows/s — rows_in {r['rows_in']:,}, created {r['created']:,}, "
            f"updated {r['updated']:,}, unchanged {r['unchanged']:,}, rejected {r['rejected']:,}; "
            f"sum {'==' if balanced else '!='} rows_in"
        )
        print(f"    report: {r.get('report')}; registry {before} -> {after_first}")
        if not balanced:
            failures.append("first import: created+updated+unchanged+rejected != rows_in")

    # 4. the same file again
    second = run_child(["import", "students", str(data), "--json"], env, home)
    after_second = registry_state()
    r2 = second.result
    if second.returncode != 0 or not r2:
        _child_failed("import (again)", second)
        failures.append("second import")
    else:
        accepted = r2["rows_in"] - r2["rejected"]
        idempotent = r2["created"] == r2["updated"] == 0 and r2["unchanged"] == accepted
        still = after_second == after_first
        print(
            f"[4] re-import: wall {second.seconds:.1f} s, peak RSS {second.peak_rss_mb:.0f} MB, "
            f"{r2['rows_in'] / second.seconds:,.0f} rows/s — created {r2['created']:,}, updated {r2['updated']:,}, "
            f"unchanged {r2['unchanged']:,} of {accepted:,} accepted, rejected {r2['rejected']:,}; "
            f"all accepted unchanged: {'yes' if idempotent else 'NO'}; registry untouched: {'yes' if still else 'NO'}"
        )
        if not still:
            print(f"    registry {after_first} -> {after_second}")
        if not idempotent:
            failures.append("re-import changed rows")
        if not still:
            failures.append("re-import wrote to the registry")

    # 5. the raw floor
    if args.database_url:
        floor = floor_postgres(data, floor_url(args.database_url))
    else:
        floor = floor_sqlite(data, home / "floor.sqlite3")
    print(
        f"[5] raw floor (DuckDB read_csv all_varchar + {'COPY' if args.database_url else 'executemany'}, "
        f"no checks) into {floor.where}: {floor.rows:,} rows in {floor.seconds:.1f} s "
        f"(reading {floor.read_seconds:.1f} s), {floor.rows / floor.seconds:,.0f} rows/s"
    )
    if first.result:
        print(f"    import / floor = {first.seconds / floor.seconds:.1f}x")

    print(
        "summary: "
        + json.dumps(
            {
                "rows": args.rows,
                "database": database,
                "classes": skeleton.classes,
                "generate_s": round(generate.seconds, 1),
                "import_s": round(first.seconds, 1) if first.result else None,
                "import_peak_rss_mb": round(first.peak_rss_mb) if first.result else None,
                "import_rows_per_s": round(first.result["rows_in"] / first.seconds) if first.result else None,
                "reimport_s": round(second.seconds, 1) if second.result else None,
                "floor_s": round(floor.seconds, 1),
                "ratio": round(first.seconds / floor.seconds, 1) if first.result else None,
                "first": first.result or None,
                "again": second.result or None,
            },
            ensure_ascii=False,
        )
    )
    if not args.keep and not args.home:
        shutil.rmtree(home, ignore_errors=True)
    if failures:
        print("FAILED: " + "; ".join(failures))
        raise SystemExit(1)


if __name__ == "__main__":
    main()
