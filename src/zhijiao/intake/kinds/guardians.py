"""Guardians: a guardian (matched by ID number, else by name and phone) linked to a student by 学籍号."""

from __future__ import annotations

import polars as pl

from zhijiao.intake.checks import Checks, add_duplicate_rule, add_field_rules, add_id_rules, normalise_fields, raw_of
from zhijiao.intake.context import RunContext
from zhijiao.intake.errors import IntakeError
from zhijiao.intake.kinds.common import Outcome
from zhijiao.intake.spec import SPECS
from zhijiao.people.models import Guardianship, Person, Student
from zhijiao.people.services_bulk import guardianships_write_many

SPEC = SPECS["guardians"]


def prepare(ctx: RunContext, frame: pl.DataFrame, checks: Checks) -> pl.DataFrame:
    frame = normalise_fields(frame, SPEC)
    frame = add_field_rules(checks, frame, ctx.today)
    frame = frame.with_columns(
        id_type=pl.when(pl.col("id_type").is_null() & pl.col("id_number").is_not_null())
        .then(pl.lit("1"))
        .otherwise(pl.col("id_type"))
    )
    add_id_rules(checks, ctx.today)
    students = pl.DataFrame(
        list(Student.objects.values_list("student_no", "pk", "person__name", "school_id")),
        schema={"student_no": pl.String, "student_id": pl.Int64, "registry_name": pl.String, "school_id": pl.Int64},
        orient="row",
    )
    frame = frame.join(students, on="student_no", how="left").join(
        ctx.schools().select("school_id", "managed"), on="school_id", how="left"
    )
    found = pl.col("student_id").is_not_null()
    checks.add(
        IntakeError.INTAKE_STUDENT_UNKNOWN,
        "student_no",
        pl.col("student_no").is_not_null() & ~found,
        detail=raw_of("student_no"),
    )
    checks.add(IntakeError.INTAKE_SCHOOL_OUT_OF_SCOPE, "student_no", found & ~pl.col("managed"))
    if ctx.only_school_id is not None:
        checks.add(
            IntakeError.INTAKE_SCHOOL_NOT_SELECTED, "student_no", found & (pl.col("school_id") != ctx.only_school_id)
        )
    checks.add(
        IntakeError.INTAKE_STUDENT_NAME_MISMATCH,
        "student_name",
        found & pl.col("student_name").is_not_null() & (pl.col("student_name") != pl.col("registry_name")),
        detail=pl.concat_str([pl.lit("学籍号对应的学生是 "), pl.col("registry_name")]),
    )
    frame = add_duplicate_rule(checks, frame, ["student_no", "name"], "学生和监护人姓名")
    return checks.evaluate(frame)


def match(ctx: RunContext, rows: pl.DataFrame) -> pl.DataFrame:
    numbers = rows["id_number"].drop_nulls().to_list()
    by_id = pl.DataFrame(
        list(Person.objects.filter(id_number__in=numbers).values_list("id_type", "id_number", "pk")),
        schema={"id_type": pl.String, "id_number": pl.String, "p_by_id": pl.Int64},
        orient="row",
    )
    links = Guardianship.objects.filter(student_id__in=rows["student_id"].to_list()).values_list(
        "student_id", "guardian__name", "guardian_id", "pk"
    )
    by_name = pl.DataFrame(
        list(links),
        schema={"student_id": pl.Int64, "name": pl.String, "p_by_name": pl.Int64, "link_id": pl.Int64},
        orient="row",
    ).unique(["student_id", "name"])
    rows = rows.join(by_id, on=["id_type", "id_number"], how="left").join(
        by_name, on=["student_id", "name"], how="left"
    )
    return rows.with_columns(person_id=pl.coalesce("p_by_id", "p_by_name"), _hold=pl.lit(None, dtype=pl.String))


def write(ctx: RunContext, rows: pl.DataFrame) -> Outcome:
    """Write accepted, matched rows through the people service; runs inside the batch's transaction."""
    rows = rows.select(
        "_row",
        "person_id",
        "student_id",
        "school_id",
        "name",
        "phone",
        "id_type",
        "id_number",
        "employer",
        "relation",
        "is_legal",
        origin=pl.lit(ctx.source + "#") + pl.col("_row").cast(pl.String),
    )
    return Outcome(guardianships_write_many(rows, actor=ctx.actor, source=ctx.source, batch=ctx.batch.pk))
