"""Writes of the growth app: fitness test sessions and their results (scored on import, audited)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db import transaction

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core import bulk
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.growth.errors import GrowthError
from zhijiao.growth.fitness import GRADE_NAMES, Standard, standard_load
from zhijiao.growth.models import FitnessResult, FitnessSession
from zhijiao.growth.tabular import ROW, Problem, map_columns, read_table, score_frame
from zhijiao.org.models import School, Term
from zhijiao.people.models import Student


@dataclass
class ImportOutcome:
    rows_in: int
    imported: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {"rows_in": self.rows_in, "imported": self.imported, "problems": [p.as_dict() for p in self.problems]}


def fitness_school(actor: Actor, school_id: int) -> School:
    """The school whose test rounds the account runs: its 学校管理员, a bureau above it, or a teacher of the school
    (the 体育教师 who runs the test and holds the device export); else NotFound."""
    school = School.objects.filter(pk=school_id).first()
    scope = scope_for(actor)
    if school is None or not (
        scope.manages_school(school_id=school.pk, division_code=school.division_id)
        or school.pk in scope.school_ids(Role.TEACHER, Role.HEAD_TEACHER)
    ):
        raise NotFound()
    return school


def fitness_session_create(*, actor: Actor, school_id: int, term_id: int, name: str, origin: Origin) -> FitnessSession:
    """Open a test round for a school (its 学校管理员, a bureau above it, a teacher of the school); audited."""
    school = fitness_school(actor, school_id)
    term = Term.objects.filter(pk=term_id).first()
    if term is None:
        raise NotFound()
    name = name.strip()
    if not name:
        raise ZhijiaoError(GrowthError.GROWTH_NAME_REQUIRED, field="名称")
    with transaction.atomic():
        session, _ = FitnessSession.objects.get_or_create(school=school, term=term, name=name)
        audit_record(actor=actor, action="growth.fitness_session_create", origin=origin, target=_target(session))
    return session


def _target(session: FitnessSession) -> Target:
    return Target(type="fitness_session", id=str(session.pk), label=session.name)


def fitness_results_import(
    *, actor: Actor, session_id: int, data: bytes, name: str, origin: Origin, standard: Standard | None = None
) -> ImportOutcome:
    """Score a results file and store it in a session: all rows or none.

    Every row must score (``growth.tabular``) and its 学籍号 must be a pupil of the session's school. A pupil already
    in the session is replaced (a re-import of a corrected file changes only what changed). Audited, one event per
    file.
    """
    session = FitnessSession.objects.select_related("school").filter(pk=session_id).first()
    if session is None:
        raise NotFound()
    fitness_school(actor, session.school_id)
    std = standard or standard_load()
    frame = read_table(data, name)
    result = score_frame(std, frame)
    outcome = ImportOutcome(rows_in=result.rows_in, problems=list(result.problems))
    cols = map_columns(frame)
    if "student_no" not in cols:
        raise ZhijiaoError(GrowthError.GROWTH_COLUMN_MISSING, field="学籍号", detail="学籍号")
    records = result_records(std, frame, result.frame, cols)
    numbers = records["student_no"].drop_nulls().unique().to_list()
    found = Student.objects.filter(school=session.school, student_no__in=numbers).values_list(
        "student_no", "pk", "school_class_id"
    )
    pupils = {no: pk for no, pk, _ in found}
    classes = {pk: class_id for _, pk, class_id in found}
    outcome.problems.extend(_duplicates(records))
    for number, row in zip(records["student_no"], records[ROW], strict=True):
        if number not in pupils:
            outcome.problems.append(Problem(row, "学籍号", f"{number} 不是{session.school.name}的学生"))
    outcome.problems.sort(key=lambda p: p.row)
    if outcome.problems:
        return outcome
    ids = records["student_no"].replace_strict(pupils, return_dtype=pl.Int64)
    rows = records.with_columns(
        pl.lit(session.pk, dtype=pl.Int64).alias("session_id"),
        ids.alias("student_id"),
        ids.replace_strict(classes, return_dtype=pl.Int64, default=None).alias("school_class_id"),
    )
    with transaction.atomic():
        _results_write(rows)
        audit_record(
            actor=actor, action="growth.fitness_results_import", origin=origin, target=_target(session),
            fields=("results",),
        )  # fmt: skip
    outcome.imported = rows.height
    return outcome


@dataclass
class AreaOutcome(ImportOutcome):
    """An area import's outcome: as a school's, plus the rows stored per school (name, round, count)."""

    schools: list[tuple[str, int, int]] = field(default_factory=list)  # (school name, session id, pupils)
    report: str = ""  # with problems: the file's rows, 问题说明 first (fix the marked rows, upload it again)


def fitness_area_divisions(actor: Actor) -> list[str] | None:
    """The divisions whose pupils' results the account imports in one file (its 区域管理员 grants); None: every
    division (platform administrators); else NotFound."""
    scope = scope_for(actor)
    if scope.is_platform_admin:
        return None
    divisions = [d for d in scope.divisions(Role.REGION_ADMIN) if d.isalnum()]
    if not divisions:
        raise NotFound()
    return divisions


def _area_pupils(divisions: list[str] | None) -> pl.DataFrame:
    """Every pupil of the area in one read: 学籍号, id, school, class (no model instances)."""
    student, school = Student._meta.db_table, School._meta.db_table
    where = (
        ""
        if divisions is None
        else "WHERE " + " OR ".join(f"sc.division_id LIKE '{code}%'" for code in divisions)  # alnum codes only
    )
    sql = (
        f'SELECT s.student_no, s.id, s.school_id, s.school_class_id FROM "{student}" s '  # noqa: S608
        f'JOIN "{school}" sc ON sc.id = s.school_id {where}'
    )
    schema = {"student_no": pl.String, "student_id": pl.Int64, "school_id": pl.Int64, "school_class_id": pl.Int64}
    return bulk.fetch_frame(sql, [], schema)


def fitness_area_import(
    *, actor: Actor, term_id: int, name: str, data: bytes, filename: str, origin: Origin,
    standard: Standard | None = None,
) -> AreaOutcome:  # fmt: skip
    """Import one results file for a whole area (a 测试中心's collected device exports): all rows or none.

    The 学籍号 decides each row's school; the rows go into that school's round of the term called ``name`` (opened
    if missing). Every row must score, and be a pupil of a school in the account's area. A pupil already in the
    round is replaced. Audited once for the file, with the counts.
    """
    divisions = fitness_area_divisions(actor)
    term = Term.objects.filter(pk=term_id).first()
    if term is None:
        raise NotFound()
    name = name.strip()
    if not name:
        raise ZhijiaoError(GrowthError.GROWTH_NAME_REQUIRED, field="名称")
    std = standard or standard_load()
    frame = read_table(data, filename)
    cols = map_columns(frame)
    if "student_no" not in cols:
        raise ZhijiaoError(GrowthError.GROWTH_COLUMN_MISSING, field="学籍号", detail="学籍号")
    result = score_frame(std, frame)
    outcome = AreaOutcome(rows_in=result.rows_in, problems=list(result.problems))
    records = result_records(std, frame, result.frame, cols)
    outcome.problems.extend(_duplicates(records))
    rows = records.join(_area_pupils(divisions), on="student_no", how="left")
    missing = rows.filter(pl.col("student_id").is_null()).select("student_no", ROW)
    if missing.height:
        numbers = missing["student_no"].unique().to_list()
        known: set[str] = set()
        for offset in range(0, len(numbers), 5000):
            chunk = numbers[offset : offset + 5000]
            known.update(Student.objects.filter(student_no__in=chunk).values_list("student_no", flat=True))
        for number, row in missing.iter_rows():
            reason = f"{number} 不是本区域学校的学生" if number in known else f"{number} 学籍库中没有这个学籍号"
            outcome.problems.append(Problem(row, "学籍号", reason))
    outcome.problems.sort(key=lambda p: p.row)
    if outcome.problems:
        outcome.report = problem_report(frame, outcome.problems)
        return outcome
    counts = rows.group_by("school_id").len().sort("school_id")
    schools = dict(School.objects.filter(pk__in=counts["school_id"].to_list()).values_list("pk", "name"))
    with transaction.atomic():
        sessions = dict(
            FitnessSession.objects.filter(term=term, name=name, school_id__in=list(schools)).values_list(
                "school_id", "pk"
            )
        )
        new = [FitnessSession(school_id=pk, term=term, name=name) for pk in schools if pk not in sessions]
        FitnessSession.objects.bulk_create(new)
        sessions.update(
            FitnessSession.objects.filter(term=term, name=name, school_id__in=[s.school_id for s in new]).values_list(
                "school_id", "pk"
            )
        )
        _results_write(
            rows.with_columns(pl.col("school_id").replace_strict(sessions, return_dtype=pl.Int64).alias("session_id"))
        )
        label = f"{term} {name}：{len(schools)} 所学校 {rows.height} 名学生（新建测试 {len(new)} 次）"
        area = "全部" if divisions is None else "、".join(divisions)
        audit_record(
            actor=actor, action="growth.fitness_area_import", origin=origin,
            target=Target(type="division", id=area, label=label), fields=("results",),
        )  # fmt: skip
    outcome.imported = rows.height
    outcome.schools = sorted(((schools[pk], sessions[pk], n) for pk, n in counts.iter_rows()), key=lambda item: item[0])
    return outcome


def problem_report(frame: pl.DataFrame, problems: list[Problem]) -> str:
    """The file back as CSV, every row, with a first column 问题说明 (empty on good rows): corrected, it is imported
    as it is (the column is not one the import reads)."""
    by_row: dict[int, list[str]] = {}
    for p in problems:
        by_row.setdefault(p.row, []).append(f"{p.column}：{p.reason}")
    notes = pl.Series("问题说明", ["；".join(by_row.get(r, [])) for r in frame[ROW].to_list()], dtype=pl.String)
    return "\ufeff" + frame.drop(ROW).insert_column(0, notes).write_csv()


def _duplicates(records: pl.DataFrame) -> list[Problem]:
    """A pupil on two scored rows of one file: which result counts is not for the platform to guess. (A row that
    did not score is named for that first; once corrected, a repeat shows here.)"""
    dup = records.filter(pl.col("student_no").is_duplicated()).select("student_no", ROW)
    return [Problem(row, "学籍号", f"{no} 在文件中出现了不止一次") for no, row in dup.iter_rows()]


RESULT_COLUMNS = (
    "session_id", "student_id", "school_class_id", "grade", "sex", "measurements", "scores", "bmi", "bmi_class",
    "standard_score", "bonus", "total_score", "level",
)  # fmt: skip


def _results_write(rows: pl.DataFrame) -> None:
    """Write scored rows (``result_records`` plus session_id, student_id, school_class_id) through ``core.bulk``
    (COPY on PostgreSQL): a pupil already in the session has the row replaced."""
    keys = ("session_id", "student_id")
    bulk.upsert(
        FitnessResult._meta.db_table,
        rows.select(RESULT_COLUMNS),
        unique=keys,
        update_columns=[c for c in RESULT_COLUMNS if c not in keys],
    )


def _json_text(column: str) -> pl.Expr:
    return pl.col(column).str.replace_all("\\", "\\\\", literal=True).str.replace_all('"', '\\"', literal=True)


def _json_object(parts: dict[str, pl.Expr]) -> pl.Expr:
    """A JSON object per row from ``key → expression of its JSON value`` (null: key left out)."""
    fragments = [pl.concat_str(pl.lit(f'"{key}": '), value) for key, value in parts.items()]
    if not fragments:
        return pl.lit("{}")
    body = pl.concat_str(fragments, separator=", ", ignore_nulls=True)
    return pl.concat_str(pl.lit("{"), body.fill_null(""), pl.lit("}"))


def result_records(std: Standard, frame: pl.DataFrame, scored: pl.DataFrame, cols: dict[str, str]) -> pl.DataFrame:
    """The rows to store from a scored file, one per scored row, as ``FitnessResult`` columns (JSON as text) plus
    ``student_no`` and ROW; the rows the scorer rejected are left out. Shared by the school and the area import.

    measurements: each item as entered (text) and 身高/体重 as measured (the scorer keeps only BMI); scores: each
    scored item's points and the BMI's."""
    header = cols["student_no"]
    body_cols = {k: cols[k] for k in ("height", "weight") if k in cols}
    base = scored.with_columns(frame[ROW].alias(ROW))
    for key, h in body_cols.items():
        number = frame[h].cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)
        base = base.with_columns(number.alias(f"__body_{key}"))
    base = base.filter(pl.col("等级").is_not_null())
    measurements: dict[str, pl.Expr] = {}
    scores: dict[str, pl.Expr] = {}
    for item in std.items:
        name = std.name(item)
        if name in base.columns:
            text = pl.col(name).cast(pl.String)
            measurements[item] = (
                pl.when(text.is_not_null() & (text != ""))
                .then(pl.concat_str(pl.lit('"'), _json_text(name), pl.lit('"')))
                .otherwise(None)
            )
        if f"{name}得分" in base.columns:
            scores[item] = pl.col(f"{name}得分").cast(pl.String)
    for key in body_cols:
        value = pl.col(f"__body_{key}")
        measurements[key] = pl.when(value.is_finite()).then(value.cast(pl.String)).otherwise(None)
    scores["bmi"] = pl.col("BMI得分").cast(pl.String).fill_null("null")
    grades = {name: grade for grade, name in GRADE_NAMES.items()}
    sex = pl.col("性别").cast(pl.String).fill_null("").str.strip_chars().str.to_lowercase()
    return base.select(
        pl.col(header).cast(pl.String).alias("student_no"),
        pl.col(ROW),
        pl.col("年级名称").replace_strict(grades, return_dtype=pl.Int64).alias("grade"),
        pl.when(sex.is_in(["女", "2", "女生", "f"])).then(pl.lit("女")).otherwise(pl.lit("男")).alias("sex"),
        _json_object(measurements).alias("measurements"),
        _json_object(scores).alias("scores"),
        pl.col("BMI").cast(pl.Float64).alias("bmi"),
        pl.col("BMI等级").alias("bmi_class"),
        pl.col("标准分").cast(pl.Float64).round(1).alias("standard_score"),
        pl.col("附加分").cast(pl.Int64).fill_null(0).alias("bonus"),
        pl.col("学年总分").cast(pl.Float64).round(1).alias("total_score"),
        pl.col("等级").alias("level"),
    )


# 综合素质评价: the writes live in topic modules (records, process, archive); they are the app's services.
from zhijiao.growth.archive import archive_export, graduation_freeze  # noqa: E402
from zhijiao.growth.process import (  # noqa: E402
    class_sheet_save,
    level_set,
    objection_answer,
    objection_raise,
    review_archive,
    review_audit,
    review_open,
    review_publish,
    reviews_archive_bulk,
    reviews_open_bulk,
    selection_set,
    statement_set,
)
from zhijiao.growth.records import (  # noqa: E402
    RecordInput,
    class_activity_record,
    evidence_add,
    record_create,
    record_withdraw,
    records_import,
)

__all__ = [
    "AreaOutcome",
    "ImportOutcome",
    "RecordInput",
    "archive_export",
    "class_activity_record",
    "class_sheet_save",
    "evidence_add",
    "fitness_area_divisions",
    "fitness_area_import",
    "fitness_results_import",
    "fitness_school",
    "fitness_session_create",
    "graduation_freeze",
    "level_set",
    "objection_answer",
    "objection_raise",
    "record_create",
    "record_withdraw",
    "records_import",
    "review_archive",
    "review_audit",
    "review_open",
    "review_publish",
    "reviews_archive_bulk",
    "reviews_open_bulk",
    "selection_set",
    "statement_set",
]  # fmt: skip
