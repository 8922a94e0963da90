"""Students in bulk: new pupils (their persons, student records and open enrolments), matched pupils corrected
field by field with history, moved between classes and schools, and the guardians a students file names.

The rules: a pupil written here is 在读 (the file says the pupil is at school); a move closes the open enrolment
(转学 between schools, 调班 within one) and opens one in the new class; every changed field leaves a ChangeRecord;
every created or changed student and guardianship takes the next change-feed number; a guardian already known
by name and phone is reused; ``registry_changed`` is published for the students and guardians written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from zhijiao.core import bulk
from zhijiao.core.actor import Actor
from zhijiao.core.events import registry_changed
from zhijiao.core.feed import feed_allocate
from zhijiao.core.frames import attach
from zhijiao.core.student_status import StudentStatus
from zhijiao.people.services_bulk.history import TRACKED_PERSON_FIELDS, diff_columns, history_frame, history_write
from zhijiao.people.services_bulk.persons import persons_insert, persons_update_many

PERSON_FIELDS = TRACKED_PERSON_FIELDS
STUDENT_FIELDS = ("student_no", "study_mode", "health", "hukou", "hukou_place", "enrolled_on")
REGISTRY_SCHEMA = {
    "student_id": pl.Int64,
    "person_id": pl.Int64,
    "student_no": pl.String,
    "school_id": pl.Int64,
    "class_id": pl.Int64,
    "status": pl.String,
    "study_mode": pl.String,
    "health": pl.String,
    "hukou": pl.String,
    "hukou_place": pl.String,
    "enrolled_on": pl.Date,
    "name": pl.String,
    "sex": pl.String,
    "birth_date": pl.Date,
    "ethnicity": pl.String,
    "id_type": pl.String,
    "id_number": pl.String,
    "phone": pl.String,
    "address": pl.String,
}


def students_registry() -> pl.DataFrame:
    """Every student with the person's fields, as the frame services compare them (one read of the registry)."""
    return bulk.fetch_frame(
        """SELECT s.id, s.person_id, s.student_no, s.school_id, s.school_class_id, s.status, s.study_mode, s.health,
                  s.hukou, s.hukou_place, CAST(s.enrolled_on AS TEXT), p.name, p.sex, CAST(p.birth_date AS TEXT),
                  p.ethnicity, p.id_type,
                  p.id_number, p.phone, p.address
           FROM people_student s JOIN people_person p ON p.id = s.person_id""",
        [],
        REGISTRY_SCHEMA,
    )


@dataclass(frozen=True)
class _Write:
    actor: Actor | None
    source: str
    batch: int | None
    today: date


def _guardians_registry() -> pl.DataFrame:
    return bulk.fetch_frame(
        """SELECT g.id, g.student_id, g.guardian_id, g.relation, p.name, p.phone
           FROM people_guardianship g JOIN people_person p ON p.id = g.guardian_id""",
        [],
        {
            "guardianship_id": pl.Int64,
            "student_id": pl.Int64,
            "guardian_id": pl.Int64,
            "old_relation": pl.String,
            "old_guardian_name": pl.String,
            "old_guardian_phone": pl.String,
        },
    )


# ------------------------------------------------------------------------------------------- writing
def students_write_many(
    rows: pl.DataFrame,
    *,
    actor: Actor | None,
    source: str,
    batch: int | None = None,
    today: date,
    registry: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Write many pupils in one go, inside the caller's transaction; return ``_row``, ``_outcome`` (created,
    updated, unchanged) and ``_record`` (the student's id) per row.

    ``rows``: a unique ``_row`` per row, ``student_id`` and ``person_id`` of the matched records (null: a new
    student / a new person), the person and student fields, ``school_id``, ``class_id``, ``origin`` (lineage:
    ``import:12#5``) and optionally ``guardian_name``, ``guardian_phone``, ``guardian_relation``. A null keeps the
    registry's value. ``registry`` is :func:`students_registry` when the caller has just read it (matching did).
    """
    w = _Write(actor=actor, source=source, batch=batch, today=today)
    students = registry if registry is not None else students_registry()
    now = bulk.now_utc()
    existing = rows.filter(pl.col("student_id").is_not_null())
    # new records in 学籍号 order: their ids are allocated in that order, so every index they enter (ids,
    # 学籍号, person) grows at its end instead of at random places (a third faster on a million rows)
    new = rows.filter(pl.col("student_id").is_null()).sort("student_no", nulls_last=True)

    # compare matched rows with the registry: a blank cell keeps the registry value; a pupil in the file is 在读
    old = students.rename({c: f"old_{c}" for c in students.columns if c != "student_id"})
    existing = attach(existing, old, on="student_id")
    tracked = [*PERSON_FIELDS, *STUDENT_FIELDS]
    existing = existing.with_columns(
        [pl.coalesce(pl.col(c), pl.col(f"old_{c}")).alias(c) for c in tracked]
        + [pl.lit(StudentStatus.IN_SCHOOL.value).alias("status")]
    )
    guardians = _guardians_registry()
    existing, guardian_changes = _guardian_diff(existing, guardians)
    changed_person = diff_columns(existing, PERSON_FIELDS)
    changed_student = diff_columns(existing, (*STUDENT_FIELDS, "status"))
    moved = pl.col("class_id") != pl.col("old_class_id")
    existing = existing.with_columns(
        _person_changed=changed_person,
        _student_changed=changed_student | moved,
        _moved=moved,
        _guardian_changed=pl.col("_guardian_new") | pl.col("_guardian_update"),
    ).with_columns(
        _updated=pl.col("_person_changed") | pl.col("_student_changed") | pl.col("_guardian_changed"),
    )
    updated = existing.filter(pl.col("_updated"))
    n_feed = new.height + updated.height
    first_seq = feed_allocate(n_feed) if n_feed else 0

    # --- persons
    need_person = new.filter(pl.col("person_id").is_null())
    need_person = need_person.with_columns(
        person_id=persons_insert(need_person.select(*PERSON_FIELDS, "origin").with_columns(employer=pl.lit("")))
    )
    new = new.join(
        need_person.select("_row", pl.col("person_id").alias("_new_person")), on="_row", how="left"
    ).with_columns(person_id=pl.coalesce("person_id", "_new_person"))
    # --- new students and their enrolments
    student_ids = bulk.ids_allocate("people_student", new.height)
    new = new.with_columns(student_id=student_ids, _seq=pl.int_range(first_seq, first_seq + new.height, dtype=pl.Int64))
    bulk.insert(
        "people_student",
        new.select(
            pl.col("student_id").alias("id"),
            "person_id",
            "student_no",
            "school_id",
            pl.col("class_id").alias("school_class_id"),
            pl.lit(StudentStatus.IN_SCHOOL.value).alias("status"),
            pl.lit("").alias("enrol_method"),
            pl.col("study_mode").fill_null(""),
            pl.lit("").alias("source"),
            pl.col("health").fill_null(""),
            pl.col("hukou").fill_null(""),
            pl.col("hukou_place").fill_null(""),
            "enrolled_on",
            pl.lit(now).alias("updated_at"),
            "origin",
            pl.col("_seq").alias("feed_seq"),
        ),
    )
    _enrolments_open(new, w)

    # --- updated rows: people through the people service (the student records move in the feed here)
    updated = updated.with_columns(_seq=pl.int_range(first_seq + new.height, first_seq + n_feed, dtype=pl.Int64))
    persons_update_many(
        updated.filter(pl.col("_person_changed")).select(
            "person_id", "origin", *PERSON_FIELDS, *[f"old_{c}" for c in PERSON_FIELDS]
        ),
        actor=actor,
        source=source,
        batch=batch,
        touch=False,
    )
    bulk.update(
        "people_student",
        updated.select(
            pl.col("student_id").alias("id"),
            *STUDENT_FIELDS,
            "status",
            "school_id",
            pl.col("class_id").alias("school_class_id"),
            pl.lit(now).alias("updated_at"),
            pl.col("_seq").alias("feed_seq"),
        ).with_columns([pl.col(c).fill_null("") for c in ("study_mode", "health", "hukou", "hukou_place")]),
    )
    moved_rows = updated.filter(pl.col("_moved"))
    _enrolments_move(moved_rows, w)
    history_write(
        [
            history_frame(
                updated.filter(pl.col("_student_changed")),
                "student",
                "student_id",
                (*STUDENT_FIELDS, "status", "class_id"),
                actor=actor,
                source=source,
                batch=batch,
                person_key="person_id",
                now=now,
            )
        ]
    )

    # --- guardians of new students and of matched students who name a guardian the registry lacks
    _guardians_write(
        pl.concat(
            [new.select(_GUARDIAN_COLS), updated.filter(pl.col("_guardian_new")).select(_GUARDIAN_COLS)],
            how="vertical_relaxed",
        ),
        guardian_changes,
        guardians,
        w,
        now,
    )
    if n_feed:
        schools = pl.concat([rows["school_id"], existing["old_school_id"]]).drop_nulls().unique().to_list()
        registry_changed(["students", "guardians"], schools=schools, source=source, batch=batch)

    outcome = pl.concat(
        [
            new.select("_row", pl.lit("created").alias("_outcome"), pl.col("student_id").alias("_record")),
            existing.select(
                "_row",
                pl.when(pl.col("_updated")).then(pl.lit("updated")).otherwise(pl.lit("unchanged")).alias("_outcome"),
                pl.col("student_id").alias("_record"),
            ),
        ]
    )
    return outcome


_GUARDIAN_COLS = ["_row", "student_id", "guardian_name", "guardian_phone", "guardian_relation", "origin"]


def _guardian_diff(existing: pl.DataFrame, guardians: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """For matched students: does the row name a guardian the registry lacks, or one whose phone/relation changed?"""
    named = existing.filter(pl.col("guardian_name").is_not_null()).select(
        "_row", "student_id", "guardian_name", "guardian_phone", "guardian_relation", "origin"
    )
    joined = named.join(
        guardians, left_on=["student_id", "guardian_name"], right_on=["student_id", "old_guardian_name"], how="left"
    ).unique("_row", keep="first")
    joined = joined.with_columns(
        _guardian_new=pl.col("guardianship_id").is_null(),
        _guardian_update=pl.col("guardianship_id").is_not_null()
        & (
            (pl.col("guardian_phone").is_not_null() & (pl.col("guardian_phone") != pl.col("old_guardian_phone")))
            | (pl.col("guardian_relation").is_not_null() & (pl.col("guardian_relation") != pl.col("old_relation")))
        ).fill_null(False),
    )
    existing = existing.join(
        joined.select("_row", "_guardian_new", "_guardian_update"), on="_row", how="left"
    ).with_columns(pl.col("_guardian_new", "_guardian_update").fill_null(False))
    return existing, joined.filter(pl.col("_guardian_update"))


def _guardians_write(rows: pl.DataFrame, changes: pl.DataFrame, guardians: pl.DataFrame, w: _Write, now: Any) -> None:
    """New guardianships (reusing a guardian already known by name and phone) and changed phones/relations."""
    named = rows.filter(pl.col("guardian_name").is_not_null())
    known = guardians.select(
        "guardian_id",
        pl.col("old_guardian_name").alias("guardian_name"),
        pl.col("old_guardian_phone").alias("guardian_phone"),
    ).unique(["guardian_name", "guardian_phone"], keep="first")
    have = guardians.select("student_id", "guardian_id")
    named = named.with_columns(pl.col("guardian_phone").fill_null(""))
    named = named.join(known, on=["guardian_name", "guardian_phone"], how="left")
    fresh = named.filter(pl.col("guardian_id").is_null()).unique(
        ["guardian_name", "guardian_phone"], keep="first", maintain_order=True
    )
    fresh = fresh.with_columns(
        guardian_id=persons_insert(
            fresh.select(pl.col("guardian_name").alias("name"), pl.col("guardian_phone").alias("phone"), "origin")
        )
    )
    named = named.join(
        fresh.select("guardian_name", "guardian_phone", pl.col("guardian_id").alias("_fresh")),
        on=["guardian_name", "guardian_phone"],
        how="left",
    ).with_columns(guardian_id=pl.coalesce("guardian_id", "_fresh"))
    links = (
        named.join(have, on=["student_id", "guardian_id"], how="anti")
        .unique(["student_id", "guardian_id"])
        .sort("guardian_id", "student_id")  # the (guardian, student) unique index then grows at its end
    )
    first = feed_allocate(links.height) if links.height else 0
    bulk.insert(
        "people_guardianship",
        links.select(
            "guardian_id",
            "student_id",
            pl.col("guardian_relation").fill_null("80").alias("relation"),
            pl.lit(True).alias("is_legal_guardian"),
            pl.lit(True).alias("is_primary_contact"),
            "origin",
            pl.int_range(first, first + links.height, dtype=pl.Int64).alias("feed_seq"),
        ),
    )
    if changes.height:
        phones = changes.filter(
            pl.col("guardian_phone").is_not_null() & (pl.col("guardian_phone") != pl.col("old_guardian_phone"))
        )
        persons_update_many(
            phones.select(
                pl.col("guardian_id").alias("person_id"),
                pl.col("guardian_phone").alias("phone"),
                pl.col("old_guardian_phone").alias("old_phone"),
                "origin",
            ).unique("person_id", keep="first"),
            actor=w.actor,
            source=w.source,
            batch=w.batch,
            touch=False,  # the guardianships move in the feed below
        )
        relations = changes.filter(
            pl.col("guardian_relation").is_not_null() & (pl.col("guardian_relation") != pl.col("old_relation"))
        )
        # every changed link (phone or relation) moves in the change feed: the feed carries guardianships
        touched = changes.with_columns(relation=pl.coalesce("guardian_relation", "old_relation"))
        first = feed_allocate(touched.height)
        bulk.update(
            "people_guardianship",
            touched.select(
                pl.col("guardianship_id").alias("id"),
                "relation",
                pl.int_range(first, first + touched.height, dtype=pl.Int64).alias("feed_seq"),
            ),
        )
        history_write(
            [
                history_frame(
                    relations.rename({"guardian_relation": "relation"}),
                    "guardianship",
                    "guardianship_id",
                    ("relation",),
                    actor=w.actor,
                    source=w.source,
                    batch=w.batch,
                    person_key="guardian_id",
                ),
            ]
        )


def _enrolments_open(rows: pl.DataFrame, w: _Write) -> None:
    started = pl.coalesce(pl.col("enrolled_on"), pl.lit(w.today))
    bulk.insert(
        "people_enrolment",
        rows.select(
            "student_id",
            "school_id",
            pl.col("class_id").alias("school_class_id"),
            pl.when(started > pl.lit(w.today)).then(pl.lit(w.today)).otherwise(started).alias("started_on"),
            pl.lit(None, dtype=pl.Date).alias("ended_on"),
            pl.lit("").alias("end_reason"),
        ),
    )


def _enrolments_move(rows: pl.DataFrame, w: _Write) -> None:
    """Close the open enrolment of students whose class changed and open one in the new class."""
    if rows.height == 0:
        return
    open_rows = bulk.fetch_frame(
        "SELECT id, student_id, CAST(started_on AS TEXT) FROM people_enrolment WHERE ended_on IS NULL",
        [],
        {"id": pl.Int64, "student_id": pl.Int64, "started_on": pl.Date},
    ).join(rows.select("student_id", "school_id", "old_school_id"), on="student_id", how="inner")
    reason = pl.when(pl.col("school_id") != pl.col("old_school_id")).then(pl.lit("转学")).otherwise(pl.lit("调班"))
    bulk.update(
        "people_enrolment",
        open_rows.select(
            "id",
            pl.max_horizontal(pl.col("started_on"), pl.lit(w.today)).alias("ended_on"),
            reason.alias("end_reason"),
        ),
    )
    _enrolments_open(rows.with_columns(enrolled_on=pl.lit(w.today)), w)
