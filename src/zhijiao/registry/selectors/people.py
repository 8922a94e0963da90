"""Reads of people records, always through the acting account's scope.

Lists never carry unmasked personal fields. Profiles (``student_profile`` / ``staff_profile``) unmask
what the actor's role needs and write every unmasked view to the audit log — reading a profile is
therefore the one read that also writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.codes import code_name
from zhijiao.core.errors import NotFound
from zhijiao.core.listing import Listing
from zhijiao.core.masking import mask_address, mask_id_number, mask_phone, mask_student_no
from zhijiao.core.prepared import Prepared
from zhijiao.core.student_status import STUDYING_CODES
from zhijiao.org.grades import class_label
from zhijiao.org.selectors import current_school_year
from zhijiao.people.models import ChangeRecord, Enrolment, Guardianship, Person, Staff, Student, TeachingAssignment


# ------------------------------------------------------------------ students
def student_list(
    *,
    actor: Actor,
    school_id: int | None = None,
    class_id: int | None = None,
    search: str = "",
    status: str | tuple[str, ...] | None = STUDYING_CODES,
) -> QuerySet[Student]:
    students = _students_filtered(
        scope_for(actor).students_q(), school_id=school_id, class_id=class_id, search=search, status=status
    )
    return students.select_related("person", "school", "school_class__grade").order_by(*_STUDENT_ORDER)


_STUDENT_ORDER = ("school_id", "school_class_id", "student_no")


def _students_filtered(
    scope_q: Q,
    *,
    school_id: int | None = None,
    class_id: int | None = None,
    search: str = "",
    status: str | tuple[str, ...] | None = STUDYING_CODES,
) -> QuerySet[Student]:
    students = Student.objects.filter(scope_q)
    if school_id is not None:
        students = students.filter(school_id=school_id)
    if class_id is not None:
        students = students.filter(school_class_id=class_id)
    if status:  # one code, several, or by default the pupils on the roll (在读, 复学); None: every status
        students = students.filter(status__in=(status,) if isinstance(status, str) else status)
    if search:
        # 学籍号 embeds the ID number, so it matches whole, never by prefix (no guessing digit by digit).
        students = students.filter(Q(person__name__contains=search) | Q(student_no=search.upper()))
    return students


# The columns of an API list row (student_listing), in the order student_list_row reads them.
_STUDENT_ROW_COLUMNS = (
    "id",
    "student_no",
    "person__name",
    "person__sex",
    "person__birth_date",
    "person__ethnicity",
    "person__id_number",
    "school_id",
    "school__name",
    "school_class_id",
    "school_class__grade__stage",
    "school_class__grade__entry_year",
    "school_class__number",
    "status",
)


def student_listing(
    *, actor: Actor, school_id: int | None = None, class_id: int | None = None, search: str = ""
) -> Listing:
    """The API's student list (pupils on the roll), personal fields masked, as a :class:`Listing`: the same rows
    and order as :func:`student_list`, read as plain values through a compiled query."""
    scope_q = scope_for(actor).students_q()
    params = {name: value for name, value in (("school_id", school_id), ("class_id", class_id)) if value is not None}

    def build(**values: int) -> QuerySet[Student]:
        return (
            _students_filtered(
                scope_q, search=search, school_id=values.get("school_id"), class_id=values.get("class_id")
            )
            .order_by(*_STUDENT_ORDER)
            .values_list(*_STUDENT_ROW_COLUMNS)
        )

    year = current_school_year()
    return Listing(
        key=("students", repr(scope_q), tuple(params), search),
        build=build,
        params=params,
        row=lambda r: student_list_row(r, year),
    )


def student_row_of(student: Student) -> dict:
    """The API list row of one fetched student (with person, school, class and grade), as :func:`student_listing`
    builds it from plain values."""
    person, school_class = student.person, student.school_class
    grade = school_class.grade if school_class is not None else None
    values = (
        student.pk,
        student.student_no,
        person.name,
        person.sex,
        person.birth_date,
        person.ethnicity,
        person.id_number,
        student.school_id,
        student.school.name,
        student.school_class_id,
        grade.stage if grade is not None else None,
        grade.entry_year if grade is not None else None,
        school_class.number if school_class is not None else None,
        student.status,
    )
    return student_list_row(values, current_school_year())


def student_list_row(r: tuple, year: int) -> dict:
    """One API list row from the values of _STUDENT_ROW_COLUMNS: ID number and 学籍号 masked."""
    return {
        "id": r[0],
        "student_no": mask_student_no(r[1]),
        "name": r[2],
        "sex": code_name("sex", r[3]),
        "birth_date": r[4],
        "ethnicity": code_name("ethnicity", r[5]),
        "id_number": mask_id_number(r[6] or ""),
        "school_id": r[7],
        "school_name": r[8],
        "class_id": r[9],
        "class_name": class_label(r[10], r[11], r[12], year) if r[9] is not None else "",
        "status": code_name("student_status", r[13]),
    }


# Details fetch their row by id (compiled once, zhijiao.core.prepared) and ask the scope about it in Python: the
# same rules as the scope's filters, without compiling them into a query per request.
_STUDENT_BY_ID: Prepared[Student] = Prepared(
    lambda pk: Student.objects.filter(pk=pk).select_related(
        "person", "school", "school_class__grade", "school_class__head_teacher__person"
    )[:1],
    pk=int,
)
# the API's detail shows no head teacher: two joins and two model rows less
_STUDENT_BY_ID_LEAN: Prepared[Student] = Prepared(
    lambda pk: Student.objects.filter(pk=pk).select_related("person", "school", "school_class__grade")[:1], pk=int
)
_GUARDIANS_OF: Prepared[Guardianship] = Prepared(
    lambda student_id: (
        Guardianship.objects.filter(student_id=student_id)
        .select_related("guardian")
        .order_by("-is_primary_contact", "id")
    ),
    student_id=int,
)
_STAFF_BY_ID: Prepared[Staff] = Prepared(
    lambda pk: Staff.objects.filter(pk=pk).select_related("person", "school", "bureau")[:1], pk=int
)


def student_get(*, actor: Actor, student_id: int, with_head_teacher: bool = True) -> Student:
    """A student the actor can see (NotFound otherwise), with person, school, class and grade (and the class's head
    teacher unless ``with_head_teacher`` is False)."""
    student = (_STUDENT_BY_ID if with_head_teacher else _STUDENT_BY_ID_LEAN).first(pk=int(student_id))
    if student is None or not scope_for(actor).sees_student(student):
        raise NotFound()
    return student


@dataclass(frozen=True)
class PersonalFields:
    """A person's sensitive fields as this actor may see them."""

    id_number: str
    phone: str
    address: str
    student_no: str
    ids_unmasked: bool
    contact_unmasked: bool


def personal_fields(person: Person, *, ids: bool, contact: bool, student_no: str = "") -> PersonalFields:
    return PersonalFields(
        id_number=(person.id_number or "") if ids else mask_id_number(person.id_number or ""),
        student_no=student_no if ids else mask_student_no(student_no),
        phone=person.phone if contact else mask_phone(person.phone),
        address=person.address if contact else mask_address(person.address),
        ids_unmasked=ids,
        contact_unmasked=contact,
    )


def masked_fields(person: Person, student_no: str = "") -> PersonalFields:
    return personal_fields(person, ids=False, contact=False, student_no=student_no)


@dataclass
class GuardianView:
    guardianship: Guardianship
    person: Person
    fields: PersonalFields


@dataclass
class StudentProfile:
    student: Student
    person: Person
    fields: PersonalFields
    guardians: list[GuardianView]
    enrolments: list[Enrolment]
    teachers: list[TeachingAssignment] = field(default_factory=list)
    changes: list[HistoryEntry] = field(default_factory=list)


def student_profile(
    *, actor: Actor, student_id: int, origin: Origin, with_history: bool = True, with_school_life: bool = True
) -> StudentProfile:
    """A student's profile as the actor may see it; audits every unmasked ID number, phone or address, in the
    fields and (``with_history``) in the change history shown with them. ``with_school_life=False`` leaves out
    the enrolments and the class's teachers (the API's detail returns neither: two queries saved)."""
    scope = scope_for(actor)
    student = student_get(actor=actor, student_id=student_id, with_head_teacher=with_school_life)
    ids = scope.student_ids_unmasked(student)
    contact = ids or scope.student_contact_unmasked(student)
    guardianships = _GUARDIANS_OF.all(student_id=student.pk)
    for g in guardianships:
        g.student = student
    guardians = [
        GuardianView(g, g.guardian, personal_fields(g.guardian, ids=ids, contact=contact)) for g in guardianships
    ]
    profile = StudentProfile(
        student=student,
        person=student.person,
        fields=personal_fields(student.person, ids=ids, contact=contact, student_no=student.student_no),
        guardians=guardians,
        enrolments=(
            list(student.enrolments.select_related("school", "school_class__grade").order_by("-started_on"))
            if with_school_life
            else []
        ),
        teachers=(
            class_teachers(actor=actor, school_class=student.school_class)
            if with_school_life and student.school_class
            else []
        ),
    )
    history = History([], [])
    if with_history:
        history = change_history(
            records=Q(person_id=student.person_id) | Q(entity="student", entity_id=student.pk), ids=ids, contact=contact
        )
    profile.changes = history.entries
    extra = ["guardians.phone"] if guardians and contact else []
    extra += history.revealed
    _audit_reveal(
        actor,
        origin,
        Target("student", str(student.pk), f"{student.person.name} {mask_student_no(student.student_no)}"),
        profile.fields,
        student.person,
        extra,
    )
    return profile


# Fields whose history is masked as the profile masks the field itself, by which kind of access unmasks them:
# identifiers (the G-form 学籍号 is G + the ID number) or contact details.
_ID_MASKS = {"id_number": mask_id_number, "student_no": mask_student_no}
_CONTACT_MASKS = {"phone": mask_phone, "address": mask_address}
MASKED_HISTORY_FIELDS = (*_ID_MASKS, *_CONTACT_MASKS)
HISTORY_LENGTH = 20


@dataclass(frozen=True)
class HistoryEntry:
    """One change as this actor may see it: a copy, so a masked value can never be saved back."""

    changed_at: datetime
    field: str
    old_value: str
    new_value: str
    actor_name: str
    source: str


@dataclass
class History:
    entries: list[HistoryEntry]
    revealed: list[str]  # ``history.<field>`` for every personal field shown unmasked, for the audit log


def change_history(*, records: Q, ids: bool, contact: bool) -> History:
    """The latest changes matching ``records``, old and new values masked as the fields themselves are.

    Callers pass the same ``ids`` / ``contact`` answers they used for the profile, so history and profile
    can never disagree about what this actor may see."""
    rows = ChangeRecord.objects.filter(records).select_related("actor").order_by("-changed_at", "-id")
    entries, revealed = [], []
    for change in rows[:HISTORY_LENGTH]:
        old, new = change.old_value, change.new_value
        mask = _ID_MASKS.get(change.field) or _CONTACT_MASKS.get(change.field)
        allowed = ids if change.field in _ID_MASKS else contact
        if mask is not None and not allowed:
            old, new = mask(old), mask(new)
        elif mask is not None and (old or new) and f"history.{change.field}" not in revealed:
            revealed.append(f"history.{change.field}")
        actor = change.actor
        entries.append(
            HistoryEntry(
                changed_at=change.changed_at,
                field=change.field,
                old_value=old,
                new_value=new,
                # imports from the command line and nightly jobs have no acting account
                actor_name=(actor.display_name or actor.username) if actor is not None else "系统",
                source=change.source,
            )
        )
    return History(entries, revealed)


def _audit_reveal(
    actor, origin: Origin, target: Target, fields: PersonalFields, person: Person, extra: list[str] | None = None
) -> None:
    """Write one audit event naming every personal field this view showed unmasked (none: nothing to write)."""
    revealed = []
    if fields.ids_unmasked and person.id_number:
        revealed.append("id_number")
    if fields.contact_unmasked and person.phone:
        revealed.append("phone")
    if fields.contact_unmasked and person.address:
        revealed.append("address")
    revealed += extra or []
    if revealed:
        audit_record(actor=actor, action="person.view_pii", origin=origin, target=target, fields=revealed)


# ------------------------------------------------------------------ staff
def staff_list(
    *, actor: Actor, school_id: int | None = None, search: str = "", category: str = "", active: bool = True
) -> QuerySet[Staff]:
    staff = _staff_filtered(
        scope_for(actor).staff_q(), school_id=school_id, search=search, category=category, active=active
    )
    return staff.select_related("person", "school", "bureau")


def _staff_filtered(
    scope_q: Q, *, school_id: int | None = None, search: str = "", category: str = "", active: bool = True
) -> QuerySet[Staff]:
    staff = Staff.objects.filter(scope_q)
    if active:
        staff = staff.filter(is_active=True)
    if school_id is not None:
        staff = staff.filter(school_id=school_id)
    if category:
        staff = staff.filter(category=category)
    if search:
        staff = staff.filter(Q(person__name__contains=search) | Q(staff_no__startswith=search))
    return staff.order_by("school_id", "staff_no")


_STAFF_ROW_COLUMNS = (
    "id",
    "staff_no",
    "person__name",
    "person__sex",
    "category",
    "post",
    "subject",
    "school_id",
    "school__name",
    "bureau__name",
    "person__id_number",
)


def staff_listing(*, actor: Actor, school_id: int | None = None, search: str = "", category: str = "") -> Listing:
    """The API's staff list (active posts), ID numbers masked, as a :class:`Listing`: the rows and order of
    :func:`staff_list`, as plain values."""
    scope_q = scope_for(actor).staff_q()
    params: dict[str, int | str] = {}
    if school_id is not None:
        params["school_id"] = school_id
    if category:
        params["category"] = category

    def build(**values: Any) -> QuerySet[Staff]:
        return _staff_filtered(scope_q, search=search, **values).values_list(*_STAFF_ROW_COLUMNS)

    return Listing(key=("staff", repr(scope_q), tuple(params), search), build=build, params=params, row=staff_list_row)


def staff_row_of(member: Staff) -> dict:
    """The API list row of one fetched staff member (with person, school, bureau), as :func:`staff_listing` builds
    it from plain values."""
    person = member.person
    values = (
        member.pk,
        member.staff_no,
        person.name,
        person.sex,
        member.category,
        member.post,
        member.subject,
        member.school_id,
        member.school.name if member.school is not None else None,
        member.bureau.name if member.bureau is not None else None,
        person.id_number,
    )
    return staff_list_row(values)


def staff_list_row(r: tuple) -> dict:
    """One API staff row from the values of _STAFF_ROW_COLUMNS: the ID number masked."""
    return {
        "id": r[0],
        "staff_no": r[1],
        "name": r[2],
        "sex": code_name("sex", r[3]),
        "category": code_name("staff_category", r[4]),
        "post": r[5],
        "subject": code_name("subject", r[6]),
        "school_id": r[7],
        "school_name": r[8] if r[7] is not None else (r[9] or ""),
        "id_number": mask_id_number(r[10] or ""),
    }


def staff_get(*, actor: Actor, staff_id: int) -> Staff:
    member = _STAFF_BY_ID.first(pk=int(staff_id))
    if member is None or not scope_for(actor).sees_staff(member):
        raise NotFound()
    return member


def class_teachers(*, actor: Actor, school_class) -> list[TeachingAssignment]:
    """Current-term teachers of a class the actor can already see (fetched through class_get)."""
    return list(
        TeachingAssignment.objects.filter(school_class=school_class, term__is_current=True)
        .select_related("staff__person")
        .order_by("subject")
    )


@dataclass
class StaffProfile:
    staff: Staff
    person: Person
    fields: PersonalFields
    assignments: list[TeachingAssignment]
    head_of: list
    changes: list[HistoryEntry] = field(default_factory=list)


def staff_profile(
    *, actor: Actor, staff_id: int, origin: Origin, with_history: bool = True, with_school_life: bool = True
) -> StaffProfile:
    """A staff member's profile as the actor may see it; audits every unmasked personal field, the change
    history's (``with_history``) included. ``with_school_life=False`` leaves out the teaching assignments and the
    classes headed (the API's detail returns neither: two queries saved)."""
    scope = scope_for(actor)
    member = staff_get(actor=actor, staff_id=staff_id)
    unmasked = scope.staff_pii_unmasked(member)
    profile = StaffProfile(
        staff=member,
        person=member.person,
        fields=personal_fields(member.person, ids=unmasked, contact=unmasked),
        assignments=(
            list(
                member.assignments.filter(term__is_current=True)
                .select_related("school_class__grade")
                .order_by("school_class__grade__stage", "-school_class__grade__entry_year", "school_class__number")
            )
            if with_school_life
            else []
        ),
        head_of=list(member.head_of_classes.select_related("grade")) if with_school_life else [],
    )
    history = History([], [])
    if with_history:
        history = change_history(
            records=Q(person_id=member.person_id) | Q(entity="staff", entity_id=member.pk),
            ids=unmasked,
            contact=unmasked,
        )
    profile.changes = history.entries
    _audit_reveal(
        actor,
        origin,
        Target("staff", str(member.pk), f"{member.person.name} {member.staff_no}"),
        profile.fields,
        member.person,
        history.revealed,
    )
    return profile
