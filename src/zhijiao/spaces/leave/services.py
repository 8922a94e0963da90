"""Writes of 请假: a guardian applies for their own child, the class's 班主任 approves or refuses (with a reason),
the guardian may withdraw an application still pending. Each is audited."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.errors import Forbidden, ZhijiaoError
from zhijiao.people.models import Student
from zhijiao.spaces.leave import selectors
from zhijiao.spaces.leave.errors import LeaveError
from zhijiao.spaces.leave.models import LeaveKind, LeavePart, LeaveRequest, LeaveStatus

MAX_DAYS = 30
BACKDATE_DAYS = 7


def _target(row: LeaveRequest) -> Target:
    return Target("leave_request", str(row.pk), f"{row.get_kind_display()} {row.when}")


def leave_apply(
    *,
    actor: Actor,
    student_id: int | str,
    kind: str,
    start: date | None,
    end: date | None = None,
    part: str = LeavePart.FULL,
    reason: str,
    origin: Origin,
) -> LeaveRequest:
    """A guardian asks leave for one of their children; it waits for the class's 班主任."""
    child: Student | None = next((c for c in selectors.children(actor=actor) if str(c.pk) == str(student_id)), None)
    if child is None:
        raise Forbidden(LeaveError.LEAVE_NOT_YOUR_CHILD.message)
    if child.school_class is None:
        raise ZhijiaoError(LeaveError.LEAVE_NO_CLASS, field="孩子")
    if child.school_class.head_teacher_id is None:
        raise ZhijiaoError(LeaveError.LEAVE_NO_HEAD, field="孩子")
    if kind not in LeaveKind.values:
        raise ZhijiaoError(LeaveError.LEAVE_KIND_UNKNOWN, field="请假类型")
    if part not in LeavePart.values:
        raise ZhijiaoError(LeaveError.LEAVE_PART_UNKNOWN, field="时段")
    if start is None:
        raise ZhijiaoError(LeaveError.LEAVE_DATE_REQUIRED, field="开始日期")
    end = end or start
    if end < start:
        raise ZhijiaoError(LeaveError.LEAVE_DATE_ORDER, field="结束日期")
    if part != LeavePart.FULL and end != start:
        raise ZhijiaoError(LeaveError.LEAVE_HALF_DAY_ONE_DAY, field="结束日期")
    if (end - start).days + 1 > MAX_DAYS:
        raise ZhijiaoError(LeaveError.LEAVE_TOO_LONG, field="结束日期")
    if start < timezone.localdate() - timedelta(days=BACKDATE_DAYS):
        raise ZhijiaoError(LeaveError.LEAVE_TOO_EARLY, field="开始日期")
    reason = (reason or "").strip()
    if not reason:
        raise ZhijiaoError(LeaveError.LEAVE_REASON_REQUIRED, field="事由")
    if len(reason) > 300:
        raise ZhijiaoError(LeaveError.LEAVE_REASON_TOO_LONG, field="事由")
    with transaction.atomic():
        # lock the child's rows so two submissions at once cannot both pass the overlap check
        list(Student.objects.select_for_update().filter(pk=child.pk).values_list("pk", flat=True))
        if selectors.overlapping(student_id=child.pk, start=start, end=end).exists():
            raise ZhijiaoError(LeaveError.LEAVE_OVERLAP, field="开始日期")
        row = LeaveRequest.objects.create(
            student=child,
            school_class=child.school_class,
            applicant_id=actor.pk,
            kind=kind,
            part=part,
            start_date=start,
            end_date=end,
            reason=reason,
        )
        audit_record(actor=actor, action="leave.apply", origin=origin, target=_target(row))
    return row


def leave_decide(*, actor: Actor, leave_id: int, approve: bool, note: str = "", origin: Origin) -> LeaveRequest:
    """The 班主任 of the application's class approves or refuses it (refusing needs a reason). Teachers of the
    class and school administrators see it but may not decide: the 班主任 answers for the class."""
    with transaction.atomic():
        row = LeaveRequest.objects.select_for_update().select_related("school_class").filter(pk=leave_id).first()
        if row is None:
            selectors.leave_get(actor=actor, leave_id=leave_id)  # raises NotFound
            raise AssertionError  # pragma: no cover
        if not selectors.is_head_of(actor=actor, school_class=row.school_class):
            selectors.leave_get(actor=actor, leave_id=leave_id)  # 404 to those who may not even see it
            raise Forbidden("只有本班班主任可以审批请假")
        if row.status != LeaveStatus.PENDING:
            raise ZhijiaoError(LeaveError.LEAVE_NOT_PENDING)
        note = (note or "").strip()
        if not approve and not note:
            raise ZhijiaoError(LeaveError.LEAVE_NOTE_REQUIRED, field="审批意见")
        if len(note) > 300:
            raise ZhijiaoError(LeaveError.LEAVE_REASON_TOO_LONG, field="审批意见")
        row.status = LeaveStatus.APPROVED if approve else LeaveStatus.REFUSED
        row.decided_by_id = actor.pk
        row.decided_at = timezone.now()
        row.decision_note = note
        row.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        action = "leave.approve" if approve else "leave.refuse"
        audit_record(actor=actor, action=action, origin=origin, target=_target(row))
    return row


def leave_cancel(*, actor: Actor, leave_id: int, origin: Origin) -> LeaveRequest:
    """The guardian who applied withdraws an application still waiting."""
    with transaction.atomic():
        row = LeaveRequest.objects.select_for_update().filter(pk=leave_id).first()
        if row is None or row.applicant_id != actor.pk:
            selectors.leave_get(actor=actor, leave_id=leave_id)
            raise Forbidden("只有提交申请的家长可以撤销")
        if row.status != LeaveStatus.PENDING:
            raise ZhijiaoError(LeaveError.LEAVE_NOT_PENDING)
        row.status = LeaveStatus.CANCELLED
        row.save(update_fields=["status"])
        audit_record(actor=actor, action="leave.cancel", origin=origin, target=_target(row))
    return row
