"""Writes to people records. Every change to an existing record leaves a ChangeRecord (who, when, old → new)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import polars as pl
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhijiao.core.actor import Actor, actor_account_id
from zhijiao.core.codes import code_lookup
from zhijiao.core.errors import CoreError, ZhijiaoError
from zhijiao.core.events import registry_changed
from zhijiao.core.feed import feed_number, feed_touch
from zhijiao.core.student_status import StudentStatus
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
from zhijiao.people.services_bulk.history import PERSON_COLUMNS, TRACKED_PERSON_FIELDS
from zhijiao.people.services_bulk.persons import persons_insert

BATCH = 2000
_STATUS_CODES = frozenset(s.value for s in StudentStatus)


def _clean_person_fields(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    if cleaned.get("id_number") and cleaned.get("id_type", "1") == "1":
        cleaned["id_number"] = validate_id_number(cleaned["id_number"], field="身份证件号")
        if "birth_date" not in cleaned or "sex" not in cleaned:  # read from the number only when not given
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


@transaction.atomic
def persons_create(
    rows: Sequence[Mapping[str, Any]], *, actor: Actor | None = None, source: str = "web"
) -> list[Person]:
    """Register many people in one write. Each row's ID number is validated (birth date and sex filled from
    it) and must be unique, among the rows and in the registry; one bad row fails the whole call."""
    cleaned = [_clean_person_fields(dict(row)) for row in rows]
    numbers = [(c.get("id_type", "1"), c["id_number"]) for c in cleaned if c.get("id_number")]
    wanted = set(numbers)
    if len(wanted) != len(numbers):
        raise ZhijiaoError(PeopleError.PEOPLE_ID_NUMBER_TAKEN, field="身份证件号")
    for chunk in _chunks(sorted({n for _, n in numbers})):
        taken = set(Person.objects.filter(id_number__in=chunk).values_list("id_type", "id_number"))
        if taken & wanted:
            raise ZhijiaoError(PeopleError.PEOPLE_ID_NUMBER_TAKEN, field="身份证件号")
    unknown = {k for c in cleaned for k in c} - {*PERSON_COLUMNS, "origin"}
    if unknown:
        raise TypeError(f"persons_create: unknown fields {sorted(unknown)}")
    # the same insert intake's bulk path uses (one write path for every caller)
    defaults = {f.name: f.get_default() for f in Person._meta.concrete_fields if f.name in PERSON_COLUMNS}
    frame = pl.DataFrame([{**defaults, "origin": "", **c} for c in cleaned], infer_schema_length=None)
    ids = persons_insert(frame)  # what Person(**c) would hold: the fields' defaults where a row is silent
    now = timezone.now()
    people = [Person(pk=pk, created_at=now, updated_at=now, **c) for pk, c in zip(ids, cleaned, strict=True)]
    for person in people:
        person._state.adding, person._state.db = False, "default"
    return people


def person_create(*, actor: Actor | None = None, source: str = "web", **values: Any) -> Person:
    """Register a person. ID numbers are validated and must be unique."""
    (person,) = persons_create([values], actor=actor, source=source)
    return person


def _chunks(values: Sequence[Any], size: int = 5000) -> list[Sequence[Any]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


@transaction.atomic
def person_update(*, actor: Actor, person: Person, source: str = "web", **values: Any) -> list[ChangeRecord]:
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
                    actor_id=actor_account_id(actor),
                    source=source,
                )
            )
            setattr(person, name, new)
    if changes:
        person.save()
        ChangeRecord.objects.bulk_create(changes)
        students, staff = list(Student.objects.filter(person=person)), list(Staff.objects.filter(person=person))
        feed_touch(*students, *staff)
        kinds = ["students"] * bool(students) + ["staff"] * bool(staff)
        schools = {s.school_id for s in students} | {m.school_id for m in staff if m.school_id}
        registry_changed(kinds, schools=schools, source=source)
    return changes


@transaction.atomic
def students_enroll(
    rows: Sequence[Mapping[str, Any]], *, actor: Actor | None = None, source: str = "web"
) -> list[Student]:
    """Give many people a student record and an open enrolment in a class, in one write.

    Each row holds ``person``, ``student_no``, ``school_class``, ``on`` (the day the enrolment starts) and any
    other student fields (``status`` defaults to 在读). 学籍号 are validated and must be unique; a status must be
    a 学生当前状态 code.
    """
    students = []
    for row in rows:
        values = dict(row)
        person, school_class, on = values.pop("person"), values.pop("school_class"), values.pop("on")
        number = validate_student_no(values.pop("student_no"), field="学籍号")
        status = values.setdefault("status", StudentStatus.IN_SCHOOL.value)
        if status not in _STATUS_CODES:
            raise ZhijiaoError(CoreError.CORE_CODE_UNKNOWN, field="学生当前状态", detail=str(status))
        values.setdefault("enrolled_on", on)
        students.append(
            Student(
                person=person,
                student_no=number,
                school=school_class.school,
                school_class=school_class,
                **values,
            )
        )
    numbers = [s.student_no for s in students]
    if len(set(numbers)) != len(numbers):
        raise ZhijiaoError(PeopleError.PEOPLE_STUDENT_NO_TAKEN, field="学籍号")
    for chunk in _chunks(numbers):
        if Student.objects.filter(student_no__in=chunk).exists():
            raise ZhijiaoError(PeopleError.PEOPLE_STUDENT_NO_TAKEN, field="学籍号")
    feed_number(students)
    Student.objects.bulk_create(students, batch_size=BATCH)
    Enrolment.objects.bulk_create(
        [
            Enrolment(student=s, school=s.school, school_class=s.school_class, started_on=row["on"])
            for s, row in zip(students, rows, strict=True)
        ],
        batch_size=BATCH,
    )
    registry_changed(["students"], schools={s.school_id for s in students}, source=source)
    return students


def student_enroll(
    *,
    actor: Actor | None,
    person: Person,
    student_no: str,
    school_class: SchoolClass,
    on: date,
    source: str = "web",
    **extra: Any,
) -> Student:
    """Give a person a student record and an open enrolment in a class."""
    row = {"person": person, "student_no": student_no, "school_class": school_class, "on": on, **extra}
    (student,) = students_enroll([row], actor=actor, source=source)
    return student


@transaction.atomic
def student_transfer(
    *, actor: Actor, student: Student, to_class: SchoolClass, on: date, reason: str = "转班", source: str = "web"
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
        actor_id=actor_account_id(actor),
        source=source,
    )
    student.school = to_class.school
    student.school_class = to_class
    student.save(update_fields=["school", "school_class", "updated_at"])
    feed_touch(student)
    registry_changed(["students"], schools={current.school_id, to_class.school_id}, source=source)
    return opened


@transaction.atomic
def student_status_change(
    *,
    actor: Actor,
    student: Student,
    on: date,
    reason: str,
    status: str | None = None,
    to_class: SchoolClass | None = None,
    leave: bool = False,
    source: str = "web",
) -> Student:
    """A pupil's 学籍异动 written to the registry: move into ``to_class`` (转学, 复学 into another class), set the
    学生当前状态 ``status`` (休学 02, 复学 05, 退学 03, 死亡 11 …; None keeps it) and, with ``leave``, close the open
    enrolment (the pupil has left the school). Every change leaves a ChangeRecord; ``registry_changed`` is
    published for the schools concerned. ``Student.school``/``school_class`` keep the last class after a leave, so
    the school still finds its leavers."""
    if status is not None and status not in _STATUS_CODES:
        raise ZhijiaoError(CoreError.CORE_CODE_UNKNOWN, field="学生当前状态", detail=str(status))
    student = Student.objects.select_for_update().get(pk=student.pk)
    schools = {student.school_id}
    if to_class is not None:
        student_transfer(actor=actor, student=student, to_class=to_class, on=on, reason=reason, source=source)
        student.refresh_from_db()
        schools.add(to_class.school_id)
    changes = []
    if status is not None and status != student.status:
        changes.append(("student", student.pk, "status", student.status, status))
        student.status = status
        student.save(update_fields=["status", "updated_at"])
    if leave:
        current = Enrolment.objects.select_for_update().filter(student=student, ended_on__isnull=True).first()
        if current is None:
            raise ZhijiaoError(PeopleError.PEOPLE_NOT_ENROLLED)
        if on < current.started_on:
            raise ZhijiaoError(PeopleError.PEOPLE_DATE_ORDER)
        current.ended_on, current.end_reason = on, reason[:64]
        current.save(update_fields=["ended_on", "end_reason"])
        changes.append(("enrolment", current.pk, "ended_on", "", on.isoformat()))
    ChangeRecord.objects.bulk_create(
        ChangeRecord(
            entity=entity,
            entity_id=entity_id,
            person_id=student.person_id,
            field=field,
            old_value=old,
            new_value=new,
            actor_id=actor_account_id(actor),
            source=source,
        )
        for entity, entity_id, field, old, new in changes
    )
    if changes:
        feed_touch(student)
        registry_changed(["students"], schools=schools, source=source)
    return student


@transaction.atomic
def staff_create_many(
    rows: Sequence[Mapping[str, Any]], *, actor: Actor | None = None, source: str = "web"
) -> list[Staff]:
    """Give many people a staff record at a school (``school``) or a bureau (``bureau``), in one write.

    Each row holds ``person``, ``staff_no``, ``school`` or ``bureau``, ``category`` and any other staff fields;
    工号 are unique within their school or bureau.
    """
    staff = [Staff(**row) for row in rows]
    keys = [(m.school_id, m.bureau_id, m.staff_no) for m in staff]
    if len(set(keys)) != len(keys):
        raise ZhijiaoError(PeopleError.PEOPLE_STAFF_NO_TAKEN, field="工号")
    for offset in range(0, len(keys), 500):
        chunk = keys[offset : offset + 500]
        where = Q()
        for school_id, bureau_id, number in chunk:
            where |= Q(staff_no=number, school_id=school_id, bureau_id=bureau_id)
        if Staff.objects.filter(where).exists():
            raise ZhijiaoError(PeopleError.PEOPLE_STAFF_NO_TAKEN, field="工号")
    feed_number(staff)
    Staff.objects.bulk_create(staff, batch_size=BATCH)
    registry_changed(["staff"], schools={m.school_id for m in staff if m.school_id}, source=source)
    return staff


def staff_create(
    *,
    actor: Actor | None,
    person: Person,
    staff_no: str,
    school: School,
    category: str,
    post: str = "",
    subject: str = "",
    hired_on: date | None = None,
) -> Staff:
    row = {
        "person": person,
        "staff_no": staff_no,
        "school": school,
        "category": category,
        "post": post,
        "subject": subject,
        "hired_on": hired_on,
    }
    (member,) = staff_create_many([row], actor=actor)
    return member


@transaction.atomic
def guardianships_add(
    rows: Sequence[Mapping[str, Any]], *, actor: Actor | None = None, source: str = "web"
) -> list[Guardianship]:
    """Record many guardian–student ties in one write; a tie already recorded takes the row's values.

    Each row holds ``guardian``, ``student``, ``relation`` (a 家庭关系 code or name), and optionally ``legal``
    (default True) and ``primary`` (default False).
    """
    ties: dict[tuple[int, int], Guardianship] = {}
    for row in rows:
        entry = code_lookup("family_relation", row["relation"])
        if entry is None:
            raise ZhijiaoError(CoreError.CORE_CODE_UNKNOWN, field="关系", detail=str(row["relation"]))
        guardian, student = row["guardian"], row["student"]
        ties[(guardian.pk, student.pk)] = Guardianship(
            guardian=guardian,
            student=student,
            relation=entry.code,
            is_legal_guardian=row.get("legal", True),
            is_primary_contact=row.get("primary", False),
        )
    known: dict[tuple[int, int], int] = {}
    for chunk in _chunks(sorted({s for _, s in ties})):
        found = Guardianship.objects.filter(student_id__in=chunk).values_list("guardian_id", "student_id", "pk")
        known.update({(g, s): pk for g, s, pk in found if (g, s) in ties})
    records = list(ties.values())
    feed_number(records)
    for key, tie in ties.items():
        if key in known:
            tie.pk = known[key]
            Guardianship.objects.filter(pk=tie.pk).update(
                relation=tie.relation,
                is_legal_guardian=tie.is_legal_guardian,
                is_primary_contact=tie.is_primary_contact,
                feed_seq=tie.feed_seq,
            )
    Guardianship.objects.bulk_create([t for key, t in ties.items() if key not in known], batch_size=BATCH)
    registry_changed(["guardians"], schools={t.student.school_id for t in records}, source=source)
    return records


def guardianship_add(
    *, actor: Actor | None, guardian: Person, student: Student, relation: str, legal: bool = True, primary: bool = False
) -> Guardianship:
    row = {"guardian": guardian, "student": student, "relation": relation, "legal": legal, "primary": primary}
    (guardianship,) = guardianships_add([row], actor=actor)
    return guardianship


@transaction.atomic
def teaching_assign_many(
    rows: Sequence[Mapping[str, Any]], *, actor: Actor | None = None, source: str = "web"
) -> list[TeachingAssignment]:
    """Assign many teachers to classes for a subject and a term, in one write.

    Each row holds ``staff``, ``school_class``, ``term`` (or their ``_id`` columns), ``subject`` (a 学科 code or
    name) and optionally ``origin``; an assignment already there is kept (and returned).
    """
    wanted: dict[tuple[int, int, str, int], TeachingAssignment] = {}
    for row in rows:
        values = dict(row)
        entry = code_lookup("subject", values["subject"])
        if entry is None:
            raise ZhijiaoError(CoreError.CORE_CODE_UNKNOWN, field="学科", detail=str(values["subject"]))
        values["subject"] = entry.code
        made = TeachingAssignment(**values)
        wanted[(made.staff_id, made.school_class_id, made.subject, made.term_id)] = made
    known: dict[tuple[int, int, str, int], TeachingAssignment] = {}
    for assignment in TeachingAssignment.objects.filter(
        school_class_id__in={k[1] for k in wanted}, term_id__in={k[3] for k in wanted}
    ):
        key = (assignment.staff_id, assignment.school_class_id, assignment.subject, assignment.term_id)
        if key in wanted:
            known[key] = assignment
    fresh = [a for key, a in wanted.items() if key not in known]
    TeachingAssignment.objects.bulk_create(fresh, batch_size=BATCH)
    if fresh:
        schools = SchoolClass.objects.filter(pk__in={a.school_class_id for a in fresh}).values_list("school_id")
        registry_changed(["assignments"], schools={s for (s,) in schools}, source=source)
    return [known.get(key, a) for key, a in wanted.items()]


def teaching_assign(
    *, actor: Actor | None, staff: Staff, school_class: SchoolClass, subject: str, term: Term
) -> TeachingAssignment:
    row = {"staff": staff, "school_class": school_class, "subject": subject, "term": term}
    (assignment,) = teaching_assign_many([row], actor=actor)
    return assignment


ORG_ENTITIES = {School: ("school", "schools"), SchoolClass: ("class", "classes")}


@transaction.atomic
def org_records_correct(
    items: Sequence[tuple[School | SchoolClass, Mapping[str, Any], str]],
    *,
    actor: Actor | None,
    source: str = "web",
    batch: int | None = None,
) -> list[list[str]]:
    """Correct schools or classes: each item is (record, {field: new value}, origin). A None value keeps the
    record's; each real change leaves a ChangeRecord (the change history lives with people's); changed records
    move in the change feed and are saved, and ``registry_changed`` is published. Returns the changed field names
    per item.
    """
    changed_names: list[list[str]] = []
    records: list[ChangeRecord] = []
    touched: list[School | SchoolClass] = []
    for instance, values, origin in items:
        entity = ORG_ENTITIES[type(instance)][0]
        changed = []
        for name, new in values.items():
            old = getattr(instance, name)
            if new is None or str(old if old is not None else "") == str(new):
                continue
            changed.append(name)
            records.append(
                ChangeRecord(
                    entity=entity,
                    entity_id=instance.pk,
                    field=name.removesuffix("_id"),
                    old_value="" if old is None else str(old),
                    new_value=str(new),
                    actor_id=actor_account_id(actor),
                    source=origin or source,
                    batch_id=batch,
                )
            )
            setattr(instance, name, new)
        changed_names.append(changed)
        if changed:
            touched.append(instance)
    ChangeRecord.objects.bulk_create(records, batch_size=BATCH)
    feed_number(touched)
    for instance in touched:
        instance.save()
    kinds = {ORG_ENTITIES[type(i)][1] for i in touched}
    schools = {i.pk if isinstance(i, School) else i.school_id for i in touched}
    registry_changed(kinds, schools=schools, source=source, batch=batch)
    return changed_names
