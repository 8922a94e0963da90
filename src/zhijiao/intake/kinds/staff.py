"""Staff: (school, 工号) is the key; the person is matched by ID number so one person holds several posts."""

from __future__ import annotations

import polars as pl

from zhijiao.intake.checks import Checks, add_duplicate_rule, add_field_rules, fill_person_from_id, normalise_fields
from zhijiao.intake.context import RunContext
from zhijiao.intake.kinds.common import Outcome
from zhijiao.intake.refs import resolve_school
from zhijiao.intake.spec import SPECS
from zhijiao.people.models import Person, Staff
from zhijiao.people.services_bulk import staff_write_many

SPEC = SPECS["staff"]
PERSON_FIELDS = ("name", "sex", "birth_date", "ethnicity", "id_type", "id_number", "phone")
STAFF_FIELDS = ("category", "post", "subject", "political", "hired_on")  # the file's columns the post takes


def prepare(ctx: RunContext, frame: pl.DataFrame, checks: Checks) -> pl.DataFrame:
    frame = normalise_fields(frame, SPEC)
    frame = add_field_rules(checks, frame, ctx.today)
    frame = fill_person_from_id(frame, checks, ctx.today)
    frame = resolve_school(frame, checks, ctx)
    frame = add_duplicate_rule(checks, frame, ["school_code", "staff_no"], "工号")
    frame = add_duplicate_rule(checks, frame, ["id_type", "id_number"], "身份证件号")
    return checks.evaluate(frame)


def match(ctx: RunContext, rows: pl.DataFrame) -> pl.DataFrame:
    posts = Staff.objects.filter(school__isnull=False).values_list("school_id", "staff_no", "pk", "person_id")
    frame = pl.DataFrame(
        list(posts),
        schema={"school_id": pl.Int64, "staff_no": pl.String, "staff_id": pl.Int64, "person_id": pl.Int64},
        orient="row",
    )
    numbers = [n for n in rows["id_number"].drop_nulls().to_list()]
    persons = pl.DataFrame(
        list(Person.objects.filter(id_number__in=numbers).values_list("id_type", "id_number", "pk")),
        schema={"id_type": pl.String, "id_number": pl.String, "p_by_id": pl.Int64},
        orient="row",
    )
    rows = rows.join(frame, on=["school_id", "staff_no"], how="left").join(
        persons, on=["id_type", "id_number"], how="left"
    )
    return rows.with_columns(person_id=pl.coalesce("person_id", "p_by_id"), _hold=pl.lit(None, dtype=pl.String))


def write(ctx: RunContext, rows: pl.DataFrame) -> Outcome:
    """Write accepted, matched rows through the people service; runs inside the batch's transaction."""
    rows = rows.select(
        "_row",
        "staff_id",
        "person_id",
        "staff_no",
        "school_id",
        *PERSON_FIELDS,
        *STAFF_FIELDS,
        origin=pl.lit(ctx.source + "#") + pl.col("_row").cast(pl.String),
    )
    return Outcome(staff_write_many(rows, actor=ctx.actor, source=ctx.source, batch=ctx.batch.pk))
