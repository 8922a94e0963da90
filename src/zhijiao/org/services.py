"""Writes to the org tree."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from zhijiao.core.codes import code_lookup, divisions
from zhijiao.core.errors import CoreError, ZhijiaoError
from zhijiao.core.feed import feed_touch
from zhijiao.core.validators import validate_school_code
from zhijiao.org.models import Division, Grade, School, SchoolClass, SchoolYear, Term
from zhijiao.org.selectors import current_school_year_forget


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
    code = validate_school_code(code, field="学校标识码")
    entry = code_lookup("school_type", school_type)
    if entry is None:
        raise ZhijiaoError(CoreError.CORE_CODE_UNKNOWN, field="办学类型", detail=school_type)
    school = School.objects.create(
        code=code,
        name=name,
        school_type=entry.code,
        division=division,
        stages=",".join(stages),
        sponsor=sponsor,
        address=address,
        phone=phone,
        principal=principal,
        founded_year=founded_year,
    )
    with transaction.atomic():
        feed_touch(school)
    return school


def class_create(*, school: School, stage: str, entry_year: int, number: int, capacity: int = 45) -> SchoolClass:
    grade, _ = Grade.objects.get_or_create(school=school, stage=stage, entry_year=entry_year)
    school_class = SchoolClass.objects.create(
        school=school, grade=grade, number=number, capacity=capacity, name=f"{entry_year}级（{number}）班"
    )
    with transaction.atomic():
        feed_touch(school_class)
    return school_class


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
