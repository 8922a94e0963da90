"""Students: the bulk path. Validate, match persons (ID number, then 学籍号, then probabilistically), and write
persons, students, enrolments and guardians with the database's bulk path inside the batch's transaction.

A blank optional cell means "not provided": it never clears a registry value.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from zhijiao.core import bulk
from zhijiao.core.errors import CoreError
from zhijiao.core.feed import feed_allocate
from zhijiao.core.student_status import STUDYING_CODES, StudentStatus, studying_sql
from zhijiao.intake.checks import (
    Checks,
    Severity,
    add_duplicate_rule,
    add_field_rules,
    fill_person_from_id,
    id_valid,
    normalise_fields,
)
from zhijiao.intake.context import RunContext
from zhijiao.intake.errors import IntakeError
from zhijiao.intake.frames import attach
from zhijiao.intake.kinds.common import (
    Outcome,
    change_records,
    decisions_frame,
    diff_columns,
    enrol_key,
)
from zhijiao.intake.matching import probable_matches
from zhijiao.intake.refs import resolve_class, resolve_grade, resolve_school
from zhijiao.intake.spec import SPECS

SPEC = SPECS["students"]
# (lowest, highest) age on 1 September minus (grade level − 1), per 学段: generous, to catch typos not late starters
AGE_BANDS = {"2": (5, 9), "3": (11, 15), "4": (14, 19), "6": (14, 22)}
PERSON_FIELDS = ("name", "sex", "birth_date", "ethnicity", "id_type", "id_number", "phone", "address")
STUDENT_FIELDS = ("student_no", "study_mode", "health", "hukou", "hukou_place", "enrolled_on")


def prepare(ctx: RunContext, frame: pl.DataFrame, checks: Checks) -> pl.DataFrame:
    frame = normalise_fields(frame, SPEC)
    frame = add_field_rules(checks, frame, ctx.today)
    frame = fill_person_from_id(frame, checks, ctx.today)
    sno = pl.col("student_no")
    well_formed = sno.str.contains(r"^[GJL]\d{17}[\dX]$")
    checks.add(CoreError.CORE_STUDENT_NO_FORMAT, "student_no", sno.is_not_null() & ~well_formed)
    g_form = well_formed & sno.str.starts_with("G")
    checks.add(CoreError.CORE_STUDENT_NO_ID, "student_no", g_form & ~id_valid(sno.str.slice(1)))
    checks.add(
        IntakeError.INTAKE_STUDENT_NO_ID_MISMATCH,
        "student_no",
        g_form & pl.col("_id_ok") & (sno.str.slice(1) != pl.col("id_number")),
    )
    frame = resolve_school(frame, checks, ctx)
    frame = resolve_grade(frame, checks, ctx)
    frame = resolve_class(frame, checks, ctx)
    level = pl.lit(ctx.school_year) - pl.col("entry_year") + 1
    birth = pl.col("birth_date")
    age = pl.lit(ctx.school_year) - birth.dt.year() - (birth.dt.month() >= 9).cast(pl.Int32)
    low = pl.col("stage").replace_strict({k: v[0] for k, v in AGE_BANDS.items()}, default=None)
    high = pl.col("stage").replace_strict({k: v[1] for k, v in AGE_BANDS.items()}, default=None)
    checks.add(
        IntakeError.INTAKE_AGE_GRADE,
        "birth_date",
        (age - level + 1 < low) | (age - level + 1 > high),
        severity=Severity.WARNING,
        detail=pl.concat_str([age.cast(pl.String), pl.lit("岁就读"), pl.col("_raw_grade")]),
    )
    frame = frame.with_columns(_age=age)
    frame = add_duplicate_rule(checks, frame, ["id_type", "id_number"], "身份证件号")
    frame = add_duplicate_rule(checks, frame, ["student_no"], "学籍号")
    frame = checks.evaluate(frame)
    frame = add_capacity_rule(ctx, frame, checks)
    return checks.evaluate(frame)


def add_capacity_rule(ctx: RunContext, frame: pl.DataFrame, checks: Checks) -> pl.DataFrame:
    """Warn — never reject — on each row that takes its class past its rated size (额定人数, 超额).

    A class's size after the import is its pupils 在读 now plus the file's valid rows joining it (not already in
    it by 学籍号 or ID number), counted in file order: the first row over the line and every later one is
    flagged, so the report shows exactly which pupils overfill the class. Pupils the same file moves out are
    not subtracted — a warning too many is a look at the class; one too few is an overfilled class unseen.
    """
    current = bulk.fetch_frame(  # the studying codes are constants: no parameters (none on PostgreSQL here)
        f"""SELECT s.school_class_id, s.student_no, p.id_type, p.id_number
            FROM people_student s JOIN people_person p ON p.id = s.person_id
            WHERE {studying_sql("s.status")} AND s.school_class_id IS NOT NULL""",  # noqa: S608
        [],
        {"class_id": pl.Int64, "student_no": pl.String, "id_type": pl.String, "id_number": pl.String},
    )
    sizes = current.group_by("class_id").agg(_size_now=pl.len())
    capacity = ctx.classes().select("class_id", pl.col("capacity").alias("_capacity"))
    by_no = current.select("student_no", pl.col("class_id").alias("_class_by_no"))
    by_id = current.filter(pl.col("id_number").is_not_null()).select(
        "id_type", "id_number", pl.col("class_id").alias("_class_by_id")
    )
    by_id = by_id.unique(["id_type", "id_number"], keep="first")
    rows = frame.select("_row", "class_id", "student_no", "id_type", "id_number", "_error")
    rows = attach(attach(rows, by_no, on="student_no"), by_id, on=["id_type", "id_number"])
    already = (pl.col("_class_by_no") == pl.col("class_id")) | (pl.col("_class_by_id") == pl.col("class_id"))
    rows = rows.with_columns(_joins=(~pl.col("_error") & pl.col("class_id").is_not_null() & ~already.fill_null(False)))
    rows = rows.sort("_row").with_columns(_arrival=pl.col("_joins").cast(pl.Int32).cum_sum().over("class_id"))
    rows = attach(attach(rows, sizes, on="class_id"), capacity, on="class_id")
    after = pl.col("_size_now").fill_null(0) + pl.col("_arrival")
    rows = rows.select(
        "_row",
        _over=pl.col("_joins") & (pl.col("_capacity") > 0) & (after > pl.col("_capacity")),
        _over_detail=pl.format("额定 {} 人，导入后 {} 人", pl.col("_capacity"), after),
    )
    frame = attach(frame, rows, on="_row")
    checks.add(
        IntakeError.INTAKE_CLASS_OVER_CAPACITY,
        "class_no",
        pl.col("_over"),
        severity=Severity.WARNING,
        detail=pl.col("_over_detail"),
    )
    return frame


# ------------------------------------------------------------------------------------------ registry
def _registry_students() -> pl.DataFrame:
    return bulk.fetch_frame(
        """SELECT s.id, s.person_id, s.student_no, s.school_id, s.school_class_id, s.status, s.study_mode, s.health,
                  s.hukou, s.hukou_place, CAST(s.enrolled_on AS TEXT), p.name, p.sex, CAST(p.birth_date AS TEXT),
                  p.ethnicity, p.id_type,
                  p.id_number, p.phone, p.address
           FROM people_student s JOIN people_person p ON p.id = s.person_id""",
        [],
        {
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
        },
    )


def _registry_persons() -> pl.DataFrame:
    return bulk.fetch_frame(
        "SELECT id, id_type, id_number FROM people_person WHERE id_number IS NOT NULL",
        [],
        {"p_by_id": pl.Int64, "id_type": pl.String, "id_number": pl.String},
    )


def _registry_guardians() -> pl.DataFrame:
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


# ------------------------------------------------------------------------------------------ matching
def match(ctx: RunContext, rows: pl.DataFrame) -> pl.DataFrame:
    """Attach ``person_id`` / ``student_id`` to accepted rows and decide which must wait for a person.

    Adds ``_hold``: null, or the error code that keeps the row out (学籍号 taken, 重复学籍, uncertain match).
    """
    students = ctx.cache["students"] = _registry_students()
    persons = _registry_persons()
    rows = attach(rows, persons, on=["id_type", "id_number"])
    by_person = students.select(pl.col("person_id").alias("p_by_id"), pl.col("student_id").alias("s_by_person"))
    by_no = students.select(
        "student_no",
        pl.col("student_id").alias("s_by_no"),
        pl.col("person_id").alias("p_by_no"),
        pl.col("id_number").alias("no_id_number"),
    )
    rows = attach(attach(rows, by_person, on="p_by_id"), by_no, on="student_no")
    taken = pl.col("s_by_no").is_not_null() & (
        (pl.col("p_by_id").is_not_null() & (pl.col("p_by_id") != pl.col("p_by_no")))
        | (
            pl.col("p_by_id").is_null()
            & pl.col("id_number").is_not_null()
            & pl.col("no_id_number").is_not_null()
            & (pl.col("no_id_number") != pl.col("id_number"))
        )
    )
    rows = rows.with_columns(
        _hold=pl.when(taken).then(pl.lit(IntakeError.INTAKE_STUDENT_NO_TAKEN.code)),
        person_id=pl.coalesce("p_by_id", "p_by_no"),
        student_id=pl.coalesce("s_by_person", "s_by_no"),
        _score=pl.lit(None, dtype=pl.Float64),
        _candidate=pl.lit(None, dtype=pl.Int64),
        _link_key=pl.lit(None, dtype=pl.String),
    )
    rows = _match_probably(ctx, rows, students)
    decisions = decisions_frame()
    current = students.select(
        "student_id", pl.col("school_id").alias("cur_school_id"), pl.col("status").alias("cur_status")
    )
    rows = attach(rows, current, on="student_id")
    rows = attach(
        rows.with_columns(_key=enrol_key(pl.col("person_id"), pl.col("school_code"))),
        decisions.rename({"key": "_key", "verdict": "_enrol_verdict"}).drop("person_id"),
        on="_key",
    )
    elsewhere = (
        pl.col("_hold").is_null()
        & pl.col("cur_school_id").is_not_null()
        & (pl.col("cur_school_id") != pl.col("school_id"))
        & pl.col("cur_status").is_in(STUDYING_CODES)
    )
    return rows.with_columns(
        _hold=pl.when(elsewhere & (pl.col("_enrol_verdict") == "keep_existing"))
        .then(pl.lit(IntakeError.INTAKE_DECIDED_ELSEWHERE.code))
        .when(elsewhere & pl.col("_enrol_verdict").is_null())
        .then(pl.lit(IntakeError.INTAKE_DUPLICATE_ENROLMENT.code))
        .otherwise(pl.col("_hold"))
    )


def _match_probably(ctx: RunContext, rows: pl.DataFrame, students: pl.DataFrame) -> pl.DataFrame:
    """Rows with neither a known ID number nor a known 学籍号: decisions first, then Splink."""
    unknown = rows.filter(pl.col("_hold").is_null() & pl.col("student_id").is_null() & pl.col("id_number").is_null())
    if unknown.height == 0 or students.height == 0:
        return rows
    found = probable_matches(unknown, students)  # _row, person_id, student_id, _score, _link_key, verdict
    if found.height == 0:
        return rows
    rows = rows.join(
        found.rename(
            {"person_id": "_pm_person", "student_id": "_pm_student", "_score": "_pm_score", "_link_key": "_pm_key"}
        ),
        on="_row",
        how="left",
    )
    auto = pl.col("_pm_verdict") == "same_person"
    review = pl.col("_pm_verdict") == "review"
    return rows.with_columns(
        person_id=pl.when(auto).then(pl.col("_pm_person")).otherwise(pl.col("person_id")),
        student_id=pl.when(auto).then(pl.col("_pm_student")).otherwise(pl.col("student_id")),
        _score=pl.col("_pm_score"),
        _candidate=pl.when(review).then(pl.col("_pm_person")),
        _hold=pl.when(review).then(pl.lit(IntakeError.INTAKE_PENDING_REVIEW.code)).otherwise(pl.col("_hold")),
        _link_key=pl.coalesce("_pm_key", "_link_key"),
    ).drop("_pm_person", "_pm_student", "_pm_score", "_pm_verdict", "_pm_key")


# ------------------------------------------------------------------------------------------- writing
def write(ctx: RunContext, rows: pl.DataFrame) -> Outcome:
    """Write accepted, matched rows; return per-row outcomes. Runs inside the batch's transaction."""
    students = ctx.cache.get("students")
    if students is None:
        students = _registry_students()
    now = bulk.now_utc()
    source = ctx.source
    rows = rows.with_columns(_src=pl.lit(source + "#") + pl.col("_row").cast(pl.String))
    existing = rows.filter(pl.col("student_id").is_not_null())
    # new records in 学籍号 order: their ids are allocated in that order, so every index they enter (ids,
    # 学籍号, person) grows at its end instead of at random places (a third faster on a million rows)
    new = rows.filter(pl.col("student_id").is_null()).sort("student_no", nulls_last=True)

    # compare matched rows with the registry: a blank cell keeps the registry value
    old = students.rename({c: f"old_{c}" for c in students.columns if c != "student_id"})
    existing = attach(existing, old, on="student_id")
    tracked = [*PERSON_FIELDS, *STUDENT_FIELDS]
    existing = existing.with_columns(
        [pl.coalesce(pl.col(c), pl.col(f"old_{c}")).alias(c) for c in tracked]
        + [pl.lit(StudentStatus.IN_SCHOOL.value).alias("status")]
    )
    guardians = _registry_guardians()
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
    person_ids = bulk.ids_allocate("people_person", need_person.height)
    need_person = need_person.with_columns(person_id=person_ids)
    new = new.join(
        need_person.select("_row", pl.col("person_id").alias("_new_person")), on="_row", how="left"
    ).with_columns(person_id=pl.coalesce("person_id", "_new_person"))
    bulk.insert(
        "people_person",
        need_person.select(
            pl.col("person_id").alias("id"),
            *[pl.col(c).fill_null("") if c not in ("birth_date", "id_number") else pl.col(c) for c in PERSON_FIELDS],
            pl.lit("").alias("employer"),
            pl.col("_src").alias("origin"),
            pl.lit(now).alias("created_at"),
            pl.lit(now).alias("updated_at"),
        ),
    )
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
            pl.col("_src").alias("origin"),
            pl.col("_seq").alias("feed_seq"),
        ),
    )
    _enrolments_open(new, ctx)

    # --- updated rows
    updated = updated.with_columns(_seq=pl.int_range(first_seq + new.height, first_seq + n_feed, dtype=pl.Int64))
    person_upd = updated.filter(pl.col("_person_changed"))
    bulk.update(
        "people_person",
        person_upd.select(
            pl.col("person_id").alias("id"), *PERSON_FIELDS, pl.lit(now).alias("updated_at")
        ).with_columns([pl.col(c).fill_null("") for c in PERSON_FIELDS if c not in ("birth_date", "id_number")]),
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
    _enrolments_move(moved_rows, ctx)
    changes = [
        change_records(person_upd, "person", "person_id", PERSON_FIELDS, ctx, now, person_key="person_id"),
        change_records(
            updated.filter(pl.col("_student_changed")),
            "student",
            "student_id",
            (*STUDENT_FIELDS, "status", "class_id"),
            ctx,
            now,
            person_key="person_id",
        ),
    ]
    bulk.insert("people_changerecord", pl.concat(changes, how="diagonal_relaxed"))

    # --- guardians of new students and of matched students who name a guardian the registry lacks
    _guardians_write(
        pl.concat(
            [new.select(_GUARDIAN_COLS), updated.filter(pl.col("_guardian_new")).select(_GUARDIAN_COLS)],
            how="vertical_relaxed",
        ),
        guardian_changes,
        guardians,
        ctx,
        now,
    )

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
    return Outcome(outcome)


_GUARDIAN_COLS = ["_row", "student_id", "guardian_name", "guardian_phone", "guardian_relation", "_src"]


def _guardian_diff(existing: pl.DataFrame, guardians: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """For matched students: does the row name a guardian the registry lacks, or one whose phone/relation changed?"""
    named = existing.filter(pl.col("guardian_name").is_not_null()).select(
        "_row", "student_id", "guardian_name", "guardian_phone", "guardian_relation"
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


def _guardians_write(
    rows: pl.DataFrame, changes: pl.DataFrame, guardians: pl.DataFrame, ctx: RunContext, now: Any
) -> None:
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
    fresh_ids = bulk.ids_allocate("people_person", fresh.height)
    fresh = fresh.with_columns(guardian_id=fresh_ids)
    bulk.insert(
        "people_person",
        fresh.select(
            pl.col("guardian_id").alias("id"),
            pl.col("guardian_name").alias("name"),
            pl.lit("9").alias("sex"),
            pl.lit(None, dtype=pl.Date).alias("birth_date"),
            pl.lit("").alias("ethnicity"),
            pl.lit("1").alias("id_type"),
            pl.lit(None, dtype=pl.String).alias("id_number"),
            pl.col("guardian_phone").alias("phone"),
            pl.lit("").alias("address"),
            pl.lit("").alias("employer"),
            pl.col("_src").alias("origin"),
            pl.lit(now).alias("created_at"),
            pl.lit(now).alias("updated_at"),
        ),
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
            pl.col("_src").alias("origin"),
            pl.int_range(first, first + links.height, dtype=pl.Int64).alias("feed_seq"),
        ),
    )
    if changes.height:
        phones = changes.filter(
            pl.col("guardian_phone").is_not_null() & (pl.col("guardian_phone") != pl.col("old_guardian_phone"))
        )
        bulk.update(
            "people_person",
            phones.select(pl.col("guardian_id").alias("id"), pl.col("guardian_phone").alias("phone")).unique("id"),
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
        bulk.insert(
            "people_changerecord",
            pl.concat(
                [
                    change_records(
                        phones.rename({"guardian_phone": "phone", "old_guardian_phone": "old_phone"}),
                        "person",
                        "guardian_id",
                        ("phone",),
                        ctx,
                        bulk.now_utc(),
                        person_key="guardian_id",
                    ),
                    change_records(
                        relations.rename({"guardian_relation": "relation", "old_relation": "old_relation"}),
                        "guardianship",
                        "guardianship_id",
                        ("relation",),
                        ctx,
                        bulk.now_utc(),
                        person_key="guardian_id",
                    ),
                ],
                how="diagonal_relaxed",
            ),
        )


def _enrolments_open(rows: pl.DataFrame, ctx: RunContext) -> None:
    started = pl.coalesce(pl.col("enrolled_on"), pl.lit(ctx.today))
    bulk.insert(
        "people_enrolment",
        rows.select(
            "student_id",
            "school_id",
            pl.col("class_id").alias("school_class_id"),
            pl.when(started > pl.lit(ctx.today)).then(pl.lit(ctx.today)).otherwise(started).alias("started_on"),
            pl.lit(None, dtype=pl.Date).alias("ended_on"),
            pl.lit("").alias("end_reason"),
        ),
    )


def _enrolments_move(rows: pl.DataFrame, ctx: RunContext) -> None:
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
            pl.max_horizontal(pl.col("started_on"), pl.lit(ctx.today)).alias("ended_on"),
            reason.alias("end_reason"),
        ),
    )
    _enrolments_open(rows.with_columns(enrolled_on=pl.lit(ctx.today)), ctx)
