"""Reads of the audit log: who may read it, filtered lists for the page and its export, chain verification."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone

from zhijiao.audit.actions import FAILURE, GROUPS, SUCCESS, action_result
from zhijiao.audit.chain import CONTENT_FIELDS, GENESIS, event_digest
from zhijiao.audit.models import AuditChainHead, AuditEvent
from zhijiao.core.errors import Forbidden
from zhijiao.identity.models import Account, Role, RoleGrant
from zhijiao.identity.scope import scope_for


def audit_read_scope(actor) -> Q | None:
    """Which events ``actor`` may read: ``Q()`` for all, a filter for part, None for none.

    三员分立: the 审计管理员 reads the log (a platform-wide one all of it; one granted at a division the events
    of accounts holding a role inside that division, including failed sign-ins to those accounts), and so does
    the platform administrator. Nobody else: region administrators, inspectors, the system and security
    administrators read no audit log here.
    """
    scope = scope_for(actor)
    if not scope.may_read_audit:
        return None
    grants = [g for g in scope.grants if g.role == Role.AUDIT_ADMIN]
    if scope.is_platform_admin or any(not g.division_id for g in grants):
        return Q()
    inside = Q(pk__in=[])
    for g in grants:
        code = g.division_id
        inside |= (
            Q(division__code__startswith=code)
            | Q(school__division__code__startswith=code)
            | Q(school_class__school__division__code__startswith=code)
        )
    accounts = RoleGrant.objects.filter(inside).values("account_id")
    usernames = Account.objects.filter(pk__in=accounts).values("username")
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
    actor,
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


def audit_chain_status(*, actor, fresh: bool = False) -> ChainStatus:
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
