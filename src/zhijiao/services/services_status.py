"""Writes of 学籍异动: apply, approve step by step, reject, ask for and give more material, withdraw.

Each call is one transaction, checks who may act (``selectors_status``: the rules are written there once), appends
a ``StatusCaseEvent`` and an audit event (``status_case.*``). The last step's approval changes the registry through
the one write path (``people.services.student_status_change``: status code, enrolment closed or moved, history,
``registry_changed``) and brings the pupil's and guardians' accounts in line (``identity.provisioning
.accounts_sync_persons``: a leaver's account closes, a transferred pupil's grants move to the new class), all in
the same transaction: a failure anywhere leaves the registry, the accounts and the case as they were.
"""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from django.db import transaction
from django.utils import timezone

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.actor import actor_account_id
from zhijiao.core.errors import ZhijiaoError
from zhijiao.core.student_status import StudentStatus, is_studying
from zhijiao.identity.provisioning import accounts_sync_persons
from zhijiao.org.models import School, SchoolClass
from zhijiao.people.models import Guardianship, Student
from zhijiao.people.services import student_status_change
from zhijiao.services import selectors_status as rules
from zhijiao.services.errors import ServicesError
from zhijiao.services.models import (
    OPEN_CASE_STATUSES,
    CaseAction,
    CaseKind,
    CaseStatus,
    CaseStep,
    StatusCase,
    StatusCaseEvent,
)

NOTE_MAX = 500
SOURCE = "services:status_case"
# What the registry becomes when a case of each kind is approved: (学生当前状态 or None to keep it, leaves school)
OUTCOME: dict[str, tuple[str | None, bool]] = {
    CaseKind.TRANSFER: (None, False),
    CaseKind.SUSPEND: (StudentStatus.SUSPENDED.value, False),
    CaseKind.RESUME: (StudentStatus.RESUMED.value, False),
    CaseKind.WITHDRAW: (StudentStatus.WITHDRAWN.value, True),
    CaseKind.DECEASED: (StudentStatus.DECEASED.value, True),
}


def _target(case: StatusCase) -> Target:
    return Target("status_case", case.number, f"{case.get_kind_display()}：{case.student.person.name}")


def _note(text: str, *, required: bool, error: ServicesError = ServicesError.SERVICES_CASE_NOTE) -> str:
    text = (text or "").strip()
    if (required and not text) or len(text) > NOTE_MAX:
        raise ZhijiaoError(error, field="说明" if error is ServicesError.SERVICES_CASE_NOTE else "申请理由")
    return text


def _actor_label(actor: Actor, case: StatusCase, step: str) -> str:
    """Who acted, in the words of the history: "江岸区实验小学 学校管理员", "东西湖区 区域管理员", "监护人"."""
    school = rules.step_school(case, step)
    if step in (CaseStep.SCHOOL_OUT, CaseStep.SCHOOL_IN) and school is not None:
        return f"{school.name} {Role.SCHOOL_ADMIN.label}"
    if step in (CaseStep.BUREAU_OUT, CaseStep.BUREAU_IN) and school is not None:
        scope = scope_for(actor)
        if scope.is_platform_admin:
            return str(Role.PLATFORM_ADMIN.label)
        return f"{school.division.name}教育局 {Role.REGION_ADMIN.label}"
    return ""


def _event(case: StatusCase, *, actor: Actor, action: str, note: str = "", label: str = "") -> StatusCaseEvent:
    return StatusCaseEvent.objects.create(
        case=case,
        step=case.step,
        action=action,
        actor_id=actor_account_id(actor),
        actor_label=label[:64],
        note=note,
    )


def _audit(actor: Actor, action: str, case: StatusCase, origin: Origin | None) -> None:
    audit_record(actor=actor, action=action, origin=origin or Origin(), target=_target(case))


def _locked(actor: Actor, case_id: int) -> StatusCase:
    rules.case_get(actor=actor, case_id=case_id)  # 404 when the actor may not see it
    case = (
        StatusCase.objects.select_for_update(of=("self",))
        .select_related("student__person", "from_school__division", "to_school__division", "to_class")
        .get(pk=case_id)
    )
    if not case.is_open:
        raise ZhijiaoError(ServicesError.SERVICES_CASE_CLOSED)
    return case


def _check_state(kind: str, student: Student) -> None:
    """The pupil's current status allows this kind: 复学 only from 休学, everything else only while on the roll."""
    ok = student.status == StudentStatus.SUSPENDED if kind == CaseKind.RESUME else is_studying(student.status)
    if not ok:
        raise ZhijiaoError(ServicesError.SERVICES_CASE_STATE, detail=f"学生现在是“{student.status_name}”")


@transaction.atomic
def case_submit(
    *,
    actor: Actor,
    student: Student,
    kind: str,
    reason: str,
    to_school: School | None = None,
    requested_on: date | None = None,
    origin: Origin | None = None,
) -> StatusCase:
    """Apply for a status change of ``student`` (the school or a guardian). A transfer names the receiving school;
    the receiving school picks the class when it approves."""
    side = rules.applicant_side(actor=actor, student=student)
    if side is None:
        raise ZhijiaoError(ServicesError.SERVICES_CASE_NOT_APPLICANT, status=403)
    if kind not in CaseKind.values:
        raise ZhijiaoError(ServicesError.SERVICES_CASE_KIND, field="异动类型")
    student = (
        Student.objects.select_for_update(of=("self",)).select_related("person", "school__division").get(pk=student.pk)
    )
    _check_state(kind, student)
    reason = _note(reason, required=True, error=ServicesError.SERVICES_CASE_REASON)
    cross = False
    if kind == CaseKind.TRANSFER:
        if to_school is None or to_school.pk == student.school_id or not to_school.is_active:
            raise ZhijiaoError(ServicesError.SERVICES_CASE_TO_SCHOOL, field="转入学校")
        cross = to_school.division_id != student.school.division_id
    else:
        to_school = None
    today = timezone.localdate()
    requested_on = requested_on or today
    if not (today.replace(year=today.year - 1) <= requested_on <= today.replace(year=today.year + 1)):
        raise ZhijiaoError(ServicesError.SERVICES_CASE_DATE, field="生效日期", detail="应在前后一年之内")
    if StatusCase.objects.filter(student=student, status__in=OPEN_CASE_STATUSES).exists():
        raise ZhijiaoError(ServicesError.SERVICES_CASE_OPEN)
    case = StatusCase.objects.create(
        number=f"tmp{uuid4().hex[:16]}",
        kind=kind,
        student=student,
        from_school=student.school,
        from_class=student.school_class,
        to_school=to_school,
        cross_district=cross,
        reason=reason,
        requested_on=requested_on,
        applicant_id=actor_account_id(actor),
        applicant_side=side,
    )
    case.number = f"YD{today:%Y}{case.pk:06d}"
    case.save(update_fields=["number"])
    label = "监护人" if side == "guardian" else f"{student.school.name}"
    _event(case, actor=actor, action=CaseAction.SUBMIT, note=reason, label=label)
    _audit(actor, "status_case.submit", case, origin)
    return case


@transaction.atomic
def case_approve(
    *,
    actor: Actor,
    case_id: int,
    note: str = "",
    to_class: SchoolClass | None = None,
    on: date | None = None,
    origin: Origin | None = None,
) -> StatusCase:
    """Approve the current step. The receiving school names the class (转入学校审核; 复学 may name one at 学校审核);
    the last step's approval applies the change to the registry and the accounts."""
    case = _locked(actor, case_id)
    if case.status != CaseStatus.PENDING or not rules.may_act(actor=actor, case=case):
        raise ZhijiaoError(ServicesError.SERVICES_CASE_NOT_YOUR_STEP, status=403)
    if StatusCaseEvent.objects.filter(case=case, action=CaseAction.APPROVE, actor_id=actor_account_id(actor)).exists():
        raise ZhijiaoError(ServicesError.SERVICES_CASE_SAME_APPROVER, status=403)
    note = _note(note, required=False)
    if case.step == CaseStep.SCHOOL_IN:
        if to_class is None or to_class.school_id != case.to_school_id or not to_class.is_active:
            raise ZhijiaoError(ServicesError.SERVICES_CASE_TO_CLASS, field="转入班级")
        case.to_class = to_class
    elif case.step == CaseStep.SCHOOL_OUT and case.kind == CaseKind.RESUME and to_class is not None:
        if to_class.school_id != case.from_school_id or not to_class.is_active:
            raise ZhijiaoError(ServicesError.SERVICES_CASE_TO_CLASS, field="复学班级")
        case.to_class = to_class if to_class.pk != case.student.school_class_id else None
    _event(case, actor=actor, action=CaseAction.APPROVE, note=note, label=_actor_label(actor, case, case.step))
    steps = case.steps
    following = steps[steps.index(case.step) + 1 :]
    if following:
        case.step = following[0]
        case.save(update_fields=["step", "to_class", "updated_at"])
        _audit(actor, "status_case.approve", case, origin)
        return case
    _audit(actor, "status_case.approve", case, origin)
    _complete(case, actor=actor, on=on or max(case.requested_on, timezone.localdate()), origin=origin)
    return case


def _complete(case: StatusCase, *, actor: Actor, on: date, origin: Origin | None) -> None:
    """Apply the approved case to the registry and the accounts (inside the caller's transaction)."""
    student = Student.objects.select_for_update().get(pk=case.student_id)
    _check_state(case.kind, student)  # the registry may have moved since the application
    status, leave = OUTCOME[case.kind]
    student_status_change(
        actor=actor,
        student=student,
        on=on,
        reason=f"{case.get_kind_display()}（{case.number}）",
        status=status,
        to_class=case.to_class,
        leave=leave,
        source=f"{SOURCE}:{case.number}",
    )
    guardians = Guardianship.objects.filter(student_id=student.pk).values_list("guardian_id", flat=True)
    accounts_sync_persons(person_ids=[student.person_id, *guardians])
    case.status, case.step = CaseStatus.APPROVED, CaseStep.DONE
    case.effective_on, case.closed_at = on, timezone.now()
    case.save(update_fields=["status", "step", "effective_on", "closed_at", "to_class", "updated_at"])
    _event(case, actor=actor, action=CaseAction.COMPLETE, note=_outcome_text(case), label="平台")
    _audit(actor, "status_case.complete", case, origin)


def _outcome_text(case: StatusCase) -> str:
    if case.kind == CaseKind.TRANSFER and case.to_class is not None:
        return f"学籍已转入 {case.to_school.name if case.to_school else ''} {case.to_class.name}"
    status, leave = OUTCOME[case.kind]
    text = f"学籍状态改为“{StudentStatus(status).label}”" if status else ""
    if case.to_class is not None:
        text += f"，编入 {case.to_class.name}"
    return text + ("，在籍记录结束" if leave else "")


@transaction.atomic
def case_reject(*, actor: Actor, case_id: int, note: str, origin: Origin | None = None) -> StatusCase:
    """Refuse the application at the current step, with the reason (required). The case ends."""
    case = _locked(actor, case_id)
    if not rules.may_act_at(actor=actor, case=case, step=case.step):
        raise ZhijiaoError(ServicesError.SERVICES_CASE_NOT_YOUR_STEP, status=403)
    note = _note(note, required=True)
    _event(case, actor=actor, action=CaseAction.REJECT, note=note, label=_actor_label(actor, case, case.step))
    case.status, case.closed_at = CaseStatus.REJECTED, timezone.now()
    case.save(update_fields=["status", "closed_at", "updated_at"])
    _audit(actor, "status_case.refuse", case, origin)
    return case


@transaction.atomic
def case_supplement_request(*, actor: Actor, case_id: int, note: str, origin: Origin | None = None) -> StatusCase:
    """Ask the applicant for more material (what is missing, required); the case waits at the same step."""
    case = _locked(actor, case_id)
    if not rules.may_act(actor=actor, case=case):
        raise ZhijiaoError(ServicesError.SERVICES_CASE_NOT_YOUR_STEP, status=403)
    note = _note(note, required=True)
    _event(
        case, actor=actor, action=CaseAction.SUPPLEMENT_REQUEST, note=note, label=_actor_label(actor, case, case.step)
    )
    case.status = CaseStatus.SUPPLEMENT
    case.save(update_fields=["status", "updated_at"])
    _audit(actor, "status_case.supplement_request", case, origin)
    return case


@transaction.atomic
def case_supplement(*, actor: Actor, case_id: int, note: str, origin: Origin | None = None) -> StatusCase:
    """The applicant's side gives what was asked for; the case goes back to the step that asked."""
    case = _locked(actor, case_id)
    if case.status != CaseStatus.SUPPLEMENT:
        raise ZhijiaoError(ServicesError.SERVICES_CASE_NOT_WAITING)
    if not rules.may_supplement(actor=actor, case=case):
        raise ZhijiaoError(ServicesError.SERVICES_CASE_NOT_APPLICANT, status=403)
    note = _note(note, required=True)
    _event(case, actor=actor, action=CaseAction.SUPPLEMENT, note=note, label=case.get_applicant_side_display())
    case.status = CaseStatus.PENDING
    case.save(update_fields=["status", "updated_at"])
    _audit(actor, "status_case.supplement", case, origin)
    return case


@transaction.atomic
def case_withdraw(*, actor: Actor, case_id: int, note: str = "", origin: Origin | None = None) -> StatusCase:
    """The applicant's side withdraws an open application; nothing in the registry changes."""
    case = _locked(actor, case_id)
    if not rules.may_withdraw(actor=actor, case=case):
        raise ZhijiaoError(ServicesError.SERVICES_CASE_NOT_APPLICANT, status=403)
    note = _note(note, required=False)
    _event(case, actor=actor, action=CaseAction.WITHDRAW, note=note, label=case.get_applicant_side_display())
    case.status, case.closed_at = CaseStatus.WITHDRAWN, timezone.now()
    case.save(update_fields=["status", "closed_at", "updated_at"])
    _audit(actor, "status_case.withdraw", case, origin)
    return case
