"""Reads for the 安全管理 page (which accounts are locked out now, and the lockouts of the past days) and for
账号管理 (the accounts an administrator looks after, their status, grants and recent audit events).

The security reads are limited to the accounts the acting account may unlock
(:func:`zhijiao.access.reach.account_may_unlock`), the 账号管理 reads to those it administers
(:func:`zhijiao.access.reach.account_may_administer`); someone who may do neither sees nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone

from zhijiao.access.reach import (
    account_holds_separated_role,
    account_may_administer,
    account_may_administer_personal,
    account_may_administer_separated,
    account_may_unlock,
    account_reads_personal_data,
)
from zhijiao.access.roles import SCHOOL_GRANTABLE_ROLES, SEPARATED_ROLES, Role
from zhijiao.access.scope import scope_for
from zhijiao.access.selectors import (
    Grant,
    accounts_granted_inside,
    accounts_hand_granted_at,
    accounts_holding,
    grant_list,
    grant_nodes,
    school_grants_revocable,
)
from zhijiao.audit.models import AuditEvent
from zhijiao.core.errors import NotFound
from zhijiao.core.masking import mask_phone, mask_student_no
from zhijiao.identity.models import Account
from zhijiao.identity.twofactor import is_admin_account, totp_device_get
from zhijiao.org.models import Bureau, Division, School, SchoolClass
from zhijiao.org.selectors import class_display_name
from zhijiao.people.models import Staff, Student


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
        return scope_for(actor).holds_everywhere(Role.SECURITY_ADMIN)
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


# ------------------------------------------------------------------ 账号管理: accounts and grants for administrators

ACCOUNT_STATUSES: dict[str, str] = {"active": "启用", "disabled": "停用", "locked": "锁定", "pending": "未激活"}
_STATUS_BADGES = {"active": "green", "disabled": "red", "locked": "orange", "pending": "gray"}
PLATFORM_NODE = "none"  # the node token of a platform-wide grant
_NODE_CHOICES_LIMIT = 500


@dataclass(frozen=True)
class AdminReach:
    """Where an account administers accounts: everywhere, or the divisions of its 系统管理员/区域管理员 grants."""

    platform: bool  # a platform administrator: may also grant 平台管理员
    everywhere: bool  # every account and node (platform administrators, 系统管理员 without a node)
    divisions: tuple[str, ...]  # otherwise: accounts and nodes inside these divisions
    separated_divisions: tuple[str, ...]  # where it may grant 三员 (its 系统管理员 divisions)
    # where it may grant roles that read personal data (its 区域管理员 divisions; platform administrators anywhere)
    personal_divisions: tuple[str, ...] = ()

    def covers(self, division_code: str) -> bool:
        return self.everywhere or any(division_code.startswith(d) for d in self.divisions)

    @property
    def grants_personal(self) -> bool:
        """May it grant roles that read personal data at all? Not a 系统管理员 alone (三员分立)."""
        return self.platform or bool(self.personal_divisions)

    def covers_personal(self, division_code: str) -> bool:
        return self.platform or any(division_code.startswith(d) for d in self.personal_divisions)

    def may_grant_separated(self, division_code: str | None) -> bool:
        """三员分立 roles: only platform-wide admins (anywhere) or a 系统管理员 (at a division inside its own)."""
        if self.everywhere:
            return True
        return division_code is not None and any(division_code.startswith(d) for d in self.separated_divisions)


def admin_reach(actor: Account) -> AdminReach:
    """Where ``actor`` may administer accounts and grant roles (see :func:`scope.account_may_administer`)."""
    scope = scope_for(actor)
    return AdminReach(
        platform=scope.is_platform_admin,
        everywhere=scope.holds_everywhere(Role.SYSTEM_ADMIN),
        divisions=tuple(sorted(scope.divisions(Role.SYSTEM_ADMIN, Role.REGION_ADMIN))),
        separated_divisions=tuple(sorted(scope.divisions(Role.SYSTEM_ADMIN))),
        personal_divisions=tuple(sorted(scope.divisions(Role.REGION_ADMIN))),
    )


# ------------------------------------ 学校管理员: their school's 心理教师 (decision 0066-school-grants)


def school_staff_accounts(school_ids: Iterable[int]) -> QuerySet[Account]:
    """The accounts a 学校管理员 of ``school_ids`` looks after on 账号管理: the schools' staff in post, and whoever
    still holds a hand-made grant of a school-grantable role there (one who left keeps it until it is revoked)."""
    school_ids = list(school_ids)
    staff = Staff.objects.filter(school_id__in=school_ids, is_active=True).values("person_id")
    granted = accounts_hand_granted_at(school_ids, SCHOOL_GRANTABLE_ROLES)
    return Account.objects.filter(Q(person_id__in=staff) | Q(pk__in=granted))


def school_grant_schools(*, actor: Account, account: Account) -> list[School]:
    """The schools where ``actor`` (their 学校管理员) may give ``account`` a school-grantable role: those the account
    is a staff member of, in post. Never the actor's own account."""
    if account.pk == actor.pk or account.person_id is None:
        return []
    mine = scope_for(actor).grant_school_ids()
    if not mine:
        return []
    ids = Staff.objects.filter(person_id=account.person_id, school_id__in=mine, is_active=True).values("school_id")
    return list(School.objects.filter(pk__in=ids).order_by("name"))


def school_grant_removable(*, actor: Account, account: Account, grants: Iterable[Grant]) -> set[int]:
    """Which of ``account``'s grants ``actor`` (a 学校管理员) may revoke: hand-made grants of a school-grantable role
    on one of the actor's schools; never the actor's own."""
    if account.pk == actor.pk:
        return set()
    return school_grants_revocable(school_ids=scope_for(actor).grant_school_ids(), grants=grants)


def _locked_usernames() -> set[str]:
    since = timezone.now() - timedelta(minutes=settings.ZHIJIAO_LOCKOUT_MINUTES)
    return set(
        AccessAttempt.objects.filter(
            attempt_time__gte=since, failures_since_start__gte=settings.ZHIJIAO_LOCKOUT_ATTEMPTS
        ).values_list("username", flat=True)
    )


def account_admin_list(*, actor: Account, q: str = "", role: str = "", status: str = "") -> QuerySet[Account]:
    """账号管理: the accounts ``actor`` administers, last signed in first, searched by name, account name,
    mobile or 学籍号.

    Reach as :func:`admin_reach`: a bureau sees the accounts holding a grant inside its division; anyone who may
    not administer accounts sees none. ``status`` is a key of :data:`ACCOUNT_STATUSES`.
    """
    scope = scope_for(actor)
    if not scope.may_administer_accounts:
        if not scope.grant_school_ids():
            return Account.objects.none()
        base = school_staff_accounts(scope.grant_school_ids()).select_related("person")
        return _account_filter(base.order_by(F("last_login").desc(nulls_last=True), "username"), q, role, status)
    reach = admin_reach(actor)
    # those who signed in lately first (the accounts people ask about), then the never-used ones by name
    accounts = Account.objects.select_related("person").order_by(F("last_login").desc(nulls_last=True), "username")
    if not reach.everywhere:
        accounts = accounts.filter(pk__in=accounts_granted_inside(reach.divisions))
    return _account_filter(accounts, q, role, status)


def _account_filter(accounts: QuerySet[Account], q: str, role: str, status: str) -> QuerySet[Account]:
    if q := q.strip():
        accounts = accounts.filter(
            Q(username__icontains=q)
            | Q(display_name__icontains=q)
            | Q(person__name__icontains=q)
            | Q(mobile=q)
            | Q(person__student__student_no=q.upper())
        )
    if role in Role.values:
        accounts = accounts.filter(pk__in=accounts_holding(role))
    unusable = Q(password__startswith=UNUSABLE_PASSWORD_PREFIX)
    if status == "active":
        accounts = accounts.filter(is_active=True).exclude(unusable)
    elif status == "disabled":
        accounts = accounts.filter(is_active=False)
    elif status == "pending":
        accounts = accounts.filter(unusable, is_active=True)
    elif status == "locked":
        accounts = accounts.filter(username__in=_locked_usernames())
    return accounts


def account_status(account: Account, locked: set[str]) -> str:
    """One status for an account, the most pressing first: 停用, 锁定, 未激活, 启用."""
    if not account.is_active:
        return "disabled"
    if account.username in locked:
        return "locked"
    if not account.has_usable_password():
        return "pending"
    return "active"


@dataclass(frozen=True)
class GrantRow:
    pk: int
    role: str
    role_label: str
    node_label: str
    derived: bool


@dataclass(frozen=True)
class AccountRow:
    account: Account
    name: str
    mobile: str  # masked
    roles: list[str]
    status: str
    status_label: str
    status_badge: str


def grant_node_label(grant: Grant) -> str:
    if grant.school_class is not None:
        return f"{grant.school_class.school.name} {class_display_name(grant.school_class)}"
    if grant.school is not None:
        return grant.school.name
    if grant.division is not None:
        return f"{grant.division.name}（{grant.division_id}）"
    return "全平台"


def _grant_rows(grants: list[Grant]) -> list[GrantRow]:
    return [
        GrantRow(grant.pk, grant.role, grant.role_label, grant_node_label(grant), grant.derived)
        for grant in sorted(grants, key=lambda grant: (list(Role.values).index(grant.role), grant.pk))
    ]


def account_admin_rows(*, accounts: Iterable[Account]) -> list[AccountRow]:
    """The list's rows for one page of :func:`account_admin_list` (personal data masked)."""
    accounts = list(accounts)
    grants = grant_list(account_ids=[a.pk for a in accounts])
    roles: dict[int, list[str]] = {}
    for grant in sorted(grants, key=lambda grant: list(Role.values).index(grant.role)):
        if grant.role_label not in roles.setdefault(grant.account_id, []):
            roles[grant.account_id].append(grant.role_label)
    locked = _locked_usernames()
    rows = []
    for a in accounts:
        status = account_status(a, locked)
        rows.append(
            AccountRow(
                account=a,
                name=a.person.name if a.person else str(a),
                mobile=mask_phone(a.mobile),
                roles=roles.get(a.pk, []),
                status=status,
                status_label=ACCOUNT_STATUSES[status],
                status_badge=_STATUS_BADGES[status],
            )
        )
    return rows


def account_admin_get(*, actor: Account, username: str) -> Account:
    """An account ``actor`` administers; NotFound (404) for one outside its reach, exactly as for a missing one."""
    account = Account.objects.select_related("person").filter(username=username).first()
    scope = scope_for(actor)
    if account is None or not scope.may_open_account_admin:
        raise NotFound(detail=username)
    if scope.may_administer_accounts and account_may_administer(actor=actor, account=account):
        return account
    schools = scope.grant_school_ids()
    if not schools or not school_staff_accounts(schools).filter(pk=account.pk).exists():
        raise NotFound(detail=username)
    return account


def account_admin_may_act(*, actor: Account, account: Account) -> bool:
    """May ``actor`` change ``account`` (grants, password, 停用/启用)? It must administer the account and reach as far
    as it: an account holding a platform-wide administrative grant (or a superuser) only by those who reach
    everywhere, a 平台管理员 only by platform administrators."""
    if not account_may_administer(actor=actor, account=account):
        return False
    reach = admin_reach(actor)
    if reach.platform:
        return True
    grants = grant_nodes(account=account)
    if account.is_superuser or any(role == Role.PLATFORM_ADMIN for role, *_ in grants):
        return False
    nodeless = any(role != Role.PARENT and not any(node) for role, *node in grants)
    return reach.everywhere or not nodeless


@dataclass(frozen=True)
class AccountLimits:
    """三员分立 limits on what ``actor`` may do to an account it administers (the page greys out those buttons)."""

    separated: bool  # the account is one of the 三员 and the actor is not platform-wide: hands off entirely
    personal: bool  # the account reads personal data and the actor may not read it: no password reset, no 启用


def account_admin_limits(*, actor: Account, account: Account) -> AccountLimits:
    """See :func:`zhijiao.identity.account_admin.role_grant_add` and friends, which enforce the same rules."""
    return AccountLimits(
        separated=account_holds_separated_role(account) and not account_may_administer_separated(actor=actor),
        personal=account_reads_personal_data(account)
        and not account_may_administer_personal(actor=actor, account=account),
    )


@dataclass(frozen=True)
class AccountDetail:
    account: Account
    name: str
    mobile: str  # masked
    student_no: str  # masked
    status: str
    status_label: str
    status_badge: str
    left_registry: bool
    password_days: int | None  # days since the password was set; None: never set
    is_admin: bool
    otp_enrolled: bool
    grant_rows: list[GrantRow]
    events: list[AuditEvent]


def account_admin_detail(*, actor: Account, account: Account, events: int = 20) -> AccountDetail:
    """What 账号管理 shows about one account (from :func:`account_admin_get`): status, grants, recent audit."""
    status = account_status(account, _locked_usernames())
    changed = account.password_changed_at
    student = (
        Student.objects.filter(person_id=account.person_id).only("student_no").first() if account.person_id else None
    )
    grants = grant_list(account_ids=[account.pk])
    recent = list(
        AuditEvent.objects.filter(target_type="account", target_id=account.username).order_by("-at", "-id")[:events]
    )
    return AccountDetail(
        account=account,
        name=account.person.name if account.person else str(account),
        mobile=mask_phone(account.mobile),
        student_no=mask_student_no(student.student_no) if student else "",
        status=status,
        status_label=ACCOUNT_STATUSES[status],
        status_badge=_STATUS_BADGES[status],
        left_registry=account.left_registry_at is not None,
        password_days=(timezone.now() - changed).days if changed and account.has_usable_password() else None,
        is_admin=is_admin_account(account),
        otp_enrolled=totp_device_get(account) is not None,
        grant_rows=_grant_rows(grants),
        events=recent,
    )


@dataclass(frozen=True)
class GrantChoices:
    roles: list[tuple[str, str]]
    nodes: list[tuple[str, list[tuple[str, str]]]]  # (group label, [(token, label)])


def grant_choices(*, actor: Account, account: Account) -> GrantChoices:
    """The roles and nodes ``actor`` may grant to ``account``: nodes inside its reach (platform-wide only for those
    who reach everywhere), the classes of the schools the account already holds grants at."""
    reach = admin_reach(actor)
    separated = reach.everywhere or bool(reach.separated_divisions)
    roles = [
        (value, label)
        for value, label in Role.choices
        if (value != Role.PLATFORM_ADMIN or reach.platform)
        and (separated if value in SEPARATED_ROLES else reach.grants_personal)
    ]
    school_codes = set(School.objects.values_list("division_id", flat=True).distinct())
    used = {code[:n] for code in school_codes for n in (2, 4, 6)} | set(
        Bureau.objects.values_list("division_id", flat=True)
    )
    divisions = [
        (f"division:{d.code}", f"{d.name}（{d.code}）")
        for d in Division.objects.filter(code__in=used).order_by("code")
        if reach.covers(d.code)
    ]
    schools_q = Q() if reach.everywhere else Q(pk__in=[])
    for d in reach.divisions:
        schools_q |= Q(division__code__startswith=d)
    schools = [
        (f"school:{s.pk}", s.name)
        for s in School.objects.filter(schools_q).order_by("division_id", "name")[:_NODE_CHOICES_LIMIT]
    ]
    own_schools = {g.school_id for g in grant_list(account_ids=[account.pk])} - {None}
    classes = [
        (f"class:{c.pk}", f"{c.school.name} {class_display_name(c)}")
        for c in SchoolClass.objects.filter(school_id__in=own_schools, is_active=True).select_related("school", "grade")
        if reach.covers(c.school.division_id)
    ]
    nodes = [("全平台", [(PLATFORM_NODE, "全平台（不限区域）")])] if reach.everywhere else []
    nodes += [
        (label, items) for label, items in (("行政区划", divisions), ("学校", schools), ("班级", classes)) if items
    ]
    return GrantChoices(roles=roles, nodes=nodes)


def school_grant_choices(*, actor: Account, account: Account) -> GrantChoices | None:
    """What a 学校管理员 may grant ``account`` (a staff member of their school): the school-grantable roles, on the
    schools where the account is in post. None when there is nothing (the actor's own account, another school's)."""
    schools = school_grant_schools(actor=actor, account=account)
    if not schools:
        return None
    roles = [(value, label) for value, label in Role.choices if value in SCHOOL_GRANTABLE_ROLES]
    return GrantChoices(roles=roles, nodes=[("学校", [(f"school:{s.pk}", s.name) for s in schools])])
