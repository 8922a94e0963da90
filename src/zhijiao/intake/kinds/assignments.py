"""Teaching assignments: which teacher teaches which subject to which class in which term."""

from __future__ import annotations

import re

import polars as pl

from zhijiao.intake.checks import Checks, add_duplicate_rule, add_field_rules, normalise_fields, raw_of
from zhijiao.intake.context import RunContext
from zhijiao.intake.errors import IntakeError
from zhijiao.intake.kinds.common import Outcome
from zhijiao.intake.refs import resolve_class, resolve_grade, resolve_school
from zhijiao.intake.spec import SPECS
from zhijiao.org.models import Term
from zhijiao.people.models import Staff, TeachingAssignment
from zhijiao.people.services import teaching_assign_many

SPEC = SPECS["assignments"]


def _terms(ctx: RunContext) -> tuple[pl.DataFrame, int | None]:
    rows = list(Term.objects.values_list("school_year__start_year", "number", "pk", "is_current"))
    current = next((pk for _, _, pk, is_current in rows if is_current), None)
    frame = pl.DataFrame(
        [(y, n, pk) for y, n, pk, _ in rows],
        schema={"term_year": pl.Int32, "term_no": pl.Int32, "term_id": pl.Int64},
        orient="row",
    )
    return frame, current


def prepare(ctx: RunContext, frame: pl.DataFrame, checks: Checks) -> pl.DataFrame:
    frame = normalise_fields(frame, SPEC)
    frame = add_field_rules(checks, frame, ctx.today)
    frame = resolve_school(frame, checks, ctx)
    frame = resolve_grade(frame, checks, ctx)
    frame = resolve_class(frame, checks, ctx)
    staff = pl.DataFrame(
        list(Staff.objects.filter(school__isnull=False, is_active=True).values_list("school_id", "staff_no", "pk")),
        schema={"school_id": pl.Int64, "staff_no": pl.String, "staff_id": pl.Int64},
        orient="row",
    )
    frame = frame.join(staff, on=["school_id", "staff_no"], how="left")
    checks.add(
        IntakeError.INTAKE_STAFF_UNKNOWN,
        "staff_no",
        pl.col("school_id").is_not_null() & pl.col("staff_no").is_not_null() & pl.col("staff_id").is_null(),
        detail=raw_of("staff_no"),
    )
    terms, current = _terms(ctx)
    frame = frame.with_columns(
        term_year=pl.col("school_year").str.extract(r"(\d{4})", 1).cast(pl.Int32, strict=False),
        term_no=pl.when(pl.col("term").str.contains(r"二|2|下|春"))
        .then(pl.lit(2))
        .when(pl.col("term").is_not_null())
        .then(pl.lit(1))
        .cast(pl.Int32),
    ).join(terms, on=["term_year", "term_no"], how="left")
    given_term = pl.col("school_year").is_not_null() | pl.col("term").is_not_null()
    frame = frame.with_columns(
        term_id=pl.when(given_term).then(pl.col("term_id")).otherwise(pl.lit(current, dtype=pl.Int64))
    )
    checks.add(
        IntakeError.INTAKE_TERM_UNKNOWN,
        "term",
        pl.col("term_id").is_null(),
        detail=pl.concat_str([pl.col("_raw_school_year"), pl.col("_raw_term")], ignore_nulls=True),
    )
    frame = add_duplicate_rule(
        checks,
        frame,
        ["staff_id", "class_id", "subject", "term_id"],
        "教师、班级、学科和学期",
        marks=("staff_no", "grade", "class_no", "subject", "term"),
    )
    return checks.evaluate(frame)


def match(ctx: RunContext, rows: pl.DataFrame) -> pl.DataFrame:
    have = TeachingAssignment.objects.filter(staff_id__in=rows["staff_id"].drop_nulls().to_list()).values_list(
        "staff_id", "school_class_id", "subject", "term_id", "pk"
    )
    existing = pl.DataFrame(
        list(have),
        schema={
            "staff_id": pl.Int64,
            "class_id": pl.Int64,
            "subject": pl.String,
            "term_id": pl.Int64,
            "assignment_id": pl.Int64,
        },
        orient="row",
    )
    return rows.join(existing, on=["staff_id", "class_id", "subject", "term_id"], how="left").with_columns(
        _hold=pl.lit(None, dtype=pl.String)
    )


def write(ctx: RunContext, rows: pl.DataFrame) -> Outcome:
    outcomes: list[tuple[int, str, int]] = []
    fresh: list[dict] = []
    fresh_at: list[int] = []
    for row in rows.to_dicts():
        if row["assignment_id"]:
            outcomes.append((row["_row"], "unchanged", row["assignment_id"]))
            continue
        fresh.append(
            {
                "staff_id": row["staff_id"],
                "school_class_id": row["class_id"],
                "subject": row["subject"],
                "term_id": row["term_id"],
                "origin": f"{ctx.source}#{row['_row']}",
            }
        )
        fresh_at.append(len(outcomes))
        outcomes.append((row["_row"], "created", 0))
    for index, made in zip(fresh_at, teaching_assign_many(fresh, actor=ctx.actor, source="intake"), strict=True):
        outcomes[index] = (outcomes[index][0], "created", made.pk)
    return Outcome.of(outcomes)


_ = re
