"""Staff: (school, 工号) is the key; the person is matched by ID number so one person holds several posts."""

from __future__ import annotations

import polars as pl

from zhijiao.core.feed import feed_allocate
from zhijiao.intake.checks import Checks, add_duplicate_rule, add_field_rules, fill_person_from_id, normalise_fields
from zhijiao.intake.context import RunContext
from zhijiao.intake.kinds.common import Outcome, orm_changes
from zhijiao.intake.refs import resolve_school
from zhijiao.intake.spec import SPECS
from zhijiao.people.models import Person, Staff

SPEC = SPECS["staff"]
PERSON_FIELDS = ("name", "sex", "birth_date", "ethnicity", "id_type", "id_number", "phone")
STAFF_FIELDS = ("category", "post", "subject", "political", "hired_on")


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
    posts = {
        s.pk: s for s in Staff.objects.filter(pk__in=rows["staff_id"].drop_nulls().to_list()).select_related("person")
    }
    people = {p.pk: p for p in Person.objects.filter(pk__in=rows["person_id"].drop_nulls().to_list())}
    outcomes: list[tuple[int, str, int]] = []
    touched: list[Staff] = []
    for row in rows.to_dicts():
        source = f"{ctx.source}#{row['_row']}"
        person_values = {f: row.get(f) for f in PERSON_FIELDS}
        staff_values = {f: row.get(f) for f in STAFF_FIELDS}
        post = posts.get(row["staff_id"]) if row["staff_id"] else None
        person = post.person if post else people.get(row["person_id"]) if row["person_id"] else None
        person_changed: list[str] = []
        if person is None:
            person = Person.objects.create(
                **{k: v or ("" if k not in ("birth_date", "id_number") else None) for k, v in person_values.items()},
                origin=source,
            )
        else:
            person_changed = orm_changes(
                person, person_values, entity="person", ctx=ctx, row=row["_row"], person_id=person.pk
            )
            if person_changed:
                person.save()
        if post is None:
            post = Staff.objects.create(
                person=person,
                staff_no=row["staff_no"],
                school_id=row["school_id"],
                **{k: v if v is not None else ("" if k != "hired_on" else None) for k, v in staff_values.items()},
                origin=source,
            )
            touched.append(post)
            outcomes.append((row["_row"], "created", post.pk))
            continue
        diff = orm_changes(post, staff_values, entity="staff", ctx=ctx, row=row["_row"], person_id=person.pk)
        changed = bool(diff) or bool(person_changed)
        if post.is_active is False:
            post.is_active, changed = True, True
        outcomes.append((row["_row"], "updated" if changed else "unchanged", post.pk))
        if changed:
            touched.append(post)
    if touched:
        seq = feed_allocate(len(touched))
        for offset, post in enumerate(touched):
            post.feed_seq = seq + offset
        Staff.objects.bulk_update(touched, [*STAFF_FIELDS, "is_active", "feed_seq"])
    return Outcome.of(outcomes)
