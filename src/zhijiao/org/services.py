"""Writes to the org tree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.db import transaction

from zhijiao.core.actor import Actor
from zhijiao.core.codes import code_lookup, divisions
from zhijiao.core.errors import CoreError, ZhijiaoError
from zhijiao.core.events import registry_changed
from zhijiao.core.feed import feed_number, feed_touch
from zhijiao.core.validators import validate_school_code
from zhijiao.org.models import Division, Grade, School, SchoolClass, SchoolYear, Term
from zhijiao.org.selectors import current_school_year_forget

BATCH = 2000


@transaction.atomic
def school_year_open(*, start_year: int, make_current: bool = True, current_term: int = 1) -> SchoolYear:
    """Create (or find) a school year with its two terms; optionally make it and one term current."""
    year, _ = SchoolYear.objects.get_or_create(
        start_year=start_year,
        defaults={"starts_on": date(start_year, 9, 1), "ends_on": date(start_year + 1, 8, 31)},
    )
    terms = {
        1: (date(start_year, 9, 1), date(start_year + 1, 1, 31)),
        2: (date(start_year + 1, 2, 1), date(start_year + 1, 8, 31)),
    }
    for number, (starts, ends) in terms.items():
        Term.objects.get_or_create(school_year=year, number=number, defaults={"starts_on": starts, "ends_on": ends})
    if make_current:
        SchoolYear.objects.exclude(pk=year.pk).update(is_current=False)
        SchoolYear.objects.filter(pk=year.pk).update(is_current=True)
        Term.objects.update(is_current=False)
        Term.objects.filter(school_year=year, number=current_term).update(is_current=True)
        year.is_current = True
        transaction.on_commit(current_school_year_forget)
        current_school_year_forget()
    return year


@transaction.atomic
def schools_create(
    rows: Sequence[Mapping[str, Any]], *, actor: Actor | None = None, source: str = "web"
) -> list[School]:
    """Register many schools in one write.

    Each row holds ``code`` (学校标识码, validated), ``name``, ``school_type`` (办学类型 code or name),
    ``division`` (or ``division_id``), ``stages`` (学段 codes, a list or comma-joined) and any other school
    fields (``origin`` for the lineage).
    """
    schools = []
    for row in rows:
        values = dict(row)
        values["code"] = validate_school_code(values["code"], field="学校标识码")
        if values.get("school_type") is not None:
            entry = code_lookup("school_type", values["school_type"])
            if entry is None:
                raise ZhijiaoError(CoreError.CORE_CODE_UNKNOWN, field="办学类型", detail=str(values["school_type"]))
            values["school_type"] = entry.code
        stages = values.get("stages", "")
        values["stages"] = stages if isinstance(stages, str) else ",".join(stages)
        schools.append(School(**values))
    feed_number(schools)
    School.objects.bulk_create(schools, batch_size=BATCH)
    registry_changed(["schools"], schools={s.pk for s in schools}, source=source)
    return schools


def school_create(
    *,
    code: str,
    name: str,
    school_type: str,
    division: Division,
    stages: list[str],
    sponsor: str = "",
    address: str = "",
    phone: str = "",
    principal: str = "",
    founded_year: int | None = None,
) -> School:
    row = {
        "code": code,
        "name": name,
        "school_type": school_type,
        "division": division,
        "stages": stages,
        "sponsor": sponsor,
        "address": address,
        "phone": phone,
        "principal": principal,
        "founded_year": founded_year,
    }
    (school,) = schools_create([row])
    return school


@transaction.atomic
def classes_create(
    rows: Sequence[Mapping[str, Any]], *, actor: Actor | None = None, source: str = "web"
) -> list[SchoolClass]:
    """Open many classes in one write, with their grades (cohorts) where a school has none yet.

    Each row holds ``school`` (or ``school_id``), ``stage``, ``entry_year``, ``number`` and optionally
    ``capacity`` (default 45), ``name`` (default 「2024级（1）班」) and other class fields (``head_teacher_id``,
    ``origin``).
    """
    wanted = []
    for row in rows:
        values = dict(row)
        school = values.pop("school", None)
        school_id = values.pop("school_id", None) or school.pk
        stage, entry_year = values.pop("stage"), values.pop("entry_year")
        values.setdefault("capacity", 45)
        values["name"] = values.get("name") or f"{entry_year}级（{values['number']}）班"
        wanted.append(((school_id, stage, entry_year), school, values))
    grades: dict[tuple[int, str, int], Grade] = {}
    for grade in Grade.objects.filter(school_id__in={key[0] for key, _, _ in wanted}):
        grades[(grade.school_id, grade.stage, grade.entry_year)] = grade
    fresh = {key: Grade(school_id=key[0], stage=key[1], entry_year=key[2]) for key, _, _ in wanted if key not in grades}
    Grade.objects.bulk_create(fresh.values(), batch_size=BATCH)
    grades.update(fresh)
    classes = []
    for key, school, values in wanted:
        school_class = SchoolClass(school_id=key[0], grade=grades[key], **values)
        if school is not None:
            school_class.school = school
        classes.append(school_class)
    feed_number(classes)
    SchoolClass.objects.bulk_create(classes, batch_size=BATCH)
    registry_changed(["classes"], schools={c.school_id for c in classes}, source=source)
    return classes


def class_create(*, school: School, stage: str, entry_year: int, number: int, capacity: int = 45) -> SchoolClass:
    row = {"school": school, "stage": stage, "entry_year": entry_year, "number": number, "capacity": capacity}
    (school_class,) = classes_create([row])
    return school_class


@transaction.atomic
def class_heads_set(classes: Sequence[SchoolClass], *, source: str = "web") -> None:
    """Save the head teacher (班主任) set on each of ``classes``."""
    SchoolClass.objects.bulk_update(classes, ["head_teacher"], batch_size=BATCH)
    feed_touch(*classes)
    registry_changed(["classes"], schools={c.school_id for c in classes}, source=source)


def division_sync(model: type[Division] = Division) -> int:
    """Make sure every GB/T 2260 province, city and county from the project data is in the table.

    ``model`` lets the data migration pass its historical model."""
    known = set(model.objects.values_list("code", flat=True))
    rows = [
        model(code=d.code, name=d.name, level=d.level, parent_id=d.parent or None)
        for d in sorted(divisions().values(), key=lambda d: (d.level, d.code))
        if d.code not in known
    ]
    model.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
