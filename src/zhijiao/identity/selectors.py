"""Reads for the 安全管理 page: which accounts are locked out now, and the lockouts of the past days.

Both are limited to the accounts the acting account may unlock (:func:`zhijiao.identity.scope.account_may_unlock`);
someone who may not manage security sees nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone

from zhijiao.audit.models import AuditEvent
from zhijiao.identity.models import Account, Role
from zhijiao.identity.scope import account_may_unlock, scope_for


@dataclass(frozen=True)
class LockedAccount:
    username: str
    display_name: str
    failures: int
    last_attempt: datetime
    ip: str | None
    unlocks_at: datetime


@dataclass(frozen=True)
class RecentLockout:
    at: datetime
    username: str
    display_name: str
    ip: str | None
    still_locked: bool


def _names(usernames: set[str]) -> dict[str, Account]:
    return {a.username: a for a in Account.objects.filter(username__in=usernames)}


def _visible(actor: Account, account: Account | None) -> bool:
    # A username nobody holds (someone guessing names) concerns only the platform-wide security administrators.
    if account is None:
        return scope_for(actor).is_platform_admin or any(
            g.role == Role.SECURITY_ADMIN and not g.division_id for g in scope_for(actor).grants
        )
    return account_may_unlock(actor=actor, account=account)


def lockouts_current(*, actor: Account) -> list[LockedAccount]:
    """Accounts locked out now (``ZHIJIAO_LOCKOUT_ATTEMPTS`` failures within the cool-off), newest first."""
    if not scope_for(actor).may_manage_security:
        return []
    cooloff = timedelta(minutes=settings.ZHIJIAO_LOCKOUT_MINUTES)
    since = timezone.now() - cooloff
    rows = list(
        AccessAttempt.objects.filter(attempt_time__gte=since, username__isnull=False)
        .values("username")
        .annotate(failures=Max("failures_since_start"), last=Max("attempt_time"), n=Count("id"))
        .filter(failures__gte=settings.ZHIJIAO_LOCKOUT_ATTEMPTS)
        .order_by("-last")
    )
    accounts = _names({r["username"] for r in rows})
    ips = dict(
        AccessAttempt.objects.filter(username__in=[r["username"] for r in rows])
        .order_by("attempt_time")
        .values_list("username", "ip_address")
    )
    locked = []
    for r in rows:
        account = accounts.get(r["username"])
        if not _visible(actor, account):
            continue
        locked.append(
            LockedAccount(
                username=r["username"],
                display_name=str(account) if account else "（无此账号）",
                failures=r["failures"],
                last_attempt=r["last"],
                ip=ips.get(r["username"]),
                unlocks_at=r["last"] + cooloff,
            )
        )
    return locked


def lockouts_recent(*, actor: Account, days: int = 7, limit: int = 50) -> list[RecentLockout]:
    """Lockouts of the last ``days`` days from the audit log (``auth.lockout``), newest first."""
    if not scope_for(actor).may_manage_security:
        return []
    events = list(
        AuditEvent.objects.filter(action="auth.lockout", at__gte=timezone.now() - timedelta(days=days)).order_by(
            "-at", "-id"
        )[: limit * 4]  # some may fall outside the actor's reach
    )
    accounts = _names({e.target_label for e in events})
    now_locked = {row.username for row in lockouts_current(actor=actor)}
    recent = []
    for e in events:
        account = accounts.get(e.target_label)
        if not _visible(actor, account):
            continue
        recent.append(
            RecentLockout(
                at=e.at,
                username=e.target_label,
                display_name=str(account) if account else "（无此账号）",
                ip=e.ip,
                still_locked=e.target_label in now_locked,
            )
        )
        if len(recent) == limit:
            break
    return recent


def lockout_alert_count(*, actor: Account) -> int:
    """How many accounts the actor could unlock are locked out now (the banner on their home page)."""
    return len(lockouts_current(actor=actor))
