"""The warehouse: the registry copied as one dated folder of Parquet files, one file per table.

``$ZHIJIAO_WAREHOUSE_DIR/2026-11-29/{divisions,schools,classes,students,staff,quality}.parquet``, the learning
record store's ``learning_statements.parquet`` (filled through ``core.warehouse_sources``), plus ``manifest.json``.
``quality`` holds the catalogue's latest data-quality scores per school and dataset; snapshots written before it
existed lack the file, and the engine reads them as having an empty ``quality`` table (so too
``learning_statements``).
Rows carry codes and ids only — no names of people, no ID numbers, phones or addresses — so the warehouse can be
handed to an analytics engine (DuckDB here, Spark or Trino for a province) without carrying personal data.

Every table is read with one SQL query through Django's connection into a Polars frame (``COPY`` on PostgreSQL),
never row by row through the ORM. Each table is written sorted by ``division_code, school_code`` so Parquet's
row-group statistics let an engine skip most of a city's rows when it reads one district or school.

A snapshot is written into a temporary folder beside the dated one and renamed into place, so a reader sees the
old day's files or the new ones, never half of each; a lock file keeps two writers from swapping at once.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings

from zhijiao.catalogue.models import Dataset, QualityScore
from zhijiao.core.bulk import fetch_frame
from zhijiao.core.warehouse_sources import warehouse_source
from zhijiao.org.grades import grade_code
from zhijiao.org.models import Bureau, Division, Grade, School, SchoolClass
from zhijiao.people.models import Person, Staff, Student

FORMAT_VERSION = 1
MANIFEST = "manifest.json"

# Column types of every warehouse table (Ibis type names). One definition serves the Parquet writer, the DuckDB
# tables and the unbound tables the metrics are compiled against for Spark and Trino.
SCHEMAS: dict[str, dict[str, str]] = {
    "divisions": {"code": "string", "name": "string", "level": "int16", "parent_code": "string"},
    "schools": {
        "school_id": "int64",
        "school_code": "string",
        "name": "string",
        "school_type": "string",  # JY/T 1001 办学类型
        "sponsor": "string",
        "division_code": "string",  # the county (区县) the school belongs to
        "stages": "string",  # 学段 codes, comma-separated
        "is_active": "boolean",
    },
    "classes": {
        "class_id": "int64",
        "school_id": "int64",
        "school_code": "string",
        "division_code": "string",
        "stage": "string",  # 学段: 1 学前, 2 小学, 3 初中, 4 高中, 6 中职
        "entry_year": "int16",
        "grade": "string",  # 年级 code in the snapshot's school year (13 = 三年级); "" once the cohort has left
        "number": "int16",
        "capacity": "int16",
        "has_head_teacher": "boolean",
        "is_active": "boolean",
    },
    "students": {
        "student_id": "int64",
        "school_id": "int64",
        "school_code": "string",
        "division_code": "string",
        "class_id": "int64",  # null: not placed in a class
        "stage": "string",  # the class's 学段; without a class, the school's first 学段
        "entry_year": "int16",
        "grade": "string",
        "sex": "string",  # GB/T 2261.1
        "ethnicity": "string",  # GB/T 3304
        "study_mode": "string",  # 就读方式
        "status": "string",  # 学生当前状态 (01 在读)
        "hukou": "string",  # 户口性质
        "birth_year": "int16",
    },
    "staff": {
        "staff_id": "int64",
        "school_id": "int64",  # null for bureau staff
        "school_code": "string",  # "" for bureau staff
        "division_code": "string",  # the school's or the bureau's division
        "category": "string",  # 教职工类别 (11 专任教师)
        "subject": "string",
        "sex": "string",
        "is_active": "boolean",
        "hired_year": "int16",
    },
    "quality": {  # the catalogue's latest scores (catalogue.QualityScore), one row per school × dataset
        "school_code": "string",
        "division_code": "string",
        "dataset": "string",  # catalogue.Dataset code
        "score": "float64",  # 综合得分, 0–100
        "completeness": "float64",
        "validity": "float64",
        "timeliness": "float64",
        "computed_at": "string",  # when the catalogue computed the scores (the database's text form)
    },
    # The learning record store's statements, flattened (zhijiao.xapi.warehouse fills it through the core hook
    # core.warehouse_sources; docs/xapi.md "进入数据仓库"). Voided and voiding statements are left out; a learner's
    # account is placed at the school and class the registry has for its person when the snapshot is taken.
    "learning_statements": {
        "statement_id": "string",
        "stored": "string",  # ISO 8601, UTC, as the LRS stored it
        "timestamp": "string",  # ISO 8601 as the statement says (the LRS fills it in with ``stored`` when absent)
        "day": "string",  # the timestamp's day in Beijing, YYYY-MM-DD
        "app": "string",  # the writing app's name
        "verb_id": "string",
        "verb": "string",  # the Chinese word (the platform's vocabulary, else the verb's zh-CN/any display)
        "activity_id": "string",  # "" when the object is an agent or a statement reference
        "activity_type": "string",
        "activity_name": "string",
        "success": "boolean",  # null: not reported
        "completion": "boolean",
        "score_scaled": "float64",  # -1 … 1
        "duration_s": "float64",  # result.duration in seconds
        "registration": "string",
        "learner_id": "int64",  # the platform account; null for an actor the platform does not know
        "person_id": "int64",
        "student_id": "int64",
        "school_id": "int64",
        "school_code": "string",  # "" when the learner is not a pupil on the roll
        "division_code": "string",
        "class_id": "int64",
    },
}
# Tables older snapshots may lack: read as empty.
OPTIONAL_TABLES = frozenset({"quality", "learning_statements"})
# Tables filled by apps above analytics through zhijiao.core.warehouse_sources (empty when none is registered).
SOURCE_TABLES: tuple[str, ...] = ("learning_statements",)

# ---- growth (issue 16 item 6, decision 0055-health-file): filled by zhijiao.growth.warehouse through the core hook.
# The school year's latest health check and fitness result per pupil, and each class's latest 综合素质评价 review.
# Codes and ids only; psychological screenings never enter the warehouse.
GROWTH_SCHEMAS: dict[str, dict[str, str]] = {
    "health_checks": {
        "student_id": "int64",
        "school_id": "int64",
        "school_code": "string",
        "division_code": "string",
        "class_id": "int64",
        "day": "string",  # YYYY-MM-DD
        "myopia": "boolean",  # 筛查性近视 (WS/T 663—2020); null: undecided (no refraction for an eye below 5.0)
        "poor_vision": "boolean",  # 视力不良: 裸眼视力 below 5.0 in an eye
    },
    "fitness_results": {
        "student_id": "int64",
        "school_id": "int64",
        "school_code": "string",
        "division_code": "string",
        "class_id": "int64",
        "level": "string",  # 优秀 / 良好 / 及格 / 不及格
        "total": "float64",  # 学年总分
        "bmi_class": "string",
    },
    "growth_reviews": {
        "class_id": "int64",
        "school_id": "int64",
        "school_code": "string",
        "division_code": "string",
        "term": "int16",
        "state": "string",  # selecting / published / audited / archived
        "done": "boolean",  # audited or archived
    },
}
SCHEMAS.update(GROWTH_SCHEMAS)
OPTIONAL_TABLES = OPTIONAL_TABLES | frozenset(GROWTH_SCHEMAS)
SOURCE_TABLES = (*SOURCE_TABLES, *GROWTH_SCHEMAS)
# ---- end growth

# ---- spaces (issue 18): the 网络学习空间's use, one row per account and role (zhijiao.spaces.homes.warehouse fills
# it through core.warehouse_sources); analytics.space_indicators turns it into four indicators per school.
SCHEMAS["space_usage"] = {
    "account_id": "int64",
    "role": "string",  # teacher (专任教师), student (在读), guardian (of a pupil in school)
    "school_id": "int64",
    "school_code": "string",
    "division_code": "string",
    "active_30d": "boolean",  # used the space (a visit, a notice read) in the 30 days before the snapshot
    "research": "boolean",  # teachers: took part in a 网络教研 activity this calendar year
    "hours": "float64",  # teachers: this year's 继续教育学时 (null for others)
    "hours_required": "float64",
    "notices": "int64",  # notices delivered to the account in the last 30 days
    "notices_read": "int64",
}
OPTIONAL_TABLES = OPTIONAL_TABLES | {"space_usage"}
SOURCE_TABLES = (*SOURCE_TABLES, "space_usage")

_POLARS = {"string": pl.String, "int16": pl.Int16, "int64": pl.Int64, "boolean": pl.Boolean, "float64": pl.Float64}


def polars_schema(table: str) -> dict[str, Any]:
    return {name: _POLARS[kind] for name, kind in SCHEMAS[table].items()}


@dataclass(frozen=True)
class SnapshotFiles:
    """What one snapshot wrote: its folder, rows per table and the school year its grades are labelled in."""

    day: date
    path: Path
    rows: dict[str, int]
    school_year: int
    duration_ms: int


def warehouse_root() -> Path:
    root = Path(settings.ZHIJIAO_WAREHOUSE_DIR)
    root.mkdir(parents=True, exist_ok=True)
    return root


def snapshot_dir(day: date) -> Path:
    return warehouse_root() / f"{day:%Y-%m-%d}"


def table_path(folder: Path | str, table: str) -> Path:
    return Path(folder) / f"{table}.parquet"


# ------------------------------------------------------------------------------------------ reading
def _t(model) -> str:
    return model._meta.db_table


def _read(sql: str, raw: dict[str, Any]) -> pl.DataFrame:
    """Run ``sql`` (columns in ``raw``'s order). Booleans are selected as 0/1, the same on SQLite and PostgreSQL."""
    return fetch_frame(sql, [], raw)


def read_divisions() -> pl.DataFrame:
    sql = f"SELECT code, name, level, COALESCE(parent_id, '') FROM {_t(Division)}"  # noqa: S608
    return _read(sql, polars_schema("divisions"))


def read_schools() -> pl.DataFrame:
    sql = (
        "SELECT id, code, name, school_type, sponsor, division_id, stages, "  # noqa: S608
        f"CASE WHEN is_active THEN 1 ELSE 0 END FROM {_t(School)}"
    )
    raw = {**polars_schema("schools"), "is_active": pl.Int8}
    return _read(sql, raw).with_columns(pl.col("is_active").cast(pl.Boolean))


def read_classes(school_year: int) -> pl.DataFrame:
    sql = (
        "SELECT c.id, c.school_id, s.code, s.division_id, g.stage, g.entry_year, c.number, c.capacity, "  # noqa: S608
        "CASE WHEN c.head_teacher_id IS NULL THEN 0 ELSE 1 END, CASE WHEN c.is_active THEN 1 ELSE 0 END "
        f"FROM {_t(SchoolClass)} c JOIN {_t(School)} s ON s.id = c.school_id JOIN {_t(Grade)} g ON g.id = c.grade_id"
    )
    raw = {
        "class_id": pl.Int64,
        "school_id": pl.Int64,
        "school_code": pl.String,
        "division_code": pl.String,
        "stage": pl.String,
        "entry_year": pl.Int16,
        "number": pl.Int16,
        "capacity": pl.Int16,
        "has_head_teacher": pl.Int8,
        "is_active": pl.Int8,
    }
    frame = _read(sql, raw).with_columns(pl.col("has_head_teacher", "is_active").cast(pl.Boolean))
    return _with_grade(frame, school_year)


def read_students(school_year: int) -> pl.DataFrame:
    sql = (
        "SELECT st.id, st.school_id, s.code, s.division_id, st.school_class_id, "  # noqa: S608
        "COALESCE(g.stage, SUBSTR(s.stages, 1, 1)), g.entry_year, p.sex, p.ethnicity, st.study_mode, st.status, "
        "st.hukou, CAST(p.birth_date AS TEXT) "
        f"FROM {_t(Student)} st JOIN {_t(Person)} p ON p.id = st.person_id JOIN {_t(School)} s ON s.id = st.school_id "
        f"LEFT JOIN {_t(SchoolClass)} c ON c.id = st.school_class_id LEFT JOIN {_t(Grade)} g ON g.id = c.grade_id"
    )
    raw = {
        "student_id": pl.Int64,
        "school_id": pl.Int64,
        "school_code": pl.String,
        "division_code": pl.String,
        "class_id": pl.Int64,
        "stage": pl.String,
        "entry_year": pl.Int16,
        "sex": pl.String,
        "ethnicity": pl.String,
        "study_mode": pl.String,
        "status": pl.String,
        "hukou": pl.String,
        "birth_date": pl.Date,
    }
    frame = _read(sql, raw)
    frame = frame.with_columns(pl.col("birth_date").dt.year().cast(pl.Int16).alias("birth_year")).drop("birth_date")
    return _with_grade(frame, school_year)


def read_staff() -> pl.DataFrame:
    sql = (
        "SELECT m.id, m.school_id, COALESCE(s.code, ''), COALESCE(s.division_id, b.division_id), "  # noqa: S608
        "m.category, m.subject, p.sex, CASE WHEN m.is_active THEN 1 ELSE 0 END, CAST(m.hired_on AS TEXT) "
        f"FROM {_t(Staff)} m JOIN {_t(Person)} p ON p.id = m.person_id "
        f"LEFT JOIN {_t(School)} s ON s.id = m.school_id LEFT JOIN {_t(Bureau)} b ON b.id = m.bureau_id"
    )
    raw = {
        "staff_id": pl.Int64,
        "school_id": pl.Int64,
        "school_code": pl.String,
        "division_code": pl.String,
        "category": pl.String,
        "subject": pl.String,
        "sex": pl.String,
        "is_active": pl.Int8,
        "hired_on": pl.Date,
    }
    frame = _read(sql, raw)
    return frame.with_columns(
        pl.col("is_active").cast(pl.Boolean), pl.col("hired_on").dt.year().cast(pl.Int16).alias("hired_year")
    ).drop("hired_on")


def read_quality() -> pl.DataFrame:
    """Each school's latest quality score per dataset: the rows of each dataset's newest computation."""
    sql = (
        "SELECT s.code, s.division_id, d.code, q.score, q.completeness, q.validity, q.timeliness, "  # noqa: S608
        f"CAST(q.computed_at AS TEXT) FROM {_t(QualityScore)} q JOIN {_t(Dataset)} d ON d.id = q.dataset_id "
        f"JOIN {_t(School)} s ON s.id = q.school_id WHERE q.computed_at = "
        f"(SELECT MAX(n.computed_at) FROM {_t(QualityScore)} n WHERE n.dataset_id = q.dataset_id)"
    )
    return _read(sql, polars_schema("quality"))


def read_source(table: str, school_year: int) -> pl.DataFrame:
    """A table an app above analytics provides (``SOURCE_TABLES``); empty in its schema when none is registered."""
    reader = warehouse_source(table)
    if reader is None:
        return pl.DataFrame(schema=polars_schema(table))
    return reader(school_year)


def _with_grade(frame: pl.DataFrame, school_year: int) -> pl.DataFrame:
    """Add the 年级 code of each (学段, 入学年份) cohort in ``school_year``: a join on the few distinct cohorts."""
    cohorts = frame.select("stage", "entry_year").unique().drop_nulls()
    codes = cohorts.with_columns(
        pl.Series(
            "grade",
            [grade_code(s, int(y), school_year) or "" for s, y in cohorts.iter_rows()],
            dtype=pl.String,
        )
    )
    return frame.join(codes, on=["stage", "entry_year"], how="left", nulls_equal=True).with_columns(
        pl.col("grade").fill_null("")
    )


def read_registry(school_year: int) -> dict[str, pl.DataFrame]:
    """Every warehouse table as a frame in its schema's column order, sorted for row-group pruning."""
    frames = {
        "divisions": read_divisions(),
        "schools": read_schools(),
        "classes": read_classes(school_year),
        "students": read_students(school_year),
        "staff": read_staff(),
        "quality": read_quality(),
        **{name: read_source(name, school_year) for name in SOURCE_TABLES},
    }
    out = {}
    for name, frame in frames.items():
        # A missing text is "" on every database (PostgreSQL's CSV and SQLite's tuples disagree on NULL vs "").
        frame = frame.select(
            [
                pl.col(c).cast(t).fill_null("") if t == pl.String else pl.col(c).cast(t)
                for c, t in polars_schema(name).items()
            ]
        )
        if "division_code" in frame.columns:
            frame = frame.sort("division_code", "school_code", nulls_last=True)
        out[name] = frame
    return out


# ------------------------------------------------------------------------------------------ writing
@contextmanager
def _swap_lock(root: Path) -> Iterator[None]:
    with (root / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def frames_write(frames: dict[str, pl.DataFrame], *, day: date, manifest: dict) -> Path:
    """Write ``frames`` as ``day``'s snapshot, replacing any earlier one of that day in one rename."""
    root = warehouse_root()
    tmp = root / f".tmp-{day:%Y-%m-%d}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        for name, frame in frames.items():
            frame.write_parquet(table_path(tmp, name), compression="zstd", statistics=True)
        rows = {name: frame.height for name, frame in frames.items()}
        (tmp / MANIFEST).write_text(
            json.dumps({"format": FORMAT_VERSION, "date": f"{day:%Y-%m-%d}", "rows": rows, **manifest}, indent=2),
            encoding="utf-8",
        )
        target = snapshot_dir(day)
        with _swap_lock(root):
            old = None
            if target.exists():
                old = root / f".old-{day:%Y-%m-%d}-{uuid.uuid4().hex[:8]}"
                target.rename(old)
            tmp.rename(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return target
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def registry_write(*, day: date, school_year: int, taken_at: datetime) -> SnapshotFiles:
    """Read the registry in bulk and write it as ``day``'s snapshot."""
    started = time.perf_counter()
    frames = read_registry(school_year)
    path = frames_write(frames, day=day, manifest={"school_year": school_year, "taken_at": taken_at.isoformat()})
    duration_ms = int((time.perf_counter() - started) * 1000)
    return SnapshotFiles(
        day=day,
        path=path,
        rows={name: frame.height for name, frame in frames.items()},
        school_year=school_year,
        duration_ms=duration_ms,
    )


def snapshot_remove(path: Path | str) -> None:
    """Delete a snapshot's folder (retention); only folders inside the warehouse are touched."""
    folder = Path(path).resolve()
    if folder.parent == warehouse_root().resolve() and folder.exists():
        shutil.rmtree(folder)
