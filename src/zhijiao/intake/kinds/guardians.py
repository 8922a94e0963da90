"""Guardians: a guardian (matched by ID number, else by name and phone) linked to a student by 学籍号."""

from __future__ import annotations

import polars as pl

from zhijiao.core.feed import feed_allocate
from zhijiao.intake.checks import Checks, add_duplicate_rule, add_field_rules, add_id_rules, normalise_fields, raw_of
from zhijiao.intake.context import RunContext
from zhijiao.intake.errors import IntakeError
from zhijiao.intake.kinds.common import Outcome, orm_changes
from zhijiao.intake.spec import SPECS
from zhijiao.people.models import Guardianship, Person, Student

SPEC = SPECS["guardians"]


def prepare(ctx: RunContext, frame: pl.DataFrame, checks: Checks) -> pl.DataFrame:
    frame = normalise_fields(frame, SPEC)
    frame = add_field_rules(checks, frame, ctx.today)
    frame = frame.with_columns(
        id_type=pl.when(pl.col("id_type").is_null() & pl.col("id_number").is_not_null())
        .then(pl.lit("1"))
        .otherwise(pl.col("id_type"))
    )
    add_id_rules(checks, ctx.today)
    students = pl.DataFrame(
        list(Student.objects.values_list("student_no", "pk", "person__name", "school_id")),
        schema={"student_no": pl.String, "student_id": pl.Int64, "registry_name": pl.String, "school_id": pl.Int64},
        orient="row",
    )
    frame = frame.join(students, on="student_no", how="left").join(
        ctx.schools().select("school_id", "managed"), on="school_id", how="left"
    )
    found = pl.col("student_id").is_not_null()
    checks.add(
        IntakeError.INTAKE_STUDENT_UNKNOWN,
        "student_no",
        pl.col("student_no").is_not_null() & ~found,
        detail=raw_of("student_no"),
    )
    checks.add(IntakeError.INTAKE_SCHOOL_OUT_OF_SCOPE, "student_no", found & ~pl.col("managed"))
    if ctx.only_school_id is not None:
        checks.add(
            IntakeError.INTAKE_SCHOOL_NOT_SELECTED, "student_no", found & (pl.col("school_id") != ctx.only_school_id)
        )
    checks.add(
        IntakeError.INTAKE_STUDENT_NAME_MISMATCH,
        "student_name",
        found & pl.col("student_name").is_not_null() & (pl.col("student_name") != pl.col("registry_name")),
        detail=pl.concat_str([pl.lit("学籍号对应的学生是 "), pl.col("registry_name")]),
    )
    frame = add_duplicate_rule(checks, frame, ["student_no", "name"], "学生和监护人姓名")
    return checks.evaluate(frame)


def match(ctx: RunContext, rows: pl.DataFrame) -> pl.DataFrame:
    numbers = rows["id_number"].drop_nulls().to_list()
    by_id = pl.DataFrame(
        list(Person.objects.filter(id_number__in=numbers).values_list("id_type", "id_number", "pk")),
        schema={"id_type": pl.String, "id_number": pl.String, "p_by_id": pl.Int64},
        orient="row",
    )
    links = Guardianship.objects.filter(student_id__in=rows["student_id"].to_list()).values_list(
        "student_id", "guardian__name", "guardian_id", "pk"
    )
    by_name = pl.DataFrame(
        list(links),
        schema={"student_id": pl.Int64, "name": pl.String, "p_by_name": pl.Int64, "link_id": pl.Int64},
        orient="row",
    ).unique(["student_id", "name"])
    rows = rows.join(by_id, on=["id_type", "id_number"], how="left").join(
        by_name, on=["student_id", "name"], how="left"
    )
    return rows.with_columns(person_id=pl.coalesce("p_by_id", "p_by_name"), _hold=pl.lit(None, dtype=pl.String))


def write(ctx: RunContext, rows: pl.DataFrame) -> Outcome:
    people = {p.pk: p for p in Person.objects.filter(pk__in=rows["person_id"].drop_nulls().to_list())}
    links = {
        (g.student_id, g.guardian_id): g
        for g in Guardianship.objects.filter(student_id__in=rows["student_id"].to_list())
    }
    outcomes: list[tuple[int, str, int]] = []
    touched: list[Guardianship] = []
    for row in rows.to_dicts():
        source = f"{ctx.source}#{row['_row']}"
        values = {
            "name": row["name"],
            "phone": row.get("phone"),
            "id_type": row.get("id_type"),
            "id_number": row.get("id_number"),
            "employer": row.get("employer"),
        }
        person = people.get(row["person_id"]) if row["person_id"] else None
        changed: list[str] = []
        if person is None:
            person = Person.objects.create(
                name=row["name"],
                sex="9",
                phone=row.get("phone") or "",
                id_type=row.get("id_type") or "1",
                id_number=row.get("id_number"),
                employer=row.get("employer") or "",
                origin=source,
            )
            people[person.pk] = person
        else:
            changed = orm_changes(person, values, entity="person", ctx=ctx, row=row["_row"], person_id=person.pk)
            if changed:
                person.save()
        link = links.get((row["student_id"], person.pk))
        legal = bool(row["is_legal"]) if row.get("is_legal") is not None else True
        if link is None:
            link = Guardianship.objects.create(
                guardian=person,
                student_id=row["student_id"],
                relation=row["relation"],
                is_legal_guardian=legal,
                origin=source,
            )
            links[(row["student_id"], person.pk)] = link
            touched.append(link)
            outcomes.append((row["_row"], "created", link.pk))
            continue
        changed += orm_changes(
            link,
            {"relation": row["relation"], "is_legal_guardian": legal},
            entity="guardianship",
            ctx=ctx,
            row=row["_row"],
            person_id=person.pk,
        )
        outcomes.append((row["_row"], "updated" if changed else "unchanged", link.pk))
        if changed:
            touched.append(link)
    if touched:
        seq = feed_allocate(len(touched))
        for offset, link in enumerate(touched):
            link.feed_seq = seq + offset
        Guardianship.objects.bulk_update(touched, ["relation", "is_legal_guardian", "feed_seq"])
    return Outcome.of(outcomes)
