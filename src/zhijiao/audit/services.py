"""Writing the audit log. Callers pass an :class:`Origin` describing where the action came from.

Every append goes through :func:`audit_record`, which chains the event onto the log's hash chain;
:func:`audit_prune` is the only way events leave it; :func:`audit_anchor` copies the chain's head out of the database.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from zhijiao.access.types import Actor
from zhijiao.audit.anchors import anchor_append, anchors_read
from zhijiao.audit.chain import CONTENT_FIELDS, event_digest
from zhijiao.audit.models import AuditChainHead, AuditEvent
from zhijiao.core.prepared import Prepared

anchor_logger = logging.getLogger("zhijiao.audit.anchor")


@dataclass(frozen=True)
class Origin:
    channel: str = "cli"  # web, api, cli, job
    ip: str | None = None
    user_agent: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest, *, channel: str = "web") -> Origin:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        ip = forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR")
        return cls(channel=channel, ip=ip or None, user_agent=request.META.get("HTTP_USER_AGENT", "")[:255])


@dataclass(frozen=True)
class Target:
    type: str
    id: str
    label: str = ""


def audit_record(
    *,
    actor: Actor | None,
    action: str,
    origin: Origin,
    target: Target | None = None,
    fields: Sequence[str] = (),
) -> AuditEvent:
    """Append one event to the audit log, chained onto the event before it.

    Runs in its own (nested) transaction holding the chain head's lock until the caller commits, so
    chain order is commit order and two writers never chain onto the same predecessor.
    """
    with transaction.atomic():
        head = _chain_head_locked()
        if connection.features.can_return_columns_from_insert:
            # every unmasked view of a record writes one of these: four plain statements (lock, insert returning what
            # the database holds, seal, move the head) instead of the ORM's compiled insert, select and updates
            event = AuditEvent(prev_hash=head.last_hash, **_event_kwargs(actor, action, origin, target, fields))
            row = _insert_returning_content(event)
            event.hash = event_digest(settings.ZHIJIAO_AUDIT_KEY, head.last_hash, row)
            _seal(event.pk, event.hash)
            return event
        # insert first: the hash covers the id and the stored time, known only once the row exists
        event = AuditEvent.objects.create(
            prev_hash=head.last_hash, **_event_kwargs(actor, action, origin, target, fields)
        )
        # hash what the database holds (it may normalise an IPv6 address), exactly as verification reads it
        row = AuditEvent.objects.filter(pk=event.pk).values_list(*CONTENT_FIELDS).get()
        event.hash = event_digest(settings.ZHIJIAO_AUDIT_KEY, head.last_hash, row)
        AuditEvent.objects.filter(pk=event.pk).update(hash=event.hash)
        AuditChainHead.objects.filter(pk=1).update(last_id=event.pk, last_hash=event.hash)
    return event


# The content columns as verification reads them (``values_list(*CONTENT_FIELDS)``): their converters turn the row an
# INSERT … RETURNING gives into the same Python values.
_CONTENT_ROW = Prepared(lambda pk: AuditEvent.objects.filter(pk=pk).values_list(*CONTENT_FIELDS), pk=int)


def _insert_returning_content(event: AuditEvent) -> tuple:
    """Insert ``event`` (its ``at`` set now, as ``auto_now_add`` does) and return its content as stored, in
    :data:`CONTENT_FIELDS` order; sets the event's id and time."""
    meta = AuditEvent._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    columns = {f.attname: f.column for f in meta.concrete_fields}  # CONTENT_FIELDS name attributes (actor_id, id)
    values = [f.get_db_prep_save(f.pre_save(event, True), connection) for f in fields]
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608  # model's own names
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"RETURNING {', '.join(quote(columns[name]) for name in CONTENT_FIELDS)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        stored = cursor.fetchone()
    row = _CONTENT_ROW.convert(stored)
    content = dict(zip(CONTENT_FIELDS, row, strict=True))
    event.pk, event.at = content["id"], content["at"]
    event._state.adding = False
    return row


def _seal(event_id: int, event_hash: str) -> None:
    """Store the event's hash and make it the chain's head."""
    quote = connection.ops.quote_name
    events, heads = quote(AuditEvent._meta.db_table), quote(AuditChainHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {events} SET hash = %s WHERE id = %s", [event_hash, event_id])  # noqa: S608
        cursor.execute(f"UPDATE {heads} SET last_id = %s, last_hash = %s WHERE id = 1", [event_id, event_hash])  # noqa: S608


def audit_prune(*, now: datetime | None = None) -> int:
    """Delete events older than ``ZHIJIAO_AUDIT_RETENTION_DAYS``; return how many went.

    Only a prefix of the chain goes (every event before the first one still within retention, so a clock
    step back never removes a young event), the last removed event's hash becomes the chain's anchor and
    the pruning is itself recorded as ``audit.prune``: verification starts from the anchor.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.ZHIJIAO_AUDIT_RETENTION_DAYS)
    with transaction.atomic():
        head = _chain_head_locked()
        kept = AuditEvent.objects.filter(at__gte=cutoff).order_by("id").values_list("id", flat=True).first()
        doomed = AuditEvent.objects.filter(id__lt=kept) if kept is not None else AuditEvent.objects.all()
        anchor = doomed.order_by("-id").values_list("id", "hash").first()
        if anchor is None:
            return 0
        anchor_id, anchor_hash = anchor
        deleted, _ = AuditEvent.objects.filter(id__lte=anchor_id).delete()
        AuditChainHead.objects.filter(pk=head.pk).update(anchor_id=anchor_id, anchor_hash=anchor_hash)
        audit_record(
            actor=None,
            action="audit.prune",
            origin=Origin(channel="job"),
            target=Target("audit_event", str(anchor_id), f"删除 {deleted} 条早于 {cutoff:%Y-%m-%d} 的审计日志"),
        )
    return deleted


def audit_anchor(*, now: datetime | None = None) -> str | None:
    """Append the chain's head to the anchor file (and the ``zhijiao.audit.anchor`` log) if it moved since the last
    anchor; return the line written, or None when the head is already anchored.

    Called by a periodic job and by ``zhijiao check`` after the chain verified: a later truncation of the log is
    then caught down to the last anchoring.
    """
    head = AuditChainHead.objects.filter(pk=1).values_list("last_id", "last_hash").first()
    if head is None or head[0] == 0:
        return None
    path, key = settings.ZHIJIAO_AUDIT_ANCHOR_FILE, settings.ZHIJIAO_AUDIT_KEY
    anchors = anchors_read(path, key)
    if anchors and (anchors[-1].event_id, anchors[-1].hash) == head:
        return None
    line = anchor_append(path, key, event_id=head[0], head_hash=head[1], at=now or timezone.now())
    anchor_logger.info("审计日志锚点：%s", line)
    return line


def _chain_head_locked() -> AuditChainHead:
    """The chain head, locked until the surrounding transaction ends (the caller must be inside one)."""
    if connection.features.has_select_for_update:
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    else:
        # SQLite: a write takes the database's write lock (as feed_allocate's UPDATE does); RETURNING reads the row
        # in the same statement (one round trip less on every audited request)
        table = connection.ops.quote_name(AuditChainHead._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET last_id = last_id WHERE id = 1 "  # noqa: S608  # the model's own table name
                "RETURNING id, last_id, last_hash, anchor_id, anchor_hash"
            )
            row = cursor.fetchone()
        head = None
        if row is not None:
            head = AuditChainHead(id=row[0], last_id=row[1], last_hash=row[2], anchor_id=row[3], anchor_hash=row[4])
    if head is None:  # a database flushed since its migration (tests with transactional_db)
        AuditChainHead.objects.get_or_create(pk=1)
        return _chain_head_locked()
    return head


def _event_kwargs(actor, action: str, origin: Origin, target: Target | None, fields: Sequence[str]) -> dict:
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return {
        "actor": actor if authenticated else None,
        "actor_username": actor.get_username() if authenticated else "",
        "action": action,
        "target_type": target.type if target else "",
        "target_id": target.id if target else "",
        "target_label": (target.label if target else "")[:128],
        "fields": list(fields),
        "ip": origin.ip,
        "user_agent": origin.user_agent,
        "channel": origin.channel,
    }
