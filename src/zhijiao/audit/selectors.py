from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from zhijiao.audit.chain import CONTENT_FIELDS, GENESIS, event_digest
from zhijiao.audit.models import AuditChainHead, AuditEvent
from zhijiao.core.errors import Forbidden
from zhijiao.identity.scope import scope_for


def audit_event_list(*, actor, action: str | None = None, target_type: str | None = None) -> QuerySet[AuditEvent]:
    """The audit log: platform administrators only."""
    scope = scope_for(actor)
    events = AuditEvent.objects.select_related("actor")
    if not scope.is_platform_admin:
        raise Forbidden()
    if action:
        events = events.filter(action=action)
    if target_type:
        events = events.filter(target_type=target_type)
    return events


@dataclass(frozen=True)
class ChainProblem:
    event_id: int | None  # None: the chain head itself
    kind: str  # altered, link, tail
    detail: str


def audit_chain_head() -> tuple[int, str]:
    """The newest event's id and hash (0 and the genesis hash for an empty log): a value worth copying out."""
    head = AuditChainHead.objects.filter(pk=1).values_list("last_id", "last_hash").first()
    return head or (0, GENESIS)


def audit_chain_verify(*, chunk_size: int = 5000) -> list[ChainProblem]:
    """Walk the audit log's hash chain from its anchor; return every place it does not hold (empty: intact).

    ``altered``: the event's content no longer matches its hash. ``link``: its ``prev_hash`` is not the
    hash of the event before it, so events were deleted or inserted there. ``tail``: the newest event is
    not the one the chain head names, so events were cut off the end (or the head was touched).
    One pass over ``values_list`` rows in id order; no model instances.
    """
    head = AuditChainHead.objects.filter(pk=1).values_list("last_id", "last_hash", "anchor_id", "anchor_hash").first()
    last_id, last_hash, anchor_id, anchor_hash = head or (0, GENESIS, 0, GENESIS)
    problems: list[ChainProblem] = []
    expected_prev, previous_id = anchor_hash, anchor_id
    rows = AuditEvent.objects.order_by("id").values_list("prev_hash", "hash", *CONTENT_FIELDS)
    for prev_hash, stored, *content in rows.iterator(chunk_size=chunk_size):
        event_id = content[-1]
        if prev_hash != expected_prev:
            where = f"#{previous_id} 与 #{event_id} 之间" if previous_id else f"#{event_id} 之前"
            problems.append(ChainProblem(event_id, "link", f"链接断裂：{where}的记录被删除或插入"))
        if event_digest(prev_hash, content) != stored:
            problems.append(ChainProblem(event_id, "altered", f"内容与哈希不符：#{event_id} 被修改"))
        # go on from the stored hash, so one altered event is reported once, not as every later event
        expected_prev, previous_id = stored, event_id
    if head is None and previous_id:
        problems.append(ChainProblem(None, "tail", "审计链头缺失"))
    elif head is not None and (previous_id, expected_prev) != (last_id, last_hash):
        problems.append(
            ChainProblem(
                previous_id or None,
                "tail",
                f"最新记录应为 #{last_id}，实为 #{previous_id}：末尾的记录被删除，或链头被改动",
            )
        )
    return problems
