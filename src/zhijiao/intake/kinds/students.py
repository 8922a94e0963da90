"""Students: the bulk path. Validate, match persons (ID number, then 学籍号, then probabilistically), and write
persons, students, enrolments and guardians with the database's bulk path inside the batch's transaction.

A blank optional cell means "not provided": it never clears a registry value.
"""

from __future__ import annotations

import polars as pl

from zhijiao.core import bulk
from zhijiao.core.errors import CoreError
from zhijiao.core.student_status import STUDYING_CODES, studying_sql
from zhijiao.intake.checks import (
    Checks,
    Severity,
    add_duplicate_rule,
    add_field_rules,
    fill_person_from_id,
    id_valid,
    normalise_fields,
)
from zhijiao.intake.context import RunContext
from zhijiao.intake.errors import IntakeError
from zhijiao.intake.frames import attach
from zhijiao.intake.kinds.common import (
    Outcome,
    decisions_frame,
    enrol_key,
)
from zhijiao.intake.matching import probable_matches
from zhijiao.intake.refs import resolve_class, resolve_grade, resolve_school
from zhijiao.intake.spec import SPECS
from zhijiao.people.services_bulk import students_registry, students_write_many

SPEC = SPECS["students"]
# (lowest, highest) age on 1 September minus (grade level − 1), per 学段: generous, to catch typos not late starters
AGE_BANDS = {"2": (5, 9), "3": (11, 15), "4": (14, 19), "6": (14, 22)}


def prepare(ctx: RunContext, frame: pl.DataFrame, checks: Checks) -> pl.DataFrame:
    frame = normalise_fields(frame, SPEC)
    frame = add_field_rules(checks, frame, ctx.today)
    frame = fill_person_from_id(frame, checks, ctx.today)
    sno = pl.col("student_no")
    well_formed = sno.str.contains(r"^[GJL]\d{17}[\dX]$")
    checks.add(CoreError.CORE_STUDENT_NO_FORMAT, "student_no", sno.is_not_null() & ~well_formed)
    g_form = well_formed & sno.str.starts_with("G")
    checks.add(CoreError.CORE_STUDENT_NO_ID, "student_no", g_form & ~id_valid(sno.str.slice(1)))
    checks.add(
        IntakeError.INTAKE_STUDENT_NO_ID_MISMATCH,
        "student_no",
        g_form & pl.col("_id_ok") & (sno.str.slice(1) != pl.col("id_number")),
    )
    frame = resolve_school(frame, checks, ctx)
    frame = resolve_grade(frame, checks, ctx)
    frame = resolve_class(frame, checks, ctx)
    level = pl.lit(ctx.school_year) - pl.col("entry_year") + 1
    birth = pl.col("birth_date")
    age = pl.lit(ctx.school_year) - birth.dt.year() - (birth.dt.month() >= 9).cast(pl.Int32)
    low = pl.col("stage").replace_strict({k: v[0] for k, v in AGE_BANDS.items()}, default=None)
    high = pl.col("stage").replace_strict({k: v[1] for k, v in AGE_BANDS.items()}, default=None)
    checks.add(
        IntakeError.INTAKE_AGE_GRADE,
        "birth_date",
        (age - level + 1 < low) | (age - level + 1 > high),
        severity=Severity.WARNING,
        detail=pl.concat_str([age.cast(pl.String), pl.lit("岁就读"), pl.col("_raw_grade")]),
    )
    frame = frame.with_columns(_age=age)
    frame = add_duplicate_rule(checks, frame, ["id_type", "id_number"], "身份证件号")
    frame = add_duplicate_rule(checks, frame, ["student_no"], "学籍号")
    frame = checks.evaluate(frame)
    frame = add_capacity_rule(ctx, frame, checks)
    return checks.evaluate(frame)


def add_capacity_rule(ctx: RunContext, frame: pl.DataFrame, checks: Checks) -> pl.DataFrame:
    """Warn — never reject — on each row that takes its class past its rated size (额定人数, 超额).

    A class's size after the import is its pupils 在读 now plus the file's valid rows joining it (not already in
    it by 学籍号 or ID number), counted in file order: the first row over the line and every later one is
    flagged, so the report shows exactly which pupils overfill the class. Pupils the same file moves out are
    not subtracted — a warning too many is a look at the class; one too few is an overfilled class unseen.
    """
    current = bulk.fetch_frame(  # the studying codes are constants: no parameters (none on PostgreSQL here)
        f"""SELECT s.school_class_id, s.student_no, p.id_type, p.id_number
            FROM people_student s JOIN people_person p ON p.id = s.person_id
            WHERE {studying_sql("s.status")} AND s.school_class_id IS NOT NULL""",  # noqa: S608
        [],
        {"class_id": pl.Int64, "student_no": pl.String, "id_type": pl.String, "id_number": pl.String},
    )
    sizes = current.group_by("class_id").agg(_size_now=pl.len())
    capacity = ctx.classes().select("class_id", pl.col("capacity").alias("_capacity"))
    by_no = current.select("student_no", pl.col("class_id").alias("_class_by_no"))
    by_id = current.filter(pl.col("id_number").is_not_null()).select(
        "id_type", "id_number", pl.col("class_id").alias("_class_by_id")
    )
    by_id = by_id.unique(["id_type", "id_number"], keep="first")
    rows = frame.select("_row", "class_id", "student_no", "id_type", "id_number", "_error")
    rows = attach(attach(rows, by_no, on="student_no"), by_id, on=["id_type", "id_number"])
    already = (pl.col("_class_by_no") == pl.col("class_id")) | (pl.col("_class_by_id") == pl.col("class_id"))
    rows = rows.with_columns(_joins=(~pl.col("_error") & pl.col("class_id").is_not_null() & ~already.fill_null(False)))
    rows = rows.sort("_row").with_columns(_arrival=pl.col("_joins").cast(pl.Int32).cum_sum().over("class_id"))
    rows = attach(attach(rows, sizes, on="class_id"), capacity, on="class_id")
    after = pl.col("_size_now").fill_null(0) + pl.col("_arrival")
    rows = rows.select(
        "_row",
        _over=pl.col("_joins") & (pl.col("_capacity") > 0) & (after > pl.col("_capacity")),
        _over_detail=pl.format("额定 {} 人，导入后 {} 人", pl.col("_capacity"), after),
    )
    frame = attach(frame, rows, on="_row")
    checks.add(
        IntakeError.INTAKE_CLASS_OVER_CAPACITY,
        "class_no",
        pl.col("_over"),
        severity=Severity.WARNING,
        detail=pl.col("_over_detail"),
    )
    return frame


# ------------------------------------------------------------------------------------------ registry
def _registry_persons() -> pl.DataFrame:
    return bulk.fetch_frame(
        "SELECT id, id_type, id_number FROM people_person WHERE id_number IS NOT NULL",
        [],
        {"p_by_id": pl.Int64, "id_type": pl.String, "id_number": pl.String},
    )


# ------------------------------------------------------------------------------------------ matching
def match(ctx: RunContext, rows: pl.DataFrame) -> pl.DataFrame:
    """Attach ``person_id`` / ``student_id`` to accepted rows and decide which must wait for a person.

    Adds ``_hold``: null, or the error code that keeps the row out (学籍号 taken, 重复学籍, uncertain match).
    """
    students = ctx.cache["students"] = students_registry()
    persons = _registry_persons()
    rows = attach(rows, persons, on=["id_type", "id_number"])
    by_person = students.select(pl.col("person_id").alias("p_by_id"), pl.col("student_id").alias("s_by_person"))
    by_no = students.select(
        "student_no",
        pl.col("student_id").alias("s_by_no"),
        pl.col("person_id").alias("p_by_no"),
        pl.col("id_number").alias("no_id_number"),
    )
    rows = attach(attach(rows, by_person, on="p_by_id"), by_no, on="student_no")
    taken = pl.col("s_by_no").is_not_null() & (
        (pl.col("p_by_id").is_not_null() & (pl.col("p_by_id") != pl.col("p_by_no")))
        | (
            pl.col("p_by_id").is_null()
            & pl.col("id_number").is_not_null()
            & pl.col("no_id_number").is_not_null()
            & (pl.col("no_id_number") != pl.col("id_number"))
        )
    )
    rows = rows.with_columns(
        _hold=pl.when(taken).then(pl.lit(IntakeError.INTAKE_STUDENT_NO_TAKEN.code)),
        person_id=pl.coalesce("p_by_id", "p_by_no"),
        student_id=pl.coalesce("s_by_person", "s_by_no"),
        _score=pl.lit(None, dtype=pl.Float64),
        _candidate=pl.lit(None, dtype=pl.Int64),
        _link_key=pl.lit(None, dtype=pl.String),
    )
    rows = _match_probably(ctx, rows, students)
    decisions = decisions_frame()
    current = students.select(
        "student_id", pl.col("school_id").alias("cur_school_id"), pl.col("status").alias("cur_status")
    )
    rows = attach(rows, current, on="student_id")
    rows = attach(
        rows.with_columns(_key=enrol_key(pl.col("person_id"), pl.col("school_code"))),
        decisions.rename({"key": "_key", "verdict": "_enrol_verdict"}).drop("person_id"),
        on="_key",
    )
    elsewhere = (
        pl.col("_hold").is_null()
        & pl.col("cur_school_id").is_not_null()
        & (pl.col("cur_school_id") != pl.col("school_id"))
        & pl.col("cur_status").is_in(STUDYING_CODES)
    )
    return rows.with_columns(
        _hold=pl.when(elsewhere & (pl.col("_enrol_verdict") == "keep_existing"))
        .then(pl.lit(IntakeError.INTAKE_DECIDED_ELSEWHERE.code))
        .when(elsewhere & pl.col("_enrol_verdict").is_null())
        .then(pl.lit(IntakeError.INTAKE_DUPLICATE_ENROLMENT.code))
        .otherwise(pl.col("_hold"))
    )


def _match_probably(ctx: RunContext, rows: pl.DataFrame, students: pl.DataFrame) -> pl.DataFrame:
    """Rows with neither a known ID number nor a known 学籍号: decisions first, then Splink."""
    unknown = rows.filter(pl.col("_hold").is_null() & pl.col("student_id").is_null() & pl.col("id_number").is_null())
    if unknown.height == 0 or students.height == 0:
        return rows
    found = probable_matches(unknown, students)  # _row, person_id, student_id, _score, _link_key, verdict
    if found.height == 0:
        return rows
    rows = rows.join(
        found.rename(
            {"person_id": "_pm_person", "student_id": "_pm_student", "_score": "_pm_score", "_link_key": "_pm_key"}
        ),
        on="_row",
        how="left",
    )
    auto = pl.col("_pm_verdict") == "same_person"
    review = pl.col("_pm_verdict") == "review"
    return rows.with_columns(
        person_id=pl.when(auto).then(pl.col("_pm_person")).otherwise(pl.col("person_id")),
        student_id=pl.when(auto).then(pl.col("_pm_student")).otherwise(pl.col("student_id")),
        _score=pl.col("_pm_score"),
        _candidate=pl.when(review).then(pl.col("_pm_person")),
        _hold=pl.when(review).then(pl.lit(IntakeError.INTAKE_PENDING_REVIEW.code)).otherwise(pl.col("_hold")),
        _link_key=pl.coalesce("_pm_key", "_link_key"),
    ).drop("_pm_person", "_pm_student", "_pm_score", "_pm_verdict", "_pm_key")


# ------------------------------------------------------------------------------------------- writing
def write(ctx: RunContext, rows: pl.DataFrame) -> Outcome:
    """Write accepted, matched rows through the people service; runs inside the batch's transaction."""
    rows = rows.with_columns(origin=pl.lit(ctx.source + "#") + pl.col("_row").cast(pl.String))
    outcome = students_write_many(
        rows,
        actor=ctx.actor,
        source=ctx.source,
        batch=ctx.batch.pk,
        today=ctx.today,
        registry=ctx.cache.get("students"),
    )
    return Outcome(outcome)
