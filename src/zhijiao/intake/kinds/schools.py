"""Schools: the bureau registers and corrects its schools (学校标识码 is the key)."""

from __future__ import annotations

import polars as pl

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.core.codes import divisions
from zhijiao.intake.checks import Checks, add_duplicate_rule, add_field_rules, normalise_fields, raw_of
from zhijiao.intake.context import RunContext
from zhijiao.intake.errors import IntakeError
from zhijiao.intake.kinds.common import Outcome
from zhijiao.intake.spec import SPECS
from zhijiao.org.models import Division, School
from zhijiao.org.services import schools_create
from zhijiao.people.services import org_records_correct

SPEC = SPECS["schools"]
# 办学类型 → 学段 offered (JY/T 1001: 211 小学, 311 初中, 312 九年一贯制, 341 完全中学, 342 高中, 345 十二年一贯制 …)
TYPE_STAGES = {"211": "2", "218": "2", "311": "3", "312": "2,3", "341": "3,4", "342": "4", "345": "2,3,4", "111": "1"}
FIELDS = ("name", "school_type", "sponsor", "address", "phone", "principal", "founded_year")


def _managed_divisions(ctx: RunContext) -> list[str] | None:
    """Division prefixes the actor may register schools in; None = anywhere."""
    if ctx.actor is None:
        return None
    scope = scope_for(ctx.actor)
    if scope.is_platform_admin:
        return None
    return scope.divisions(Role.REGION_ADMIN)


def prepare(ctx: RunContext, frame: pl.DataFrame, checks: Checks) -> pl.DataFrame:
    frame = normalise_fields(frame, SPEC)
    frame = add_field_rules(checks, frame, ctx.today)
    counties = [d.code for d in divisions().values() if d.level == 3]
    checks.add(
        IntakeError.INTAKE_DIVISION_UNKNOWN,
        "division",
        pl.col("division").is_not_null() & ~pl.col("division").is_in(counties),
        detail=raw_of("division"),
    )
    frame = frame.join(ctx.schools().select("school_id", "school_code", "managed"), on="school_code", how="left")
    prefixes = _managed_divisions(ctx)
    if prefixes is not None:
        inside = (
            pl.any_horizontal([pl.col("division").str.starts_with(p) for p in prefixes]) if prefixes else pl.lit(False)
        )
        checks.add(
            IntakeError.INTAKE_SCHOOL_OUT_OF_SCOPE,
            "school_code",
            (pl.col("school_id").is_not_null() & ~pl.col("managed")) | (pl.col("school_id").is_null() & ~inside),
            detail=raw_of("school_code"),
        )
    frame = add_duplicate_rule(checks, frame, ["school_code"], "学校标识码")
    return checks.evaluate(frame)


def match(ctx: RunContext, rows: pl.DataFrame) -> pl.DataFrame:
    return rows.with_columns(_hold=pl.lit(None, dtype=pl.String))


def write(ctx: RunContext, rows: pl.DataFrame) -> Outcome:
    known = {s.pk: s for s in School.objects.filter(pk__in=rows["school_id"].drop_nulls().to_list())}
    division_ids = set(
        Division.objects.filter(pk__in=rows["division"].drop_nulls().unique().to_list()).values_list("pk", flat=True)
    )
    outcomes: list[tuple[int, str, int]] = []
    created: list[dict] = []
    corrected: list[tuple[School, dict, str]] = []
    corrected_at: list[int] = []  # where each corrected school's outcome sits
    for row in rows.to_dicts():
        values = {f: row.get(f) for f in FIELDS if row.get(f) is not None}
        school = known.get(row["school_id"]) if row["school_id"] else None
        if school is None:
            created.append(
                {
                    "code": row["school_code"],
                    "division_id": row["division"] if row["division"] in division_ids else "",
                    "stages": TYPE_STAGES.get(row["school_type"], ""),
                    "origin": f"{ctx.source}#{row['_row']}",
                    **values,
                }
            )
            outcomes.append((row["_row"], "created", 0))
            continue
        if row.get("division") and row["division"] != school.division_id:
            values["division_id"] = row["division"]
        corrected.append((school, values, f"{ctx.source}#{row['_row']}"))
        corrected_at.append(len(outcomes))
        outcomes.append((row["_row"], "unchanged", school.pk))
    schools_create(created, actor=ctx.actor, source="intake")  # the registry's one write path
    diffs = org_records_correct(corrected, actor=ctx.actor, source=ctx.source, batch=ctx.batch.pk)
    for index, diff in zip(corrected_at, diffs, strict=True):
        if diff:
            outcomes[index] = (outcomes[index][0], "updated", outcomes[index][2])
    return Outcome.of(outcomes)
