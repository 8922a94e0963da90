"""Writing the audit log. Callers pass an :class:`Origin` describing where the action came from.

Every append goes through :func:`audit_record`, which chains the event onto the log's hash chain;
:func:`audit_prune` is the only way events leave it; :func:`audit_anchor` copies the chain's head out of the database.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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

try:
    import fcntl
except ImportError:  # not on Windows: one process there
    fcntl = None  # type: ignore[assignment]

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
    """Append one event to the audit log, chained onto the event before it; committed when this returns, unless the
    caller is inside a transaction.

    Inside the caller's transaction (``transaction.atomic``) the event is part of it: it runs in a nested
    transaction holding the chain head's lock until the caller commits, so chain order is commit order, two writers
    never chain onto the same predecessor, and a rolled-back write leaves no event behind.

    Outside one (a page or an API call that only reads and logs the view), the appends of concurrent requests of
    this process are committed together (:func:`_append_grouped`, a group commit): the event is durable — committed
    in the same way as alone — before this returns.
    """
    kwargs = _event_kwargs(actor, action, origin, target, fields)
    if not connection.in_atomic_block and settings.ZHIJIAO_AUDIT_GROUP_COMMIT:
        return _append_grouped(kwargs)
    with transaction.atomic():
        return _append_locked([kwargs])[0]


# Group commit for the appends made outside a transaction (settings.ZHIJIAO_AUDIT_GROUP_COMMIT, default on): a request
# queues its event and takes the process's writer lock; whoever gets it first (the leader) writes every queued event
# in one transaction on its own connection — one lock of the chain head, one commit — and wakes the others, whose
# events are then already committed. Nothing waits for a timer: a batch is whatever queued while the previous one was
# being written, so an idle server writes each event at once, and a busy one shares a commit between its threads
# instead of queueing them, one lock and commit each, on the database's single write lock (on SQLite each waiter
# backs off for 1, 2, 5 … 100 ms: the long tail of every audited read).
@dataclass
class _Pending:
    kwargs: dict
    event: AuditEvent | None = None
    error: BaseException | None = None


_queue: list[_Pending] = []
_queue_lock = threading.Lock()  # guards _queue
_writer = threading.Lock()  # held by the leader while it writes a batch


def _append_grouped(kwargs: dict) -> AuditEvent:
    pending = _Pending(kwargs)
    with _queue_lock:
        _queue.append(pending)
    with _writer:
        if pending.event is None and pending.error is None:  # nobody wrote it while we waited: lead
            with _queue_lock:
                batch = _queue[:]
                _queue.clear()
            try:
                _write_batch(batch)
            finally:  # interrupted (KeyboardInterrupt …): nobody may wait for an event that will never come
                for p in batch:
                    if p.event is None and p.error is None:
                        p.error = RuntimeError("audit append interrupted")
    if pending.error is not None:
        raise pending.error
    assert pending.event is not None  # the leader sets one or the other
    return pending.event


def _write_batch(batch: list[_Pending]) -> None:
    """Write ``batch`` in one transaction; should that fail, each event alone, the plain way (one bad event fails
    only its own request). Sets each entry's event or error."""
    try:
        with _writers_across_processes(), transaction.atomic():
            kwargs = [p.kwargs for p in batch]
            events = _append_sqlite_batch(kwargs) if connection.vendor == "sqlite" else _append_locked(kwargs)
        for p, event in zip(batch, events, strict=True):
            p.event = event
        return
    except Exception:  # noqa: S110  # rolled back; written one by one below, each with its own error
        pass
    for p in batch:
        try:
            with _writers_across_processes(), transaction.atomic():
                p.event = _append_locked([p.kwargs])[0]
        except Exception as exc:  # handed to the request it belongs to
            p.error = exc


_lock_files: dict[tuple[int, str], int] = {}


@contextmanager
def _writers_across_processes() -> Iterator[None]:
    """On SQLite (a file, Unix): an exclusive ``flock`` on ``<database>.audit-lock`` around a batch, so the leaders of
    several web processes (``zhijiao serve --workers``) queue in the kernel, each woken as soon as the one before it
    is done, instead of polling SQLite's write lock with growing sleeps. Elsewhere nothing: PostgreSQL queues on
    the chain head's row lock. Other writers (imports, jobs) still meet at SQLite's own lock, as before."""
    name = str(connection.settings_dict.get("NAME") or "")
    if fcntl is None or connection.vendor != "sqlite" or not name or "memory" in name or name.startswith("file:"):
        yield
        return
    key = (os.getpid(), name)  # a descriptor opened before a fork would be shared with the child: one per process
    fd = _lock_files.get(key)
    if fd is None:
        fd = _lock_files[key] = os.open(f"{name}.audit-lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _append_locked(batch: list[dict]) -> list[AuditEvent]:
    """Chain the events ``batch`` describes (``_event_kwargs``) onto the log, in order. The caller holds a
    transaction open; the head stays locked until it ends."""
    head = _chain_head_locked()
    key, prev = settings.ZHIJIAO_AUDIT_KEY, head.last_hash
    events = []
    if connection.features.can_return_columns_from_insert:
        # every unmasked view of a record writes one of these: plain statements (lock, insert returning what the
        # database holds, seal, move the head) instead of the ORM's compiled insert, select and updates
        for kwargs in batch:
            event = AuditEvent(prev_hash=prev, **kwargs)
            row = _insert_returning_content(event)
            event.hash = prev = event_digest(key, prev, row)
            events.append(event)
        _seal(events)
        return events
    for kwargs in batch:
        # insert first: the hash covers the id and the stored time, known only once the row exists
        event = AuditEvent.objects.create(prev_hash=prev, **kwargs)
        # hash what the database holds (it may normalise an IPv6 address), exactly as verification reads it
        row = AuditEvent.objects.filter(pk=event.pk).values_list(*CONTENT_FIELDS).get()
        event.hash = prev = event_digest(key, prev, row)
        AuditEvent.objects.filter(pk=event.pk).update(hash=event.hash)
        events.append(event)
    AuditChainHead.objects.filter(pk=1).update(last_id=events[-1].pk, last_hash=events[-1].hash)
    return events


# Rows per INSERT of a batch (SQLite allows 32,766 parameters a statement; 14 columns a row).
_BATCH_INSERT_ROWS = 500


def _append_sqlite_batch(batch: list[dict]) -> list[AuditEvent]:
    """:func:`_append_locked` for a group-commit batch on SQLite, in a handful of statements whatever its size:
    lock the head, read the table's last id, one multi-row ``INSERT`` of events already sealed, move the head.

    Each statement gives up Python's interpreter lock and must win it back to go on, and a busy server's other threads
    hold it for up to 5 ms each time: a batch written as two statements per event (insert returning, seal) held the
    database's write lock for tens of milliseconds. Here the ids are the next ones of the table (``AUTOINCREMENT``,
    read under the write lock, so nobody else takes them) and the time is set here, so each event's content — the
    values as bound, which SQLite stores unchanged and verification reads back through the same converters — is
    known and hashed before the insert. A collision (an id taken after all) fails the insert and rolls the batch back;
    it is then written event by event through :func:`_append_locked`.
    """
    head = _chain_head_locked()
    meta = AuditEvent._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608  # own table
            f"coalesce((SELECT max(id) FROM {table}), 0))",
            [meta.db_table],
        )
        last_id = int(cursor.fetchone()[0])
    fields = list(meta.concrete_fields)
    position = {f.attname: i for i, f in enumerate(fields)}
    content_at = [position[name] for name in CONTENT_FIELDS]
    key, prev = settings.ZHIJIAO_AUDIT_KEY, head.last_hash
    events, rows = [], []
    for offset, kwargs in enumerate(batch, start=1):
        event = AuditEvent(id=last_id + offset, prev_hash=prev, **kwargs)
        values = [f.get_db_prep_save(f.pre_save(event, True), connection) for f in fields]
        content = _CONTENT_ROW.convert([values[i] for i in content_at])
        event.at = content[CONTENT_FIELDS.index("at")]
        event.hash = prev = event_digest(key, prev, content)
        values[position["hash"]] = event.hash
        event._state.adding = False
        events.append(event)
        rows.append(values)
    columns = ", ".join(quote(f.column) for f in fields)
    one_row = f"({', '.join(['%s'] * len(fields))})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _BATCH_INSERT_ROWS):
            chunk = rows[start : start + _BATCH_INSERT_ROWS]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([one_row] * len(chunk))}",  # noqa: S608
                [value for row in chunk for value in row],
            )
        cursor.execute(
            f"UPDATE {quote(AuditChainHead._meta.db_table)} SET last_id = %s, last_hash = %s WHERE id = 1",  # noqa: S608
            [events[-1].pk, events[-1].hash],
        )
    return events


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


def _seal(events: list[AuditEvent]) -> None:
    """Store the events' hashes and make the last one the chain's head."""
    quote = connection.ops.quote_name
    table, heads = quote(AuditEvent._meta.db_table), quote(AuditChainHead._meta.db_table)
    with connection.cursor() as cursor:
        sql = f"UPDATE {table} SET hash = %s WHERE id = %s"  # noqa: S608  # the model's own table name
        if len(events) == 1:
            cursor.execute(sql, [events[0].hash, events[0].pk])
        else:
            cursor.executemany(sql, [(e.hash, e.pk) for e in events])
        last = events[-1]
        cursor.execute(f"UPDATE {heads} SET last_id = %s, last_hash = %s WHERE id = 1", [last.pk, last.hash])  # noqa: S608


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
