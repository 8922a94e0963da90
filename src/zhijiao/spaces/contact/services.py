"""Writes of 家校沟通 messages: start a thread with a partner the actor may write to, post (held in quiet hours),
hide (a school administrator; audited)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.errors import ErrorCode, Forbidden, NotFound, ZhijiaoError
from zhijiao.people.models import Student
from zhijiao.spaces.contact import selectors
from zhijiao.spaces.contact.models import Message, Thread


class ContactError(ErrorCode):
    CONTACT_BODY_REQUIRED = "请填写消息内容"
    CONTACT_BODY_TOO_LONG = "消息不能超过 1000 个字"
    CONTACT_NOT_PARTNER = "只能与孩子的班主任、任课教师或本班学生的家长沟通"
    CONTACT_REASON_REQUIRED = "请写明隐藏原因"


def thread_start(*, actor: Actor, partner: str) -> Thread:
    """The thread with ``partner`` (``student_id:account_id`` from the form), created if new."""
    match = next((p for p in selectors.partners(actor=actor) if p.value == partner), None)
    if match is None:
        raise Forbidden(ContactError.CONTACT_NOT_PARTNER.message)
    student = Student.objects.get(pk=match.student_id)
    guardian_id, staff_id = (
        (actor.pk, match.account_id) if selectors.is_guardian_of(actor, student) else (match.account_id, actor.pk)
    )
    thread, _ = Thread.objects.get_or_create(
        student=student,
        guardian_id=guardian_id,
        staff_id=staff_id,
        defaults={"school_class_id": student.school_class_id},
    )
    return thread


def message_post(*, actor: Actor, thread: Thread, body: str) -> Message:
    if actor.pk not in (thread.guardian_id, thread.staff_id):
        raise Forbidden(ContactError.CONTACT_NOT_PARTNER.message)
    body = (body or "").strip()
    if not body:
        raise ZhijiaoError(ContactError.CONTACT_BODY_REQUIRED, field="内容")
    if len(body) > 1000:
        raise ZhijiaoError(ContactError.CONTACT_BODY_TOO_LONG, field="内容")
    now = timezone.now()
    with transaction.atomic():
        message = Message.objects.create(
            thread=thread, sender_id=actor.pk, body=body, created_at=now, deliver_at=selectors.deliver_time(now)
        )
        Thread.objects.filter(pk=thread.pk).update(last_at=now)
    return message


def message_hide(*, actor: Actor, message_id: int, reason: str, origin: Origin) -> Message:
    """A school administrator (or the platform) hides an abusive message; the text stays for the audit trail."""
    message = Message.objects.select_related("thread__school_class__school").filter(pk=message_id).first()
    if message is None:
        raise NotFound()
    thread = selectors.thread_get(actor=actor, thread_id=message.thread_id)  # 404 to outsiders
    if not selectors.may_moderate(actor=actor, thread=thread):
        raise Forbidden("只有学校管理员可以隐藏消息")
    reason = (reason or "").strip()
    if not reason:
        raise ZhijiaoError(ContactError.CONTACT_REASON_REQUIRED, field="隐藏原因")
    with transaction.atomic():
        message.hidden_at, message.hidden_by_id, message.hidden_reason = timezone.now(), actor.pk, reason[:200]
        message.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        audit_record(
            actor=actor, action="contact.message_hide", origin=origin, target=Target("message", str(message.pk), "")
        )
    return message
