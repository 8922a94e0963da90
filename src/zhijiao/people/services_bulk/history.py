"""The history every people write leaves (ChangeRecord rows, built for many records at once) and the small
helpers the frame services share."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import polars as pl
from django.db.models import Model

from zhijiao.core import bulk
from zhijiao.core.actor import Actor, actor_account_id

TRACKED_PERSON_FIELDS = ("name", "sex", "birth_date", "ethnicity", "id_type", "id_number", "phone", "address")
PERSON_COLUMNS = (*TRACKED_PERSON_FIELDS, "employer")
NULLABLE = ("birth_date", "id_number", "hired_on", "enrolled_on")  # the columns a blank leaves NULL
_CHUNK = 5000


def _differs(column: str) -> pl.Expr:
    new, old = pl.col(column), pl.col(f"old_{column}")
    return (new.is_null() != old.is_null()) | (new.is_not_null() & (new.cast(pl.String) != old.cast(pl.String)))


def diff_columns(frame: pl.DataFrame, columns: Sequence[str]) -> pl.Expr:
    """True where any of ``columns`` differs from its ``old_`` twin (blank values count as null)."""
    parts = []
    for column in columns:
        if f"old_{column}" not in frame.columns or column not in frame.columns:
            continue
        old = pl.col(f"old_{column}")
        old_blank = old.is_null() | (old.cast(pl.String) == "")
        new = pl.col(column)
        new_blank = new.is_null() | (new.cast(pl.String) == "")
        parts.append(~(old_blank & new_blank) & _differs(column).fill_null(True))
    return pl.any_horizontal(parts).fill_null(False) if parts else pl.lit(False)


def history_frame(
    frame: pl.DataFrame,
    entity: str,
    id_column: str,
    fields: Sequence[str],
    *,
    actor: Actor | None,
    source: str,
    batch: int | None,
    person_key: str,
    now: datetime | None = None,
) -> pl.DataFrame:
    """``people_changerecord`` rows for every changed field of ``frame`` (old → new, who, from where, batch).

    The vectorised twin of the records ``person_update`` writes (a test holds the two to the same rows). The
    source is the row's ``origin`` where the frame has one (``import:12#5``), else ``source``.
    """
    now = now or bulk.now_utc()
    where = pl.col("origin") if "origin" in frame.columns else pl.lit(source)
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
                pl.lit(actor_account_id(actor), dtype=pl.Int64).alias("actor_id"),
                where.alias("source"),
                pl.lit(batch, dtype=pl.Int64).alias("batch_id"),
                pl.lit(now).alias("changed_at"),
            )
        )
    return pl.concat(parts, how="vertical_relaxed") if parts else pl.DataFrame()


def history_write(parts: Sequence[pl.DataFrame]) -> int:
    """Insert the change records of ``parts`` (frames from :func:`history_frame`)."""
    frames = [p for p in parts if p.height]
    if not frames:
        return 0
    return bulk.insert("people_changerecord", pl.concat(frames, how="diagonal_relaxed"))


def blanks(frame: pl.DataFrame, columns: Sequence[str]) -> list[pl.Expr]:
    """A null in a NOT NULL text column is written as ''."""
    return [pl.col(c).fill_null("") for c in columns if c in frame.columns and c not in NULLABLE]


def registry_values(model: type[Model], ids: Sequence[int], fields: Sequence[str], key: str) -> pl.DataFrame:
    """The registry's values of ``fields`` for the records ``ids``, as ``key`` + ``old_<field>`` columns."""
    rows: list[tuple] = []
    for offset in range(0, len(ids), _CHUNK):
        chunk = ids[offset : offset + _CHUNK]
        rows += list(model._default_manager.filter(pk__in=chunk).values_list("pk", *fields))
    fields_schema: dict[str, Any] = {
        f"old_{f}": (pl.Date if f in NULLABLE and f != "id_number" else pl.String) for f in fields
    }
    if "is_active" in fields:
        fields_schema["old_is_active"] = pl.Boolean
    return pl.DataFrame(rows, schema={key: pl.Int64, **fields_schema}, orient="row")


def chunked(values: list[int]) -> list[list[int]]:
    return [values[i : i + _CHUNK] for i in range(0, len(values), _CHUNK)]
