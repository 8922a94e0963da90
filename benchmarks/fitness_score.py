"""Score a city's fitness results (issue 16: ≈ 1.5 million pupils in under 60 s).

    uv run python benchmarks/fitness_score.py [--pupils 1500000] [--dir DIR] [--keep]

Writes a synthetic results CSV in the layout of a device export (Chinese headers, grades 一年级…六年级 and
高一…高三, sexes mixed, results drawn around each grade's 60–100 rows, times as seconds or 分'秒), then times, as
``zhijiao fitness score IN OUT`` does them: reading the file, checking and scoring every row, writing the result
CSV. 1 % of the rows carry a typing error so the rejection path is timed too. Prints one line per step and the
total; exits 1 if rows_in ≠ scored + rejected.

    uv run python benchmarks/fitness_score.py --import [--database-url postgresql://127.0.0.1:5432/zh_fit_bench]

times the import INTO THE PLATFORM instead: a city's pupils are built first in bulk (schools of 1,500 pupils in
classes of 45, spread over the city's districts, Person and Student rows through ``core.bulk``; not timed), the
file has no typing error, and ``growth.services.fitness_area_import`` (what the 区域导入 page calls, as the city's
区域管理员) runs on the file's bytes to its commit: read, check and score, match 学籍号 (one read of the area's
pupils), write the FitnessResult rows (COPY + upsert on PostgreSQL), audit. Stages, wall, CPU of this process and,
on PostgreSQL, of the server backend are printed. The database named is dropped and re-created.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
os.environ.setdefault("ZHIJIAO_HOME", tempfile.mkdtemp(prefix="zh-fitness-bench-"))

sys.path.insert(0, str(Path(__file__).parent))
from timing import db_backend_cpu, migrated_database

from zhijiao.growth.fitness import GRADE_NAMES, standard_load
from zhijiao.growth.tabular import read_table, score_frame, write_table

ITEM_HEADERS = {
    "vital_capacity": "肺活量", "run_50m": "50米跑", "sit_reach": "坐位体前屈", "rope_1min": "一分钟跳绳",
    "sit_up": "一分钟仰卧起坐", "shuttle_50x8": "50米×8往返跑", "long_jump": "立定跳远", "pull_up": "引体向上",
    "run_800": "800米跑", "run_1000": "1000米跑",
}  # fmt: skip


def synthesise(n: int, path: Path, seed: int = 16, typos: float = 0.01) -> None:
    std = standard_load()
    rng = np.random.default_rng(seed)
    grades = np.array([1, 2, 3, 4, 5, 6, 10, 11, 12])
    grade = rng.choice(grades, n)
    sex = rng.integers(0, 2, n)
    cols: dict[str, object] = {
        "学籍号": [f"G{i:018d}" for i in range(n)],
        "性别": np.where(sex == 0, "男", "女"),
        "年级": np.array([GRADE_NAMES[g] for g in grades])[np.searchsorted(grades, grade)],
        "身高": np.round(rng.normal(100 + grade * 6, 8), 1),
        "体重": np.round(rng.normal(15 + grade * 4, 5).clip(12), 1),
    }
    for item, header in ITEM_HEADERS.items():
        lo = np.full(n, np.nan)
        hi = np.full(n, np.nan)
        for (it, g, s), table in std.tables.items():
            if it == item:
                here = (grade == g) & (sex == ("男", "女").index(s))
                lo[here] = table.rows[14][1]  # 60-point row
                hi[here] = table.rows[0][1]  # 100-point row
        value = lo + (hi - lo) * rng.uniform(-0.3, 1.2, n)
        if item not in {"sit_reach"}:
            value = np.clip(value, 0, None)
        decimals = 1 if item in {"run_50m", "sit_reach"} else 0
        text = np.where(np.isnan(value), "", np.round(value, decimals).astype(str))
        if item in {"run_800", "run_1000"}:  # half of the exports write 分'秒
            secs = np.nan_to_num(np.round(value)).astype(int)
            mmss = np.char.add(np.char.add((secs // 60).astype(str), "'"), np.char.zfill((secs % 60).astype(str), 2))
            text = np.where(
                np.isnan(value),
                "",
                np.where(rng.random(n) < 0.5, mmss, np.nan_to_num(np.round(value)).astype(int).astype(str)),
            )
        elif decimals == 0:
            text = np.where(np.isnan(value), "", np.nan_to_num(np.round(value)).astype(int).astype(str))
        cols[header] = text
    if not typos:  # a clean file: no pupil below the 身高 range the import checks
        cols["身高"] = np.clip(cols["身高"], 80, 230)  # type: ignore[call-overload]
    typo = rng.random(n) < typos
    cols["50米跑"] = np.where(typo, "九秒", cols["50米跑"])
    pl.DataFrame(cols).write_csv(path)


PER_SCHOOL = 1_500
PER_CLASS = 45


def _rows(model: type, given: dict[str, object], n: int) -> pl.DataFrame:
    """A frame of ``n`` rows for ``model``'s table: the ``given`` columns, every other column its default."""
    from django.db.models import NOT_PROVIDED

    now = pl.lit(datetime.now(UTC))
    cols = []
    for f in model._meta.concrete_fields:
        if f.column in given:
            value = given[f.column]
            cols.append(pl.Series(f.column, value) if not isinstance(value, pl.Expr) else value.alias(f.column))
        elif f.primary_key:
            continue
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            cols.append(now.alias(f.column))
        elif f.default is not NOT_PROVIDED:
            default = f.default() if callable(f.default) else f.default
            cols.append(pl.lit(default).alias(f.column))
        elif f.null:
            cols.append(pl.lit(None, dtype=pl.String).alias(f.column))
        else:
            cols.append(pl.lit("").alias(f.column))
    return pl.select(pl.int_range(n).alias("_")).with_columns(cols).drop("_")


def _build_city(n: int):
    """The city's schools, classes and pupils (学籍号 G + 18 digits, as the synthetic file): bulk, not timed."""
    from django.db import transaction

    from zhijiao.access.roles import Role
    from zhijiao.core import bulk
    from zhijiao.identity.services import account_create, role_grant
    from zhijiao.org.models import Division, Grade, School, SchoolClass, Term
    from zhijiao.org.services import school_year_open
    from zhijiao.people.models import Person, Student

    school_year_open(start_year=2026)
    term = Term.objects.get(is_current=True)
    city = Division.objects.get(pk="4201")
    districts = list(Division.objects.filter(code__startswith="4201").exclude(pk="4201").order_by("code")) or [city]
    n_schools = -(-n // PER_SCHOOL)
    with transaction.atomic():
        School.objects.bulk_create(
            [
                School(
                    code=f"3{i:09d}",
                    name=f"第{i + 1}学校",
                    school_type="211",
                    division=districts[i % len(districts)],
                    stages="2",
                )
                for i in range(n_schools)
            ]
        )
        schools = list(School.objects.order_by("code").values_list("pk", flat=True))
        Grade.objects.bulk_create([Grade(school_id=s, stage="2", entry_year=2025) for s in schools])
        grades = dict(Grade.objects.values_list("school_id", "pk"))
        per_school = -(-PER_SCHOOL // PER_CLASS)
        SchoolClass.objects.bulk_create(
            [
                SchoolClass(school_id=s, grade_id=grades[s], number=c + 1, name=f"（{c + 1}）班")
                for s in schools
                for c in range(per_school)
            ],
            batch_size=5_000,
        )
        classes = pl.DataFrame(
            list(SchoolClass.objects.order_by("school_id", "number").values_list("pk", "school_id")),
            schema={"class_id": pl.Int64, "school_id": pl.Int64},
            orient="row",
        )
        person_ids = bulk.ids_allocate(Person._meta.db_table, n)
        bulk.insert(
            Person._meta.db_table,
            _rows(Person, {"id": person_ids, "name": pl.format("学生{}", pl.int_range(n)), "sex": pl.lit("1"),
                           "id_number": pl.lit(None, dtype=pl.String)}, n),
        )  # fmt: skip
        pupil = np.arange(n)
        slot = (pupil // PER_SCHOOL) * per_school + (pupil % PER_SCHOOL) // PER_CLASS
        picked = classes[slot.tolist()]
        bulk.insert(
            Student._meta.db_table,
            _rows(Student, {"id": bulk.ids_allocate(Student._meta.db_table, n), "person_id": person_ids,
                            "student_no": pl.format("G{}", pl.int_range(n).cast(pl.String).str.zfill(18)),
                            "school_id": picked["school_id"], "school_class_id": picked["class_id"]}, n),
        )  # fmt: skip
        bureau = account_create(username="bench-city", password=None)
        role_grant(account=bureau, role=Role.REGION_ADMIN, division=city)
    return bureau, term, n_schools


def import_main(args: argparse.Namespace, work: Path) -> int:
    if not args.database_url:  # a fresh SQLite database
        os.environ["ZHIJIAO_HOME"] = tempfile.mkdtemp(prefix="zh-fitness-bench-db-")
    migrated_database(args.database_url)
    from django.db import connection

    from zhijiao.audit.services import Origin
    from zhijiao.growth import services

    print(f"database: {connection.vendor}; load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    t = time.perf_counter()
    bureau, term, n_schools = _build_city(args.pupils)
    print(f"city: {args.pupils:,} pupils in {n_schools:,} schools, {time.perf_counter() - t:.1f} s (not timed)")
    src = work / "results.csv"
    t = time.perf_counter()
    synthesise(args.pupils, src, typos=0.0)
    print(f"file: {src.stat().st_size / 1e6:.0f} MB, {time.perf_counter() - t:.1f} s (not timed)")
    stages: dict[str, list[float]] = {}

    def timed(name: str, fn):  # type: ignore[no-untyped-def]
        def wrapper(*a, **k):  # type: ignore[no-untyped-def]
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                return fn(*a, **k)
            finally:
                stages.setdefault(name, [0.0, 0.0])
                stages[name][0] += time.perf_counter() - t0
                stages[name][1] += time.process_time() - c0

        return wrapper

    for name, attr in [("read", "read_table"), ("check+score", "score_frame"), ("records", "result_records"),
                       ("match (pupils read)", "_area_pupils"), ("write (upsert)", "_results_write")]:  # fmt: skip
        setattr(services, attr, timed(name, getattr(services, attr)))
    db0 = db_backend_cpu()
    t0, c0 = time.perf_counter(), time.process_time()
    data = src.read_bytes()
    outcome = services.fitness_area_import(
        actor=bureau,
        term_id=term.pk,
        name="秋季体质健康测试",
        data=data,
        filename=src.name,
        origin=Origin(channel="cli"),
    )
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    db1 = db_backend_cpu()
    for name, (w, c) in stages.items():
        print(f"{name:22s} {w:6.1f} s wall {c:6.1f} s cpu")
    rest = wall - sum(w for w, _ in stages.values())
    print(f"{'other (join, rounds, audit, commit)':22s} {rest:6.1f} s wall")
    print(f"total                  {wall:6.1f} s wall {cpu:6.1f} s cpu (this process)"
          + (f", {db1 - db0:.1f} s cpu PostgreSQL backend" if db0 is not None and db1 is not None else ""))  # fmt: skip
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(
        f"imported {outcome.imported:,} of {outcome.rows_in:,} rows into {len(outcome.schools):,} schools' rounds; "
        f"problems {len(outcome.problems)}; load average {load}"
    )
    if outcome.problems:
        print("first problems:", [p.text for p in outcome.problems[:5]])
    return 0 if outcome.ok and outcome.imported == outcome.rows_in else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pupils", type=int, default=1_500_000)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--import", dest="into_platform", action="store_true")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    if args.into_platform:
        work = args.dir or Path(tempfile.mkdtemp(prefix="zh-fitness-bench-"))
        work.mkdir(parents=True, exist_ok=True)
        try:
            return import_main(args, work)
        finally:
            if not args.keep and args.dir is None:
                shutil.rmtree(work, ignore_errors=True)
    work = args.dir or Path(tempfile.mkdtemp(prefix="zh-fitness-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    src, dst = work / "results.csv", work / "scored.csv"
    t = time.perf_counter()
    synthesise(args.pupils, src)
    print(
        f"synthetic file: {args.pupils:,} rows, {src.stat().st_size / 1e6:.0f} MB, "
        f"{time.perf_counter() - t:.1f} s (not timed)"
    )
    std = standard_load()
    t0 = time.perf_counter()
    frame = read_table(src.read_bytes(), src.name)
    t1 = time.perf_counter()
    result = score_frame(std, frame)
    t2 = time.perf_counter()
    write_table(result.frame, dst)
    t3 = time.perf_counter()
    print(f"read      {t1 - t0:6.1f} s")
    print(f"check+score {t2 - t1:4.1f} s  ({result.scored:,} scored, {result.rejected:,} rejected)")
    print(f"write     {t3 - t2:6.1f} s")
    print(f"total     {t3 - t0:6.1f} s  for {result.rows_in:,} pupils ({result.rows_in / (t3 - t0):,.0f} rows/s)")
    levels = result.frame["等级"].value_counts().sort("等级")
    print("levels:", ", ".join(f"{r[0]} {r[1]:,}" for r in levels.iter_rows() if r[0]))
    if not args.keep and args.dir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if result.rows_in == result.scored + result.rejected else 1


if __name__ == "__main__":
    sys.exit(main())
