"""Who may act on which account: the reach of the account administrators (三员分立, decision 0001 addendum)."""

from __future__ import annotations

from zhijiao.access.models import RoleGrant
from zhijiao.access.roles import PERSONAL_DATA_ROLES, SEPARATED_ROLES, Role
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor


def _grant_division_codes(account: Actor) -> set[str]:
    """The division codes of the nodes an account holds grants on (a class or school counts as its district)."""
    codes: set[str] = set()
    grants = RoleGrant.objects.filter(account_id=account.pk).select_related("school", "school_class__school")
    for g in grants:
        if g.division_id:
            codes.add(g.division_id)
        elif g.school is not None:
            codes.add(g.school.division_id)
        elif g.school_class is not None:
            codes.add(g.school_class.school.division_id)
    return codes


def _reaches(*, actor: Actor, account: Actor, roles: set[str]) -> bool:
    """Does one of the actor's grants in ``roles`` cover the account? A grant without a node covers every account;
    one at a division the accounts granted inside it. Platform administrators reach every account."""
    scope = scope_for(actor)
    if scope.is_platform_admin:
        return True
    grants = [g for g in scope.grants if g.role in roles]
    if any(not (g.division_id or g.school_id or g.school_class_id) for g in grants):
        return True
    divisions = [g.division_id for g in grants if g.division_id]
    if not divisions:
        return False
    return any(code.startswith(d) for code in _grant_division_codes(account) for d in divisions)


def account_may_administer(*, actor: Actor, account: Actor) -> bool:
    """Accounts and their passwords: platform administrators every account; a 系统管理员 or a bureau (区域管理员)
    those granted inside its division (a 系统管理员 without a node: every account)."""
    return _reaches(actor=actor, account=account, roles={Role.SYSTEM_ADMIN, Role.REGION_ADMIN})


def account_may_unlock(*, actor: Actor, account: Actor) -> bool:
    """Lockouts and authenticators (三员分立): platform administrators every account; a 安全管理员 those granted
    inside its division (without a node: every account). Bureaus (区域管理员) no longer unlock: that is security."""
    return _reaches(actor=actor, account=account, roles={Role.SECURITY_ADMIN})


def account_roles(account: Actor) -> set[str]:
    """The roles an account holds (any node)."""
    return set(RoleGrant.objects.filter(account_id=account.pk).values_list("role", flat=True))


def account_reads_personal_data(account: Actor) -> bool:
    """Does the account hold a role that reads personal data (anything but the 三员), or is it a superuser?"""
    return bool(account.is_superuser) or bool(account_roles(account) & PERSONAL_DATA_ROLES)


def account_holds_separated_role(account: Actor) -> bool:
    """Is the account one of the 三员 (系统管理员, 安全管理员, 审计管理员)?"""
    return bool(account_roles(account) & SEPARATED_ROLES)


def account_may_administer_personal(*, actor: Actor, account: Actor) -> bool:
    """May ``actor`` take over (reset the password of, re-enable) an account that reads personal data? Only those who
    may read that data themselves: platform administrators, and a bureau (区域管理员) whose division covers the
    account's grants. A 系统管理员 may not: it would sign in as the account and read what 三员分立 keeps from it."""
    return _reaches(actor=actor, account=account, roles={Role.REGION_ADMIN})


def _platform_wide(actor: Actor, role: str) -> bool:
    return scope_for(actor).holds_everywhere(role)


def account_may_administer_separated(*, actor: Actor) -> bool:
    """Accounts holding a 三员 role are changed (grants, password, 停用/启用) only platform-wide: by platform
    administrators or a 系统管理员 without a node. A bureau or a division's 系统管理员 may not strip or take over
    the people who administer, secure and audit it."""
    return _platform_wide(actor, Role.SYSTEM_ADMIN)


def account_may_reset_separated_otp(*, actor: Actor) -> bool:
    """The authenticator of a 三员 account is reset only by platform administrators or a 安全管理员 without a node."""
    return _platform_wide(actor, Role.SECURITY_ADMIN)
