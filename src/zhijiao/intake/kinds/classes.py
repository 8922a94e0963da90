"""Classes: (school, grade, 班号) is the key; name, capacity and 班主任 can be corrected by re-importing."""

from __future__ import annotations

import polars as pl

from zhijiao.intake.checks import Checks, Severity, add_duplicate_rule, add_field_rules, normalise_fields, raw_of
from zhijiao.intake.context import RunContext
from zhijiao.intake.errors import IntakeError
from zhijiao.intake.kinds.common import Outcome
from zhijiao.intake.refs import resolve_grade, resolve_school
from zhijiao.intake.spec import SPECS
from zhijiao.org.grades import class_label
from zhijiao.org.models import SchoolClass
from zhijiao.org.services import classes_create
from zhijiao.people.models import Staff
from zhijiao.people.services import org_records_correct

SPEC = SPECS["classes"]


def _staff_frame() -> pl.DataFrame:
    rows = Staff.objects.filter(school__isnull=False, is_active=True).values_list("school_id", "staff_no", "pk")
    return pl.DataFrame(
        list(rows), schema={"school_id": pl.Int64, "head_staff_no": pl.String, "head_id": pl.Int64}, orient="row"
    )


def prepare(ctx: RunContext, frame: pl.DataFrame, checks: Checks) -> pl.DataFrame:
    frame = normalise_fields(frame, SPEC)
    frame = add_field_rules(checks, frame, ctx.today)
    frame = resolve_school(frame, checks, ctx)
    frame = resolve_grade(frame, checks, ctx)
    frame = frame.join(_staff_frame(), on=["school_id", "head_staff_no"], how="left")
    checks.add(
        IntakeError.INTAKE_HEAD_TEACHER_UNKNOWN,
        "head_staff_no",
        pl.col("head_staff_no").is_not_null() & pl.col("head_id").is_null() & pl.col("school_id").is_not_null(),
        severity=Severity.WARNING,
        detail=raw_of("head_staff_no"),
    )
    frame = add_duplicate_rule(
        checks,
        frame,
        ["school_id", "stage", "entry_year", "class_no"],
        "年级和班号",
        marks=("school_code", "grade", "class_no"),
    )
    return checks.evaluate(frame)


def match(ctx: RunContext, rows: pl.DataFrame) -> pl.DataFrame:
    classes = ctx.classes().select("class_id", "school_id", "stage", "entry_year", "class_no")
    return rows.join(classes, on=["school_id", "stage", "entry_year", "class_no"], how="left").with_columns(
        _hold=pl.lit(None, dtype=pl.String)
    )


def write(ctx: RunContext, rows: pl.DataFrame) -> Outcome:
    known = {c.pk: c for c in SchoolClass.objects.filter(pk__in=rows["class_id"].drop_nulls().to_list())}
    outcomes: list[tuple[int, str, int]] = []
    corrected: list[tuple[SchoolClass, dict, str]] = []
    corrected_at: list[int] = []  # where each corrected class's outcome sits
    created: list[dict] = []
    created_at: list[int] = []  # where each created class's outcome sits
    for row in rows.to_dicts():
        name = row.get("class_name") or class_label(row["stage"], row["entry_year"], row["class_no"], ctx.school_year)
        values = {"name": name, "capacity": row.get("capacity"), "head_teacher_id": row.get("head_id")}
        school_class = known.get(row["class_id"]) if row["class_id"] else None
        if school_class is None:
            created.append(
                {
                    "school_id": row["school_id"],
                    "stage": row["stage"],
                    "entry_year": row["entry_year"],
                    "number": row["class_no"],
                    "name": name,
                    "capacity": row.get("capacity") or (45 if row["stage"] == "2" else 50),
                    "head_teacher_id": row.get("head_id"),
                    "origin": f"{ctx.source}#{row['_row']}",
                }
            )
            created_at.append(len(outcomes))
            outcomes.append((row["_row"], "created", 0))
            continue
        if row.get("class_name") is None:
            values.pop("name")
        corrected.append((school_class, values, f"{ctx.source}#{row['_row']}"))
        corrected_at.append(len(outcomes))
        outcomes.append((row["_row"], "unchanged", school_class.pk))
    # the registry's one write path; classes with the same cohort share one new grade
    for index, school_class in zip(created_at, classes_create(created, actor=ctx.actor, source="intake"), strict=True):
        outcomes[index] = (outcomes[index][0], "created", school_class.pk)
    diffs = org_records_correct(corrected, actor=ctx.actor, source=ctx.source, batch=ctx.batch.pk)
    for index, diff in zip(corrected_at, diffs, strict=True):
        if diff:
            outcomes[index] = (outcomes[index][0], "updated", outcomes[index][2])
    return Outcome.of(outcomes)
