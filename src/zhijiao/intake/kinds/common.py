"""Pieces every kind's writer shares: outcomes, change records, diffs and recorded decisions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl

from zhijiao.intake.context import RunContext
from zhijiao.intake.models import MatchDecision
from zhijiao.people.models import ChangeRecord


@dataclass
class Outcome:
    """One row per accepted input row: ``_row``, ``_outcome`` (created/updated/unchanged), ``_record`` (id)."""

    frame: pl.DataFrame

    @classmethod
    def of(cls, rows: list[tuple[int, str, int]]) -> Outcome:
        schema = {"_row": pl.Int64, "_outcome": pl.String, "_record": pl.Int64}
        return cls(pl.DataFrame(rows, schema=schema, orient="row"))


def orm_changes(
    instance: Any, values: dict[str, Any], *, entity: str, ctx: RunContext, row: int, person_id: int | None = None
) -> list[str]:
    """Set ``values`` on a model instance; record each real change (old → new) and return the changed names.

    For the kinds whose files are small (schools, classes, staff, guardians, assignments) the ORM is fine;
    the caller saves the instance.
    """
    changed = []
    for name, new in values.items():
        old = getattr(instance, name)
        if new is None or str(old if old is not None else "") == str(new):
            continue
        changed.append(name)
        ChangeRecord.objects.create(
            entity=entity,
            entity_id=instance.pk,
            person_id=person_id,
            field=name.removesuffix("_id"),
            old_value="" if old is None else str(old),
            new_value=str(new),
            actor_id=ctx.actor.pk if ctx.actor else None,
            source=f"{ctx.source}#{row}",
            batch_id=ctx.batch.pk,
        )
        setattr(instance, name, new)
    return changed


def enrol_key(person_id: pl.Expr, school_code: pl.Expr) -> pl.Expr:
    return pl.lit("enrol:") + person_id.cast(pl.String) + pl.lit(":") + school_code


def decisions_frame() -> pl.DataFrame:
    rows = list(MatchDecision.objects.values_list("key", "verdict", "person_id"))
    return pl.DataFrame(rows, schema={"key": pl.String, "verdict": pl.String, "person_id": pl.Int64}, orient="row")


def _differs(column: str) -> pl.Expr:
    new, old = pl.col(column), pl.col(f"old_{column}")
    return (new.is_null() != old.is_null()) | (new.is_not_null() & (new.cast(pl.String) != old.cast(pl.String)))


def diff_columns(frame: pl.DataFrame, columns: Sequence[str]) -> pl.Expr:
    """True where any of ``columns`` differs from its ``old_`` twin (blank old values count as null)."""
    parts = []
    for column in columns:
        if f"old_{column}" not in frame.columns:
            continue
        old = pl.col(f"old_{column}")
        old_blank = old.is_null() | (old.cast(pl.String) == "")
        new = pl.col(column)
        new_blank = new.is_null() | (new.cast(pl.String) == "")
        parts.append(~(old_blank & new_blank) & _differs(column).fill_null(True) & ~(old_blank & new_blank))
    return pl.any_horizontal(parts).fill_null(False) if parts else pl.lit(False)


def change_records(
    frame: pl.DataFrame,
    entity: str,
    id_column: str,
    fields: Sequence[str],
    ctx: RunContext,
    now: datetime,
    *,
    person_key: str,
) -> pl.DataFrame:
    """``people_changerecord`` rows for every changed field of ``frame`` (old → new, batch, row, actor)."""
    parts = []
    for field in fields:
        if f"old_{field}" not in frame.columns or field not in frame.columns:
            continue
        changed = frame.filter(diff_columns(frame, [field]))
        if changed.height == 0:
            continue
        parts.append(
            changed.select(
                pl.lit(entity).alias("entity"),
                pl.col(id_column).alias("entity_id"),
                pl.col(person_key).alias("person_id"),
                pl.lit(field).alias("field"),
                pl.col(f"old_{field}").cast(pl.String).fill_null("").alias("old_value"),
                pl.col(field).cast(pl.String).fill_null("").alias("new_value"),
                pl.lit(ctx.actor.pk if ctx.actor else None, dtype=pl.Int64).alias("actor_id"),
                (pl.lit(ctx.source + "#") + pl.col("_row").cast(pl.String)).alias("source"),
                pl.lit(ctx.batch.pk, dtype=pl.Int64).alias("batch_id"),
                pl.lit(now).alias("changed_at"),
            )
        )
    if not parts:
        return pl.DataFrame()
    return pl.concat(parts)
