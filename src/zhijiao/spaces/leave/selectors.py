"""Reads of 请假. Who sees a leave request: the guardian who applied (and the child's other guardians), the pupil
themself, the 班主任 of its class, the class's teachers this term and the school's administrators. Anything else
is NotFound (404)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.core.errors import NotFound
from zhijiao.org.models import SchoolClass, Term
from zhijiao.org.selectors import class_display_name
from zhijiao.people.models import Guardianship, Student
from zhijiao.spaces.leave.models import LeaveRequest, LeaveStatus


def children(*, actor: Actor) -> list[Student]:
    """The actor's children (guardianships of their person), with their classes."""
    if not actor.is_authenticated or not scope_for(actor).has(Role.PARENT):
        return []
    ids = Guardianship.objects.filter(guardian_id=scope_for(actor).person_id).values_list("student_id", flat=True)
    return list(Student.objects.filter(pk__in=ids).select_related("person", "school_class", "school").order_by("pk"))


def is_head_of(*, actor: Actor, school_class: SchoolClass) -> bool:
    """The class's 班主任: its head_teacher's person, or a 班主任 grant on the class."""
    if not actor.is_authenticated:
        return False
    scope = scope_for(actor)
    if school_class.pk in scope.class_ids(Role.HEAD_TEACHER):
        return True
    head = school_class.head_teacher
    return head is not None and head.person_id == scope.person_id


def headed_class_ids(*, actor: Actor) -> list[int]:
    if not actor.is_authenticated:
        return []
    scope = scope_for(actor)
    ids = set(scope.class_ids(Role.HEAD_TEACHER))
    ids |= set(SchoolClass.objects.filter(head_teacher__person_id=scope.person_id).values_list("pk", flat=True))
    return sorted(ids)


def may_see_class(*, actor: Actor, school_class: SchoolClass) -> bool:
    """The class attendance: its 班主任, its teachers this term, the school's administrators."""
    if not actor.is_authenticated:
        return False
    scope = scope_for(actor)
    if scope.leads_class(school_class.pk) or is_head_of(actor=actor, school_class=school_class):
        return True
    return scope.manages_school(school_id=school_class.school_id, division_code=school_class.school.division_id)


def attendance_classes(*, actor: Actor) -> list[SchoolClass]:
    """The classes whose attendance the actor sees from the 请假 page (headed and taught)."""
    if not actor.is_authenticated:
        return []
    ids = set(scope_for(actor).led_class_ids()) | set(headed_class_ids(actor=actor))
    return list(SchoolClass.objects.filter(pk__in=ids).select_related("school", "grade").order_by("school_id", "pk"))


def _rows() -> QuerySet[LeaveRequest]:
    return LeaveRequest.objects.select_related(
        "student__person", "school_class__school", "school_class__grade", "decided_by", "applicant"
    )


def leave_get(*, actor: Actor, leave_id: int) -> LeaveRequest:
    row = _rows().filter(pk=leave_id).first()
    if row is None or not may_see(actor=actor, row=row):
        raise NotFound()
    return row


def may_see(*, actor: Actor, row: LeaveRequest) -> bool:
    if not actor.is_authenticated:
        return False
    scope = scope_for(actor)
    if row.applicant_id == actor.pk or row.student.person_id == scope.person_id:
        return True
    if Guardianship.objects.filter(guardian_id=scope.person_id, student_id=row.student_id).exists():
        return True
    return may_see_class(actor=actor, school_class=row.school_class)


def guardian_list(*, actor: Actor) -> QuerySet[LeaveRequest]:
    """What the guardian's children asked (by any of their guardians), newest first."""
    ids = [c.pk for c in children(actor=actor)]
    return _rows().filter(student_id__in=ids)


def pupil_list(*, actor: Actor) -> QuerySet[LeaveRequest]:
    """A pupil's own leave (asked by their guardians), newest first."""
    if not actor.is_authenticated or not scope_for(actor).has(Role.STUDENT):
        return LeaveRequest.objects.none()
    return _rows().filter(student__person_id=scope_for(actor).person_id).exclude(status=LeaveStatus.CANCELLED)


def head_pending(*, actor: Actor) -> QuerySet[LeaveRequest]:
    """Applications waiting for the actor as 班主任, oldest first."""
    return (
        _rows()
        .filter(school_class_id__in=headed_class_ids(actor=actor), status=LeaveStatus.PENDING)
        .order_by("start_date", "pk")
    )


def head_decided(*, actor: Actor, limit: int = 8) -> list[LeaveRequest]:
    return list(
        _rows()
        .filter(school_class_id__in=headed_class_ids(actor=actor))
        .exclude(status__in=[LeaveStatus.PENDING, LeaveStatus.CANCELLED])
        .order_by("-decided_at", "-pk")[:limit]
    )


def overlapping(*, student_id: int, start: date, end: date) -> QuerySet[LeaveRequest]:
    return LeaveRequest.objects.filter(
        student_id=student_id,
        status__in=[LeaveStatus.PENDING, LeaveStatus.APPROVED],
        start_date__lte=end,
        end_date__gte=start,
    )


@dataclass(frozen=True)
class Attendance:
    school_class: SchoolClass
    label: str
    day: date
    enrolled: int
    absent: list[LeaveRequest]  # approved leave covering ``day``
    term: Term | None
    term_rows: list[LeaveRequest]  # approved leave in the current term, newest first

    @property
    def present(self) -> float:
        return self.enrolled - sum(1 if r.part == "full" else 0.5 for r in self.absent)

    @property
    def term_days(self) -> float:
        return sum(r.days for r in self.term_rows)


def class_attendance(*, actor: Actor, class_id: int, day: date) -> Attendance:
    """Who is on approved leave in the class on ``day``, and the term's approved leave."""
    school_class = SchoolClass.objects.select_related("school", "grade", "head_teacher").filter(pk=class_id).first()
    if school_class is None or not may_see_class(actor=actor, school_class=school_class):
        raise NotFound()
    approved = _rows().filter(school_class=school_class, status=LeaveStatus.APPROVED)
    absent = list(approved.filter(start_date__lte=day, end_date__gte=day).order_by("student__person__name"))
    term = Term.objects.filter(is_current=True).first()
    in_term = approved
    if term is not None:
        in_term = approved.filter(Q(start_date__lte=term.ends_on) & Q(end_date__gte=term.starts_on))
    return Attendance(
        school_class=school_class,
        label=f"{school_class.school.name} {class_display_name(school_class)}",
        day=day,
        enrolled=Student.objects.filter(school_class=school_class).count(),
        absent=absent,
        term=term,
        term_rows=list(in_term.order_by("-start_date", "-pk")[:500]),
    )
