"""Reads of the audit log: who may read it, filtered lists for the page and its export, chain verification."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.access.selectors import accounts_granted_inside
from zhijiao.access.types import Actor
from zhijiao.audit.actions import FAILURE, GROUPS, SUCCESS, action_result
from zhijiao.audit.anchors import anchors_read
from zhijiao.audit.chain import CONTENT_FIELDS, GENESIS, event_digest
from zhijiao.audit.models import AuditChainHead, AuditEvent
from zhijiao.core.errors import Forbidden


def audit_read_scope(actor: Actor) -> Q | None:
    """Which events ``actor`` may read: ``Q()`` for all, a filter for part, None for none.

    三员分立: the 审计管理员 reads the log (a platform-wide one all of it; one granted at a division the events
    of accounts holding a role inside that division, including failed sign-ins to those accounts), and so does
    the platform administrator. Nobody else: region administrators, inspectors, the system and security
    administrators read no audit log here.
    """
    scope = scope_for(actor)
    if not scope.may_read_audit:
        return None
    if scope.holds_everywhere(Role.AUDIT_ADMIN):
        return Q()
    accounts = accounts_granted_inside(scope.divisions(Role.AUDIT_ADMIN))
    usernames = get_user_model().objects.filter(pk__in=accounts).values("username")
    return Q(actor_id__in=accounts) | Q(target_type="account", target_label__in=usernames)


@dataclass(frozen=True)
class AuditFilters:
    """The audit page's filters; empty values filter nothing. ``action`` is a code or ``group:<prefix>``."""

    since: date | None = None
    until: date | None = None  # inclusive: the whole day
    account: str = ""
    action: str = ""
    result: str = ""  # success, failure
    ip: str = ""
    target: str = ""

    @property
    def active(self) -> dict[str, str]:
        """The filters in use, as query parameters (for links and for the export's audit record)."""
        values = {
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            "account": self.account,
            "action": self.action,
            "result": self.result,
            "ip": self.ip,
            "target": self.target,
        }
        return {k: v for k, v in values.items() if v}


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_action_codes() -> list[str]:
    """The distinct actions in the log (an index scan on ``action``)."""
    return list(AuditEvent.objects.order_by().values_list("action", flat=True).distinct())


def audit_event_list(
    *,
    actor: Actor,
    action: str | None = None,
    target_type: str | None = None,
    filters: AuditFilters | None = None,
) -> QuerySet[AuditEvent]:
    """The audit log as ``actor`` may read it (see :func:`audit_read_scope`), newest first, filtered."""
    allowed = audit_read_scope(actor)
    if allowed is None:
        raise Forbidden()
    events = AuditEvent.objects.filter(allowed).select_related("actor")
    f = filters or AuditFilters()
    action = action or f.action
    if action.startswith("group:"):
        label = GROUPS.get(action.removeprefix("group:"))
        in_group = Q(pk__in=[])
        for prefix in (p for p, group in GROUPS.items() if group == label):
            in_group |= Q(action__startswith=f"{prefix}.")
        events = events.filter(in_group)
    elif action:
        events = events.filter(action=action)
    if target_type:
        events = events.filter(target_type=target_type)
    if f.since:
        events = events.filter(at__gte=_day_start(f.since))
    if f.until:
        events = events.filter(at__lt=_day_start(f.until + timedelta(days=1)))
    if f.account:
        events = events.filter(actor_username__icontains=f.account)
    if f.result in (SUCCESS, FAILURE):
        # the result is part of the action's name: filter on the codes that carry it (an IN on an index)
        failures = [code for code in audit_action_codes() if action_result(code) == FAILURE]
        events = events.filter(action__in=failures) if f.result == FAILURE else events.exclude(action__in=failures)
    if f.ip:
        events = events.filter(ip__startswith=f.ip)
    if f.target:
        events = events.filter(Q(target_label__icontains=f.target) | Q(target_id=f.target))
    return events.order_by("-at", "-id")


def audit_events_concerning(*, targets: list[tuple[str, str]], actions: list[str]) -> QuerySet[AuditEvent]:
    """Events of ``actions`` about any of ``targets`` ((type, id) pairs), newest first.

    No reader check here: the caller has established that its reader may know about these targets (a
    guardian reading who saw their own child's data, see ``zhijiao.privacy.selectors``).
    """
    about = Q(pk__in=[])
    for target_type, target_id in targets:
        about |= Q(target_type=target_type, target_id=target_id)
    return AuditEvent.objects.filter(about, action__in=actions).select_related("actor").order_by("-at", "-id")


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

    ``altered``: the event's content no longer matches its keyed hash. ``link``: its ``prev_hash`` is not the
    hash of the event before it, so events were deleted or inserted there. ``tail``: the newest event is
    not the one the chain head names, so events were cut off the end (or the head was touched). ``anchor``: the
    log disagrees with an anchor kept outside the database (see :func:`audit_anchors_verify`).
    One pass over ``values_list`` rows in id order; no model instances.
    """
    key = settings.ZHIJIAO_AUDIT_KEY
    head = AuditChainHead.objects.filter(pk=1).values_list("last_id", "last_hash", "anchor_id", "anchor_hash").first()
    last_id, last_hash, anchor_id, anchor_hash = head or (0, GENESIS, 0, GENESIS)
    problems: list[ChainProblem] = []
    expected_prev, previous_id = anchor_hash, anchor_id
    walked = altered = 0
    rows = AuditEvent.objects.order_by("id").values_list("prev_hash", "hash", *CONTENT_FIELDS)
    for prev_hash, stored, *content in rows.iterator(chunk_size=chunk_size):
        event_id = content[-1]
        walked += 1
        if prev_hash != expected_prev:
            where = f"#{previous_id} 与 #{event_id} 之间" if previous_id else f"#{event_id} 之前"
            problems.append(ChainProblem(event_id, "link", f"链接断裂：{where}的记录被删除或插入"))
        if event_digest(key, prev_hash, content) != stored:
            altered += 1
            problems.append(ChainProblem(event_id, "altered", f"内容与哈希不符：#{event_id} 被修改"))
        # go on from the stored hash, so one altered event is reported once, not as every later event
        expected_prev, previous_id = stored, event_id
    if walked > 1 and altered == walked:
        # not one event matches: more likely the key changed than every row was rewritten; say so first
        problems.insert(
            0,
            ChainProblem(None, "key", "所有记录都与审计密钥不符：审计密钥可能已更换或丢失，或整个日志被重写"),
        )
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
    problems += audit_anchors_verify(start_id=anchor_id, start_hash=anchor_hash, newest_id=previous_id)
    return problems


def audit_anchors_verify(*, start_id: int, start_hash: str, newest_id: int) -> list[ChainProblem]:
    """Compare the log with the anchors outside the database (:mod:`zhijiao.audit.anchors`).

    Every sealed anchor after the chain's start must name an event still in the log with the same hash: one that
    is gone was deleted (with everything after it, if the log now ends before it); one whose hash differs was
    rewritten. A line whose HMAC does not match means the anchor file itself was edited. The start itself
    (``start_id``, the last event pruned by retention) must be the one the newest ``audit.prune`` event names, so
    the oldest events cannot be cut off by moving the start.
    """
    problems: list[ChainProblem] = []
    anchors = anchors_read(settings.ZHIJIAO_AUDIT_ANCHOR_FILE, settings.ZHIJIAO_AUDIT_KEY)
    for a in anchors:
        if not a.sealed:
            problems.append(ChainProblem(None, "anchor", f"锚点文件第 {a.line} 行校验不符：锚点文件被改动"))
    sealed = [a for a in anchors if a.sealed and a.event_id >= start_id]
    stored: dict[int, str] = {}
    ids = sorted({a.event_id for a in sealed if a.event_id > start_id})
    for i in range(0, len(ids), 500):
        stored.update(AuditEvent.objects.filter(id__in=ids[i : i + 500]).values_list("id", "hash"))
    stored[start_id] = start_hash
    reported: set[int] = set()
    for a in sealed:
        if a.event_id in reported:
            continue
        found = stored.get(a.event_id)
        if found is None:
            reported.add(a.event_id)
            if a.event_id > newest_id:
                detail = f"日志比 {a.at_local} 的锚点短：锚定的 #{a.event_id} 已不存在，#{newest_id} 之后的记录被删除"
            else:
                detail = f"{a.at_local} 锚定的 #{a.event_id} 已不在日志中：该记录被删除"
            problems.append(ChainProblem(a.event_id, "anchor", detail))
        elif found != a.hash:
            reported.add(a.event_id)
            problems.append(
                ChainProblem(
                    a.event_id, "anchor", f"#{a.event_id} 与 {a.at_local} 的锚点不符：该记录被改动或日志被重写"
                )
            )
    if start_id:
        pruned_to = (
            AuditEvent.objects.filter(action="audit.prune").order_by("-id").values_list("target_id", flat=True).first()
        )
        if pruned_to != str(start_id):
            problems.append(
                ChainProblem(None, "anchor", f"链的起点 #{start_id} 没有对应的清理记录：最早的记录疑被删除")
            )
    return problems


@dataclass(frozen=True)
class ChainStatus:
    intact: bool
    checked: int  # events walked
    problems: list[ChainProblem]
    verified_at: datetime

    @property
    def first(self) -> ChainProblem | None:
        return self.problems[0] if self.problems else None


CHAIN_STATUS_KEY = "zhijiao:audit:chain-status"
# A full walk costs seconds on a log of millions: the page reuses a recent one (and says when it ran); the
# auditor can ask for a fresh one, and `zhijiao check` walks it nightly anyway.
CHAIN_STATUS_SECONDS = 300


def audit_chain_status(*, actor: Actor, fresh: bool = False) -> ChainStatus:
    """The whole chain verified, for the audit page's status box (readers of the audit log only).

    A verification younger than ``CHAIN_STATUS_SECONDS`` is reused unless ``fresh``.
    """
    if audit_read_scope(actor) is None:
        raise Forbidden()
    status: ChainStatus | None = None if fresh else cache.get(CHAIN_STATUS_KEY)
    if status is None:
        checked = AuditEvent.objects.count()
        problems = audit_chain_verify()
        status = ChainStatus(intact=not problems, checked=checked, problems=problems, verified_at=timezone.now())
        cache.set(CHAIN_STATUS_KEY, status, CHAIN_STATUS_SECONDS)
    return status
