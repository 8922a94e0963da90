"""Reads of 学籍异动: who may apply for which pupil, who acts at a case's current step, and the cases each sees.

The rules, in one place (the services ask the same functions before any write):

* apply: the pupil's school (学校管理员 of the school, 班主任 of the pupil's class) or a guardian of the pupil
  (家长 whose person is registered as the pupil's guardian);
* act at a step: 学校审核 / 转出学校审核 — 学校管理员 of the school the pupil is in; 转入学校审核 — 学校管理员 of the
  receiving school; 教育局审核 — 区域管理员 governing the pupil's district (or a platform administrator);
  转入地教育局审核 — 区域管理员 governing the receiving school's district;
* see a case: its applicant, the guardians of the pupil, the two schools' 学校管理员, the 班主任 of the pupil's class,
  the bureaus governing either school's district, platform administrators. Anyone else gets 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.core.errors import NotFound
from zhijiao.org.models import School, SchoolClass
from zhijiao.people.models import Guardianship, Student
from zhijiao.services.models import (
    OPEN_CASE_STATUSES,
    ApplicantSide,
    CaseStep,
    StatusCase,
    StatusCaseEvent,
    case_step_label,
)


def applicant_side(*, actor: Actor, student: Student) -> str | None:
    """``school`` or ``guardian`` when the actor may apply for this pupil, else None."""
    scope = scope_for(actor)
    if student.school_id in scope.school_ids(Role.SCHOOL_ADMIN) or (
        student.school_class_id is not None and student.school_class_id in scope.class_ids(Role.HEAD_TEACHER)
    ):
        return ApplicantSide.SCHOOL
    person_id = getattr(actor, "person_id", None)
    if (
        person_id is not None
        and scope.has(Role.PARENT)
        and Guardianship.objects.filter(guardian_id=person_id, student=student).exists()
    ):
        return ApplicantSide.GUARDIAN
    return None


def step_school(case: StatusCase, step: str) -> School | None:
    """The school (or, for a bureau step, the school whose district) that decides at ``step``."""
    if step in (CaseStep.SCHOOL_IN, CaseStep.BUREAU_IN):
        return case.to_school
    if case.kind == "transfer" and step == CaseStep.BUREAU_OUT and not case.cross_district:
        return case.from_school  # one district: its bureau decides for both schools
    return case.from_school


def may_act(*, actor: Actor, case: StatusCase) -> bool:
    """Whether the actor decides at the case's current step (and the case is waiting for that decision)."""
    if case.status != "pending":
        return False
    return may_act_at(actor=actor, case=case, step=case.step)


def may_act_at(*, actor: Actor, case: StatusCase, step: str) -> bool:
    school = step_school(case, step)
    if school is None:
        return False
    scope = scope_for(actor)
    if step in (CaseStep.SCHOOL_OUT, CaseStep.SCHOOL_IN):
        return school.pk in scope.school_ids(Role.SCHOOL_ADMIN)
    if step in (CaseStep.BUREAU_OUT, CaseStep.BUREAU_IN):
        return scope.governs(school.division_id)
    return False


def is_applicant_side(*, actor: Actor, case: StatusCase) -> bool:
    """The applicant, or someone on the applicant's side: for a school's case the pupil's school (学校管理员,
    班主任), for a guardian's the pupil's guardians. They answer requests for material and may withdraw."""
    if case.applicant_id == getattr(actor, "pk", None):
        return True
    return applicant_side(actor=actor, student=case.student) == case.applicant_side


def may_supplement(*, actor: Actor, case: StatusCase) -> bool:
    return case.status == "supplement" and is_applicant_side(actor=actor, case=case)


def may_withdraw(*, actor: Actor, case: StatusCase) -> bool:
    return case.is_open and is_applicant_side(actor=actor, case=case)


def _visible_q(actor: Actor) -> Q:
    scope = scope_for(actor)
    if scope.is_platform_admin:
        return Q()
    q = Q(applicant_id=getattr(actor, "pk", -1))
    for division in scope.divisions(Role.REGION_ADMIN):
        q |= Q(from_school__division__code__startswith=division) | Q(to_school__division__code__startswith=division)
    schools = scope.school_ids(Role.SCHOOL_ADMIN)
    if schools:
        q |= Q(from_school_id__in=schools) | Q(to_school_id__in=schools)
    classes = scope.class_ids(Role.HEAD_TEACHER)
    if classes:
        q |= Q(from_class_id__in=classes)
    person_id = getattr(actor, "person_id", None)
    if person_id is not None and scope.has(Role.PARENT):
        q |= Q(student__guardianships__guardian_id=person_id)
    return q


def _cases(actor: Actor) -> QuerySet[StatusCase]:
    return (
        StatusCase.objects.filter(_visible_q(actor))
        .select_related("student__person", "from_school", "from_class", "to_school", "to_class")
        .distinct()
    )


def case_list(*, actor: Actor, open_only: bool = False, limit: int = 200) -> list[StatusCase]:
    """The cases the actor sees, newest first."""
    rows = _cases(actor)
    if open_only:
        rows = rows.filter(status__in=OPEN_CASE_STATUSES)
    return list(rows[:limit])


def case_queue(*, actor: Actor, limit: int = 200) -> list[StatusCase]:
    """The cases waiting for the actor's decision (its approval queue), oldest first."""
    rows = _cases(actor).filter(status="pending").order_by("created_at", "id")
    return [c for c in rows[: limit * 5] if may_act(actor=actor, case=c)][:limit]


def case_get(*, actor: Actor, case_id: int) -> StatusCase:
    """One case the actor may see; otherwise NotFound."""
    case = _cases(actor).filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    return case


@dataclass(frozen=True)
class StepView:
    code: str
    label: str
    state: str  # done, current, waiting, skipped


def case_steps(case: StatusCase) -> list[StepView]:
    """The case's steps for its progress bar."""
    order = case.steps
    at = order.index(case.step) if case.step in order else len(order)
    views = []
    for i, code in enumerate(order):
        if case.status == "approved" or i < at:
            state = "done"
        elif i == at and case.is_open:
            state = "current"
        elif i == at and case.status == "rejected":
            state = "rejected"
        else:
            state = "waiting"
        views.append(StepView(code, case_step_label(case, code), state))
    return views


def case_events(*, case: StatusCase) -> list[StatusCaseEvent]:
    return list(case.events.select_related("actor").all())


def applicable_students(*, actor: Actor, student_no: str = "") -> list[Student]:
    """Pupils the actor may apply for: a guardian's children; for a school, the pupil with this 学籍号."""
    scope = scope_for(actor)
    rows = Student.objects.select_related("person", "school", "school_class")
    found: list[Student] = []
    person_id = getattr(actor, "person_id", None)
    if person_id is not None and scope.has(Role.PARENT):
        found += list(rows.filter(guardianships__guardian_id=person_id))
    number = student_no.strip()
    if number:
        found += [s for s in rows.filter(student_no=number) if applicant_side(actor=actor, student=s)]
    return list({s.pk: s for s in found}.values())


def may_apply_as_school(*, actor: Actor) -> bool:
    scope = scope_for(actor)
    return bool(scope.school_ids(Role.SCHOOL_ADMIN) or scope.class_ids(Role.HEAD_TEACHER))


def transfer_schools(*, exclude: int | None = None) -> list[School]:
    """Schools a pupil may transfer into (every active school of the platform), by district and code."""
    rows = School.objects.filter(is_active=True).select_related("division").order_by("division_id", "code")
    return [s for s in rows if s.pk != exclude]


def classes_of(*, school: School) -> list[SchoolClass]:
    return list(
        SchoolClass.objects.filter(school=school, is_active=True).order_by(
            "grade__stage", "-grade__entry_year", "number"
        )
    )


def students_with_open_cases(*, students: list[Student]) -> set[int]:
    """Which of these pupils already have an application being handled (the form shows them as busy)."""
    return set(
        StatusCase.objects.filter(student__in=students, status__in=OPEN_CASE_STATUSES).values_list(
            "student_id", flat=True
        )
    )
