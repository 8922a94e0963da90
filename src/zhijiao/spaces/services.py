"""Writes of the spaces app: sending a notice (check, publish, fan out), reading, confirming, reminding."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from zhijiao.access.types import Actor
from zhijiao.core.errors import Forbidden, ZhijiaoError
from zhijiao.org.models import Division, Grade, School, SchoolClass
from zhijiao.spaces import selectors
from zhijiao.spaces.channels import channels_enabled
from zhijiao.spaces.errors import SpacesError
from zhijiao.spaces.fanout import audience_account_ids, receipts_write
from zhijiao.spaces.models import AudienceKind, Notice, NoticeReceipt, NoticeStatus, RecipientKind
from zhijiao.spaces.tasks import notice_fanout_task

# Audiences up to this size are written inline (a class, a grade: the sender sees the receipts at once); larger
# ones (a school, a district) by a Huey job, the page showing its progress.
INLINE_LIMIT = 3000

_NODE_MODELS: dict[str, type[SchoolClass] | type[Grade] | type[School] | type[Division]] = {
    AudienceKind.CLASS: SchoolClass,
    AudienceKind.GRADE: Grade,
    AudienceKind.SCHOOL: School,
    AudienceKind.DIVISION: Division,
}
_NODE_FIELDS: dict[str, str] = {
    AudienceKind.CLASS: "school_class",
    AudienceKind.GRADE: "grade",
    AudienceKind.SCHOOL: "school",
    AudienceKind.DIVISION: "division",
}


def notice_create(
    *,
    actor: Actor,
    title: str,
    body: str,
    audience_kind: str,
    node_id: int | str,
    recipients: str = RecipientKind.GUARDIANS,
    needs_confirm: bool = False,
    deadline: datetime | None = None,
    is_public: bool = False,
) -> Notice:
    """A draft notice to a node the actor may address (Forbidden otherwise: 403, the form offered only its own).
    ``is_public``: also shown on the school's or region's public page (only a notice to a school or a division;
    ignored for a class or a grade, whose notices concern named pupils)."""
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise ZhijiaoError(SpacesError.SPACES_TITLE_REQUIRED, field="标题")
    if not body:
        raise ZhijiaoError(SpacesError.SPACES_BODY_REQUIRED, field="内容")
    if audience_kind not in _NODE_MODELS or recipients not in RecipientKind.values:
        raise ZhijiaoError(SpacesError.SPACES_AUDIENCE_UNKNOWN, field="发送范围")
    model = _NODE_MODELS[audience_kind]
    related = ["school"] if model in (SchoolClass, Grade) else []
    node = (
        model.objects.select_related(*related).filter(pk=node_id).first()
        if str(node_id).isascii() and str(node_id).isdigit() and len(str(node_id)) <= 18
        else None
    )
    if node is None:
        raise ZhijiaoError(SpacesError.SPACES_AUDIENCE_UNKNOWN, field="发送范围")
    if not selectors.node_may_address(actor=actor, node=node):
        raise Forbidden(SpacesError.SPACES_NOT_ALLOWED.message)
    return Notice.objects.create(
        title=title[:100],
        body=body[:5000],
        sender_id=actor.pk,
        audience_kind=audience_kind,
        recipients=recipients,
        needs_confirm=needs_confirm,
        deadline=deadline,
        is_public=bool(is_public) and audience_kind in (AudienceKind.SCHOOL, AudienceKind.DIVISION),
        **{_NODE_FIELDS[audience_kind]: node},
    )


def notice_publish(*, actor: Actor, notice: Notice) -> Notice:
    """Publish a draft: freeze the audience and deliver one receipt per recipient account, inline for a small
    audience, else by the fan-out job after commit (``delivered_count`` shows its progress)."""
    if notice.sender_id != actor.pk:
        raise Forbidden(SpacesError.SPACES_NOT_ALLOWED.message)
    if notice.status != NoticeStatus.DRAFT:
        raise ZhijiaoError(SpacesError.SPACES_NOT_DRAFT)
    with transaction.atomic():
        notice.status = NoticeStatus.PUBLISHED
        notice.published_at = timezone.now()
        notice.recipient_count = len(audience_account_ids(notice))
        notice.save(update_fields=["status", "published_at", "recipient_count"])
        if notice.recipient_count <= INLINE_LIMIT:
            receipts_write(notice.pk)
            notice.refresh_from_db(fields=["delivered_count", "recipient_count"])
        else:
            pk = notice.pk
            transaction.on_commit(lambda: notice_fanout_task(pk))
    return notice


def notice_send(*, actor: Actor, **fields: object) -> Notice:
    """Create and publish in one step (the 发通知 form, the API, the demo)."""
    notice = notice_create(actor=actor, **fields)  # type: ignore[arg-type]
    return notice_publish(actor=actor, notice=notice)


def notice_withdraw(*, actor: Actor, notice_id: int) -> Notice:
    """The sender (or an administrator over the node) withdraws a notice: recipients no longer see it."""
    notice = selectors.notice_get(actor=actor, notice_id=notice_id)
    if notice.status != NoticeStatus.WITHDRAWN:
        notice.status, notice.withdrawn_at = NoticeStatus.WITHDRAWN, timezone.now()
        notice.save(update_fields=["status", "withdrawn_at"])
    return notice


def receipt_read(*, actor: Actor, notice_id: int) -> NoticeReceipt:
    """Mark the actor's notice read. Idempotent: the first reading time is kept. NotFound when not addressed to
    them."""
    receipt = selectors.receipt_get(actor=actor, notice_id=notice_id)
    if receipt.read_at is None:
        now = timezone.now()
        # conditional update: two tabs reading at once keep the first time
        NoticeReceipt.objects.filter(pk=receipt.pk, read_at__isnull=True).update(read_at=now)
        receipt.refresh_from_db(fields=["read_at"])
    return receipt


def receipt_confirm(*, actor: Actor, notice_id: int, reply: str = "") -> NoticeReceipt:
    """回执: confirm (and read) a notice that asks for it, with an optional short reply. Idempotent; a second
    confirmation keeps the first time and updates the reply."""
    receipt = selectors.receipt_get(actor=actor, notice_id=notice_id)
    notice = receipt.notice
    if not notice.needs_confirm:
        raise ZhijiaoError(SpacesError.SPACES_NO_CONFIRM)
    reply = (reply or "").strip()
    if len(reply) > 500:
        raise ZhijiaoError(SpacesError.SPACES_REPLY_TOO_LONG, field="留言")
    now = timezone.now()
    if receipt.confirmed_at is None and notice.deadline is not None and now > notice.deadline:
        raise ZhijiaoError(SpacesError.SPACES_DEADLINE_PASSED)
    receipt.read_at = receipt.read_at or now
    receipt.confirmed_at = receipt.confirmed_at or now
    receipt.reply = reply
    receipt.save(update_fields=["read_at", "confirmed_at", "reply"])
    return receipt


def notice_remind(*, actor: Actor, notice_id: int) -> dict[str, int]:
    """提醒未读: remind every recipient who has not read the notice, through each enabled channel (in-app, and the
    outbox for e-mail / SMS in the demo). Returns how many each channel reached."""
    notice = selectors.notice_get(actor=actor, notice_id=notice_id)
    if notice.status != NoticeStatus.PUBLISHED:
        raise ZhijiaoError(SpacesError.SPACES_NOT_PUBLISHED)
    unread = NoticeReceipt.objects.filter(notice=notice, read_at__isnull=True)
    result: dict[str, int] = {}
    with transaction.atomic():
        # outboxes first: the in-app channel's update changes nothing they select on, but keep the order stable
        for channel in sorted(channels_enabled(), key=lambda c: c.name == "inapp"):
            result[channel.label] = channel.remind(notice, unread)
    return result
