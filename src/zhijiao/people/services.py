"""Writes to people records. Every change to an existing record leaves a ChangeRecord (who, when, old → new)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from zhijiao.core.codes import code_lookup
from zhijiao.core.errors import CoreError, ZhijiaoError
from zhijiao.core.feed import feed_touch
from zhijiao.core.validators import id_number_facts, validate_id_number, validate_mobile, validate_student_no
from zhijiao.org.models import School, SchoolClass, Term
from zhijiao.people.errors import PeopleError
from zhijiao.people.models import (
    ChangeRecord,
    Enrolment,
    Guardianship,
    Person,
    Staff,
    Student,
    TeachingAssignment,
)

TRACKED_PERSON_FIELDS = ("name", "sex", "birth_date", "ethnicity", "id_type", "id_number", "phone", "address")


def _clean_person_fields(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    if cleaned.get("id_number") and cleaned.get("id_type", "1") == "1":
        cleaned["id_number"] = validate_id_number(cleaned["id_number"], field="身份证件号")
        facts = id_number_facts(cleaned["id_number"])
        cleaned.setdefault("birth_date", facts.birth_date)
        cleaned.setdefault("sex", facts.sex)
    if cleaned.get("phone"):
        cleaned["phone"] = validate_mobile(cleaned["phone"], field="手机号")
    if cleaned.get("ethnicity"):
        entry = code_lookup("ethnicity", cleaned["ethnicity"])
        if entry is None:
            raise ZhijiaoError(CoreError.CORE_CODE_UNKNOWN, field="民族", detail=str(cleaned["ethnicity"]))
        cleaned["ethnicity"] = entry.code
    if not cleaned.get("name"):
        raise ZhijiaoError(CoreError.CORE_REQUIRED, field="姓名")
    return cleaned


def person_create(*, actor=None, source: str = "web", **values: Any) -> Person:
    """Register a person. ID numbers are validated and must be unique."""
    cleaned = _clean_person_fields(values)
    number = cleaned.get("id_number")
    if number and Person.objects.filter(id_type=cleaned.get("id_type", "1"), id_number=number).exists():
        raise ZhijiaoError(PeopleError.PEOPLE_ID_NUMBER_TAKEN, field="身份证件号")
    return Person.objects.create(**cleaned)


@transaction.atomic
def person_update(*, actor, person: Person, source: str = "web", **values: Any) -> list[ChangeRecord]:
    """Change a person's fields, recording each changed field's old and new value."""
    cleaned = _clean_person_fields({"name": person.name, **values})
    number = cleaned.get("id_number")
    if (
        number
        and number != person.id_number
        and Person.objects.filter(id_type=cleaned.get("id_type", person.id_type), id_number=number)
        .exclude(pk=person.pk)
        .exists()
    ):
        raise ZhijiaoError(PeopleError.PEOPLE_ID_NUMBER_TAKEN, field="身份证件号")
    changes = []
    for name in TRACKED_PERSON_FIELDS:
        if name not in values:
            continue
        old, new = getattr(person, name), cleaned[name]
        if old != new:
            changes.append(
                ChangeRecord(
                    entity="person",
                    entity_id=person.pk,
                    person=person,
                    field=name,
                    old_value="" if old is None else str(old),
                    new_value="" if new is None else str(new),
                    actor=actor if getattr(actor, "is_authenticated", False) else None,
                    source=source,
                )
            )
            setattr(person, name, new)
    if changes:
        person.save()
        ChangeRecord.objects.bulk_create(changes)
        feed_touch(*Student.objects.filter(person=person), *Staff.objects.filter(person=person))
    return changes


@transaction.atomic
def student_enroll(
    *,
    actor,
    person: Person,
    student_no: str,
    school_class: SchoolClass,
    on: date,
    source: str = "web",
    **extra: Any,
) -> Student:
    """Give a person a student record and an open enrolment in a class."""
    student_no = validate_student_no(student_no, field="学籍号")
    if Student.objects.filter(student_no=student_no).exists():
        raise ZhijiaoError(PeopleError.PEOPLE_STUDENT_NO_TAKEN, field="学籍号")
    student = Student.objects.create(
        person=person,
        student_no=student_no,
        school=school_class.school,
        school_class=school_class,
        enrolled_on=on,
        **extra,
    )
    Enrolment.objects.create(student=student, school=school_class.school, school_class=school_class, started_on=on)
    feed_touch(student)
    return student


@transaction.atomic
def student_transfer(
    *, actor, student: Student, to_class: SchoolClass, on: date, reason: str = "转班", source: str = "web"
) -> Enrolment:
    """Move a student to another class (or school): close the open enrolment, open a new one."""
    current = Enrolment.objects.select_for_update().filter(student=student, ended_on__isnull=True).first()
    if current is None:
        raise ZhijiaoError(PeopleError.PEOPLE_NOT_ENROLLED)
    if current.school_class_id == to_class.pk:
        raise ZhijiaoError(PeopleError.PEOPLE_SAME_CLASS)
    if on < current.started_on:
        raise ZhijiaoError(PeopleError.PEOPLE_DATE_ORDER)
    current.ended_on = on
    current.end_reason = reason
    current.save(update_fields=["ended_on", "end_reason"])
    opened = Enrolment.objects.create(student=student, school=to_class.school, school_class=to_class, started_on=on)
    ChangeRecord.objects.create(
        entity="student",
        entity_id=student.pk,
        person_id=student.person_id,
        field="school_class",
        old_value=str(current.school_class_id),
        new_value=str(to_class.pk),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        source=source,
    )
    student.school = to_class.school
    student.school_class = to_class
    student.save(update_fields=["school", "school_class", "updated_at"])
    feed_touch(student)
    return opened


@transaction.atomic
def staff_create(
    *,
    actor,
    person: Person,
    staff_no: str,
    school: School,
    category: str,
    post: str = "",
    subject: str = "",
    hired_on: date | None = None,
) -> Staff:
    if Staff.objects.filter(school=school, staff_no=staff_no).exists():
        raise ZhijiaoError(PeopleError.PEOPLE_STAFF_NO_TAKEN, field="工号")
    staff = Staff.objects.create(
        person=person,
        staff_no=staff_no,
        school=school,
        category=category,
        post=post,
        subject=subject,
        hired_on=hired_on,
    )
    feed_touch(staff)
    return staff


@transaction.atomic
def guardianship_add(
    *, actor, guardian: Person, student: Student, relation: str, legal: bool = True, primary: bool = False
) -> Guardianship:
    entry = code_lookup("family_relation", relation)
    if entry is None:
        raise ZhijiaoError(CoreError.CORE_CODE_UNKNOWN, field="关系", detail=relation)
    guardianship, _ = Guardianship.objects.update_or_create(
        guardian=guardian,
        student=student,
        defaults={"relation": entry.code, "is_legal_guardian": legal, "is_primary_contact": primary},
    )
    feed_touch(guardianship)
    return guardianship


def teaching_assign(*, actor, staff: Staff, school_class: SchoolClass, subject: str, term: Term) -> TeachingAssignment:
    entry = code_lookup("subject", subject)
    if entry is None:
        raise ZhijiaoError(CoreError.CORE_CODE_UNKNOWN, field="学科", detail=subject)
    assignment, _ = TeachingAssignment.objects.get_or_create(
        staff=staff, school_class=school_class, subject=entry.code, term=term
    )
    return assignment
