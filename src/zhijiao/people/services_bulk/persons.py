"""People in bulk: register many at once, and correct many with the history ``person_update`` writes."""

from __future__ import annotations

import polars as pl

from zhijiao.core import bulk
from zhijiao.core.actor import Actor
from zhijiao.core.events import registry_changed
from zhijiao.core.feed import feed_allocate
from zhijiao.people.models import Person, Staff, Student
from zhijiao.people.services_bulk.history import (
    NULLABLE,
    PERSON_COLUMNS,
    blanks,
    chunked,
    diff_columns,
    history_frame,
    history_write,
    registry_values,
)


def persons_insert(frame: pl.DataFrame, *, origin: pl.Expr | None = None) -> pl.Series:
    """Register one person per row of ``frame`` (any of ``PERSON_COLUMNS``; missing or null = blank, sex 9 and
    证件类型 1 when the frame has no such column); ``origin`` (default: the frame's ``origin`` column) is the lineage.
    Returns the new ids, in the frame's order."""
    ids = bulk.ids_allocate("people_person", frame.height)
    if frame.height == 0:
        return ids
    now = bulk.now_utc()
    defaults = {"sex": "9", "id_type": "1"}
    columns = []
    for name in PERSON_COLUMNS:
        if name in frame.columns:
            column = pl.col(name)
            columns.append(column if name in NULLABLE else column.fill_null(""))
        elif name in NULLABLE:
            columns.append(pl.lit(None, dtype=pl.Date if name == "birth_date" else pl.String).alias(name))
        else:
            columns.append(pl.lit(defaults.get(name, "")).alias(name))
    bulk.insert(
        "people_person",
        frame.select(
            ids.alias("id"),
            *columns,
            (origin if origin is not None else pl.col("origin")).alias("origin"),
            pl.lit(now).alias("created_at"),
            pl.lit(now).alias("updated_at"),
        ),
    )
    return ids


def persons_update_many(
    frame: pl.DataFrame,
    *,
    actor: Actor | None,
    source: str = "web",
    batch: int | None = None,
    touch: bool = True,
) -> pl.DataFrame:
    """Correct many people at once: ``person_id``, and any of ``PERSON_COLUMNS`` (null = keep the registry's value).

    The registry's values are read unless the frame brings them as ``old_<field>``. Each changed field leaves a
    ChangeRecord (the history ``person_update`` writes); each changed person is written once. With ``touch`` the
    student and staff records of the changed people move in the change feed and ``registry_changed`` is
    published, as ``person_update`` does; the students and staff services pass False because they move those
    records themselves. Returns ``frame`` with ``_person_changed`` (and the values as written).
    """
    fields = [c for c in PERSON_COLUMNS if c in frame.columns]
    missing = [f for f in fields if f"old_{f}" not in frame.columns]
    if missing:
        current = registry_values(Person, frame["person_id"].drop_nulls().to_list(), missing, "person_id")
        frame = frame.join(current, on="person_id", how="left")
    frame = frame.with_columns([pl.coalesce(pl.col(f), pl.col(f"old_{f}")).alias(f) for f in fields])
    frame = frame.with_columns(_person_changed=diff_columns(frame, fields))
    changed = frame.filter(pl.col("_person_changed"))
    if changed.height == 0:
        return frame
    bulk.update(
        "people_person",
        changed.select(pl.col("person_id").alias("id"), *fields, pl.lit(bulk.now_utc()).alias("updated_at"))
        .with_columns(blanks(changed, fields))
        .unique("id", keep="first"),
    )
    history_write(
        [
            history_frame(
                changed, "person", "person_id", fields, actor=actor, source=source, batch=batch, person_key="person_id"
            )
        ]
    )
    if touch:
        _records_touch(changed["person_id"].unique().to_list(), source=source, batch=batch)
    return frame


def _records_touch(person_ids: list[int], *, source: str, batch: int | None) -> None:
    """Move the student and staff records of ``person_ids`` in the change feed and publish the change."""
    students = [
        (pk, school)
        for chunk in chunked(person_ids)
        for pk, school in Student.objects.filter(person_id__in=chunk).values_list("pk", "school_id")
    ]
    staff = [
        (pk, school)
        for chunk in chunked(person_ids)
        for pk, school in Staff.objects.filter(person_id__in=chunk).values_list("pk", "school_id")
    ]
    for table, records in (("people_student", students), ("people_staff", staff)):
        if records:
            first = feed_allocate(len(records))
            bulk.update(
                table,
                pl.DataFrame(
                    {"id": [pk for pk, _ in records], "feed_seq": range(first, first + len(records))},
                    schema={"id": pl.Int64, "feed_seq": pl.Int64},
                ),
            )
    kinds = ["students"] * bool(students) + ["staff"] * bool(staff)
    schools = {s for _, s in students} | {s for _, s in staff if s}
    registry_changed(kinds, schools=schools, source=source, batch=batch)
