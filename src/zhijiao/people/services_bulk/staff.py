"""Staff in bulk: posts (school + 工号) created or corrected with their people, and reactivated when listed again."""

from __future__ import annotations

import polars as pl

from zhijiao.core import bulk
from zhijiao.core.actor import Actor
from zhijiao.core.events import registry_changed
from zhijiao.core.feed import feed_allocate
from zhijiao.people.models import Staff
from zhijiao.people.services_bulk.history import (
    PERSON_COLUMNS,
    blanks,
    diff_columns,
    history_frame,
    history_write,
    registry_values,
)
from zhijiao.people.services_bulk.persons import persons_insert, persons_update_many

STAFF_FIELDS = ("category", "post", "subject", "political", "hired_on")
_OUTCOME = {"_row": pl.Int64, "_outcome": pl.String, "_record": pl.Int64}


def staff_write_many(rows: pl.DataFrame, *, actor: Actor | None, source: str, batch: int | None = None) -> pl.DataFrame:
    """Write many school posts in one go, inside the caller's transaction; return ``_row``, ``_outcome``
    (created, updated, unchanged) and ``_record`` (the post's id) per row.

    ``rows``: a unique ``_row``, ``staff_id`` and ``person_id`` of the matched post and person (null: new), the
    person fields, ``staff_no``, ``school_id``, the staff fields and ``origin``. A null keeps the registry's value;
    a post listed again is in post (在岗) again. Corrected fields leave ChangeRecords; created and changed posts
    take the next change-feed numbers.
    """
    person_fields = [c for c in PERSON_COLUMNS if c in rows.columns]
    new_people = rows.filter(pl.col("person_id").is_null())
    new_people = new_people.with_columns(person_id=persons_insert(new_people.select(*person_fields, "origin")))
    known_people = rows.filter(pl.col("person_id").is_not_null())
    checked = persons_update_many(
        known_people.select("_row", "person_id", "origin", *person_fields).unique("person_id", keep="first"),
        actor=actor,
        source=source,
        batch=batch,
        touch=False,  # the posts move in the feed below
    ).select("_row", "_person_changed")
    rows = pl.concat([known_people, new_people], how="vertical_relaxed").join(checked, on="_row", how="left")
    rows = rows.with_columns(pl.col("_person_changed").fill_null(False))

    # new posts
    new = rows.filter(pl.col("staff_id").is_null())
    new = new.with_columns(staff_id=bulk.ids_allocate("people_staff", new.height))
    first = feed_allocate(new.height) if new.height else 0
    now = bulk.now_utc()
    bulk.insert(
        "people_staff",
        new.select(
            pl.col("staff_id").alias("id"),
            "person_id",
            "staff_no",
            "school_id",
            pl.lit(None, dtype=pl.Int64).alias("bureau_id"),
            *STAFF_FIELDS,
            pl.lit(True).alias("is_active"),
            pl.lit(now).alias("updated_at"),
            "origin",
            pl.int_range(first, first + new.height, dtype=pl.Int64).alias("feed_seq"),
        ).with_columns(blanks(new, STAFF_FIELDS)),
    )

    # matched posts: corrected fields, reactivation
    old = rows.filter(pl.col("staff_id").is_not_null())
    old = old.join(
        registry_values(Staff, old["staff_id"].to_list(), [*STAFF_FIELDS, "is_active"], "staff_id"),
        on="staff_id",
        how="left",
    )
    old = old.with_columns([pl.coalesce(pl.col(f), pl.col(f"old_{f}")).alias(f) for f in STAFF_FIELDS])
    old = old.with_columns(_staff_changed=diff_columns(old, STAFF_FIELDS)).with_columns(
        _changed=pl.col("_staff_changed") | pl.col("_person_changed") | ~pl.col("old_is_active").fill_null(True)
    )
    changed = old.filter(pl.col("_changed"))
    first = feed_allocate(changed.height) if changed.height else 0
    bulk.update(
        "people_staff",
        changed.select(
            pl.col("staff_id").alias("id"),
            *STAFF_FIELDS,
            pl.lit(True).alias("is_active"),
            pl.lit(now).alias("updated_at"),
            pl.int_range(first, first + changed.height, dtype=pl.Int64).alias("feed_seq"),
        ).with_columns(blanks(changed, STAFF_FIELDS)),
    )
    history_write(
        [
            history_frame(
                changed.filter(pl.col("_staff_changed")),
                "staff",
                "staff_id",
                STAFF_FIELDS,
                actor=actor,
                source=source,
                batch=batch,
                person_key="person_id",
                now=now,
            )
        ]
    )
    if new.height or changed.height:
        schools = rows["school_id"].drop_nulls().unique().to_list()
        registry_changed(["staff"], schools=schools, source=source, batch=batch)
    return pl.concat(
        [
            new.select("_row", pl.lit("created").alias("_outcome"), pl.col("staff_id").alias("_record")),
            old.select(
                "_row",
                pl.when(pl.col("_changed")).then(pl.lit("updated")).otherwise(pl.lit("unchanged")).alias("_outcome"),
                pl.col("staff_id").alias("_record"),
            ),
        ]
    ).cast(_OUTCOME)  # type: ignore[arg-type]
