"""Guardianships in bulk: guardians (new, or corrected with history) tied to pupils, ties corrected."""

from __future__ import annotations

import polars as pl

from zhijiao.core import bulk
from zhijiao.core.actor import Actor
from zhijiao.core.events import registry_changed
from zhijiao.core.feed import feed_allocate
from zhijiao.people.models import Guardianship
from zhijiao.people.services_bulk.history import PERSON_COLUMNS, chunked, history_frame, history_write
from zhijiao.people.services_bulk.persons import persons_insert, persons_update_many

_OUTCOME = {"_row": pl.Int64, "_outcome": pl.String, "_record": pl.Int64}
_LINKS = {
    "student_id": pl.Int64,
    "person_id": pl.Int64,
    "link_id": pl.Int64,
    "old_relation": pl.String,
    "old_legal": pl.Boolean,
}


def guardianships_write_many(
    rows: pl.DataFrame, *, actor: Actor | None, source: str, batch: int | None = None
) -> pl.DataFrame:
    """Tie many guardians to pupils in one go, inside the caller's transaction; return ``_row``, ``_outcome``
    (created, updated, unchanged) and ``_record`` (the guardianship's id) per row.

    ``rows``: a unique ``_row``, ``person_id`` of the matched guardian (null: a new person; rows naming the same
    new ID number share one), ``student_id``, the guardian's person fields, ``relation``, ``is_legal`` (null:
    a legal guardian) and ``origin``; ``school_id`` (the pupil's school) when known. A null keeps the registry's
    value. Corrected fields leave ChangeRecords; created and changed ties take the next change-feed numbers.
    """
    person_fields = [c for c in PERSON_COLUMNS if c in rows.columns]
    rows = rows.with_columns(
        _new_key=pl.when(pl.col("id_number").is_not_null())
        .then(pl.concat_str([pl.lit("id:"), pl.col("id_type").fill_null("1"), pl.col("id_number")]))
        .otherwise(pl.concat_str([pl.lit("row:"), pl.col("_row").cast(pl.String)]))
    )
    fresh = rows.filter(pl.col("person_id").is_null()).unique("_new_key", keep="first", maintain_order=True)
    fresh = fresh.with_columns(
        person_id=persons_insert(fresh.select(*person_fields, "origin").with_columns(pl.col("id_type").fill_null("1")))
    )
    rows = rows.join(fresh.select("_new_key", pl.col("person_id").alias("_fresh")), on="_new_key", how="left")
    rows = rows.with_columns(
        _created_person=pl.col("person_id").is_null(), person_id=pl.coalesce("person_id", "_fresh")
    )
    # a guardian named on several rows (siblings) is corrected once, by the first row
    checked = persons_update_many(
        rows.filter(~pl.col("_created_person"))
        .select("_row", "person_id", "origin", *person_fields)
        .unique("person_id", keep="first", maintain_order=True),
        actor=actor,
        source=source,
        batch=batch,
        touch=False,  # the ties move in the feed below
    ).select("_row", "_person_changed")
    rows = rows.join(checked, on="_row", how="left").with_columns(pl.col("_person_changed").fill_null(False))
    rows = rows.with_columns(legal=pl.col("is_legal").cast(pl.Boolean).fill_null(True))

    links = [
        row
        for chunk in chunked(rows["student_id"].unique().to_list())
        for row in Guardianship.objects.filter(student_id__in=chunk).values_list(
            "student_id", "guardian_id", "pk", "relation", "is_legal_guardian"
        )
    ]
    rows = rows.join(
        pl.DataFrame(links, schema=_LINKS, orient="row"), on=["student_id", "person_id"], how="left"
    ).with_columns(_first=pl.int_range(pl.len()).over("student_id", "person_id") == 0)

    # new ties (a tie named twice is made once)
    new = rows.filter(pl.col("link_id").is_null() & pl.col("_first"))
    new = new.with_columns(link_id=bulk.ids_allocate("people_guardianship", new.height))
    first = feed_allocate(new.height) if new.height else 0
    bulk.insert(
        "people_guardianship",
        new.select(
            pl.col("link_id").alias("id"),
            pl.col("person_id").alias("guardian_id"),
            "student_id",
            "relation",
            pl.col("legal").alias("is_legal_guardian"),
            pl.lit(False).alias("is_primary_contact"),
            "origin",
            pl.int_range(first, first + new.height, dtype=pl.Int64).alias("feed_seq"),
        ),
    )
    made = new.select("student_id", "person_id", pl.col("link_id").alias("_made"))
    rest = rows.filter(~pl.col("_row").is_in(new["_row"].implode())).join(
        made, on=["student_id", "person_id"], how="left"
    )
    rest = rest.with_columns(
        link_id=pl.coalesce("link_id", "_made"),
        old_relation=pl.coalesce("old_relation", pl.col("relation")),
        old_legal=pl.coalesce("old_legal", pl.col("legal")),
    )
    # matched ties: relation and 法定监护人 corrected (history keeps the ORM's True/False spelling)
    rest = rest.with_columns(
        relation=pl.coalesce("relation", "old_relation"),
        is_legal_guardian=pl.col("legal").cast(pl.String).str.to_titlecase(),
        old_is_legal_guardian=pl.col("old_legal").cast(pl.String).str.to_titlecase(),
    ).with_columns(
        _link_changed=(pl.col("relation") != pl.col("old_relation")) | (pl.col("legal") != pl.col("old_legal"))
    )
    rest = rest.with_columns(_changed=pl.col("_link_changed") | pl.col("_person_changed"))
    changed = rest.filter(pl.col("_changed")).unique("link_id", keep="first", maintain_order=True)
    first = feed_allocate(changed.height) if changed.height else 0
    bulk.update(
        "people_guardianship",
        changed.select(
            pl.col("link_id").alias("id"),
            "relation",
            pl.col("legal").alias("is_legal_guardian"),
            pl.int_range(first, first + changed.height, dtype=pl.Int64).alias("feed_seq"),
        ),
    )
    history_write(
        [
            history_frame(
                changed.filter(pl.col("_link_changed")),
                "guardianship",
                "link_id",
                ("relation", "is_legal_guardian"),
                actor=actor,
                source=source,
                batch=batch,
                person_key="person_id",
            )
        ]
    )
    if new.height or changed.height:
        schools = rows["school_id"].drop_nulls().unique().to_list() if "school_id" in rows.columns else None
        registry_changed(["guardians"], schools=schools, source=source, batch=batch)
    return pl.concat(
        [
            new.select("_row", pl.lit("created").alias("_outcome"), pl.col("link_id").alias("_record")),
            rest.select(
                "_row",
                pl.when(pl.col("_changed")).then(pl.lit("updated")).otherwise(pl.lit("unchanged")).alias("_outcome"),
                pl.col("link_id").alias("_record"),
            ),
        ]
    ).cast(_OUTCOME)  # type: ignore[arg-type]
