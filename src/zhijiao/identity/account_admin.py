"""账号管理: administrators grant and revoke hand-made roles, reset passwords and disable or enable accounts.

Every action is audited (``grant.add``, ``grant.remove``, ``account.password_reset``, ``account.disable``,
``account.enable``); a refusal is audited too, as ``<action>_denied``. Who reaches which account is decided in
``identity.selectors`` (``admin_reach``, ``account_admin_may_act``).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from zhijiao.access.reach import (
    account_holds_separated_role,
    account_may_administer,
    account_may_administer_personal,
    account_may_administer_separated,
    account_reads_personal_data,
)
from zhijiao.access.roles import SCHOOL_GRANTABLE_ROLES, SEPARATED_ROLES, Role
from zhijiao.access.scope import scope_for
from zhijiao.access.selectors import Grant, grant_get, grant_nodes
from zhijiao.access.services import grant_delete
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.identity.errors import AccountAdminError, IdentityError
from zhijiao.identity.models import Account
from zhijiao.identity.provisioning import sessions_end
from zhijiao.identity.selectors import (
    PLATFORM_NODE,
    account_admin_may_act,
    admin_reach,
    school_grant_schools,
)
from zhijiao.identity.services import account_password_change, role_grant
from zhijiao.org.models import Division, School, SchoolClass
from zhijiao.org.selectors import class_display_name


@dataclass(frozen=True)
class GrantNode:
    division: Division | None = None
    school: School | None = None
    school_class: SchoolClass | None = None

    @property
    def division_code(self) -> str | None:
        """The division the node lies in (a school's or class's district); None for platform-wide."""
        if self.division is not None:
            return self.division.code
        if self.school is not None:
            return self.school.division_id
        if self.school_class is not None:
            return self.school_class.school.division_id
        return None

    @property
    def label(self) -> str:
        if self.school_class is not None:
            return f"{self.school_class.school.name} {class_display_name(self.school_class)}"
        if self.school is not None:
            return self.school.name
        if self.division is not None:
            return self.division.name
        return "全平台"


def grant_node_parse(token: str) -> GrantNode:
    """A node token from the grant form: ``none`` (platform-wide), ``division:CODE``, ``school:ID``, ``class:ID``."""
    kind, _, key = token.strip().partition(":")
    node: GrantNode | None = None
    if kind == PLATFORM_NODE and not key:
        node = GrantNode()
    elif kind == "division":
        division = Division.objects.filter(pk=key).first()
        node = GrantNode(division=division) if division else None
    elif kind == "school" and key.isdigit():
        school = School.objects.filter(pk=int(key)).first()
        node = GrantNode(school=school) if school else None
    elif kind == "class" and key.isdigit():
        school_class = SchoolClass.objects.select_related("school", "grade").filter(pk=int(key)).first()
        node = GrantNode(school_class=school_class) if school_class else None
    if node is None:
        raise NotFound(detail=token)
    return node


def _account_target(account: Account, what: str = "") -> Target:
    label = f"{account.username}（{account}）" + (f"：{what}" if what else "")
    return Target("account", account.username, label[:128])


@contextmanager
def _refusals_audited(action: str, *, actor: Account, target: Target, origin: Origin | None) -> Iterator[None]:
    """Record a refused attempt as ``<action>_denied`` (with the reason) and re-raise. Used outside the action's
    transaction, so the record survives the rollback."""
    try:
        yield
    except ZhijiaoError as exc:
        reason = f"{target.label}；{exc.message}"[:128]
        audit_record(
            actor=actor,
            action=f"{action}_denied",
            origin=origin or Origin(channel="web"),
            target=Target(target.type, target.id, reason),
        )
        raise


def _outranks_check(*, actor: Account, account: Account) -> None:
    """Raise unless ``actor`` may change ``account`` (:func:`zhijiao.identity.selectors.account_admin_may_act`)."""
    if not account_may_administer(actor=actor, account=account):
        raise NotFound(detail=account.username)
    if not account_admin_may_act(actor=actor, account=account):
        raise ZhijiaoError(AccountAdminError.IDENTITY_ACCOUNT_OUTRANKS, status=403)


def _separation_check(*, actor: Account, account: Account, takes_over: bool = False) -> None:
    """三员分立, checked before anything else an administrator does to an account:

    * nobody acts on their own account here (changing one's own password is 修改密码, not a reset);
    * an account holding a 三员 role is changed only platform-wide (platform administrators, a 系统管理员 without a
      node): a bureau or a division's 系统管理员 cannot disable, reset or strip the people who check it;
    * ``takes_over`` (a password reset, re-enabling): an account that reads personal data only by those who may
      read that data themselves (platform administrators, the bureau over it), never by a 系统管理员.
    """
    if account.pk == actor.pk:
        raise ZhijiaoError(AccountAdminError.IDENTITY_ACCOUNT_SELF, status=403)
    if not account_may_administer(actor=actor, account=account):
        raise NotFound(detail=account.username)
    if account_holds_separated_role(account) and not account_may_administer_separated(actor=actor):
        raise ZhijiaoError(AccountAdminError.IDENTITY_ACCOUNT_SEPARATED, status=403)
    if (
        takes_over
        and account_reads_personal_data(account)
        and not account_may_administer_personal(actor=actor, account=account)
    ):
        raise ZhijiaoError(AccountAdminError.IDENTITY_ACCOUNT_PERSONAL_DATA, status=403)


def _grant_allowed_check(*, actor: Account, role: str, node: GrantNode) -> None:
    """May ``actor`` give (or take back) ``role`` on ``node``? See :class:`zhijiao.identity.selectors.AdminReach`.

    三员 roles come from a 系统管理员 or the platform; every other role reads personal data and comes from a bureau
    inside its division or from the platform, never from a 系统管理员 alone.
    """
    reach = admin_reach(actor)
    code = node.division_code
    if role == Role.PLATFORM_ADMIN and not reach.platform:
        raise ZhijiaoError(AccountAdminError.IDENTITY_GRANT_PLATFORM, status=403)
    if role in SEPARATED_ROLES:
        if not reach.may_grant_separated(code):
            raise ZhijiaoError(AccountAdminError.IDENTITY_GRANT_SEPARATED, status=403)
        return
    if not reach.grants_personal:
        raise ZhijiaoError(AccountAdminError.IDENTITY_GRANT_PERSONAL_DATA, status=403)
    if code is None and not reach.platform:
        raise ZhijiaoError(AccountAdminError.IDENTITY_GRANT_PLATFORM, status=403)
    if code is not None and not reach.covers_personal(code):
        raise ZhijiaoError(AccountAdminError.IDENTITY_GRANT_OUT_OF_REACH, detail=node.label, status=403)


def _by_school_admin(actor: Account, account: Account) -> bool:
    """Is this a 学校管理员's grant (or revocation) rather than an account administrator's? Those who administer the
    account keep their own rules; a 学校管理员 who does not is held to :func:`_school_grant_check`."""
    if account_may_administer(actor=actor, account=account):
        return False
    return bool(scope_for(actor).grant_school_ids())


def _school_grant_check(*, actor: Account, account: Account, role: str, node: GrantNode, adding: bool) -> None:
    """A 学校管理员 gives (or takes back) a school-grantable role (心理教师) on their own school, to one of its staff
    in post, never to themselves nor to one of the 三员 or a platform-wide administrator; nothing else
    (decision 0066-school-grants)."""
    if account.pk == actor.pk:
        raise ZhijiaoError(AccountAdminError.IDENTITY_ACCOUNT_SELF, status=403)
    if role not in SCHOOL_GRANTABLE_ROLES:
        raise ZhijiaoError(AccountAdminError.IDENTITY_GRANT_SCHOOL_ROLE, status=403)
    if node.school is None or node.school.pk not in scope_for(actor).grant_school_ids():
        raise ZhijiaoError(AccountAdminError.IDENTITY_GRANT_OUT_OF_REACH, detail=node.label, status=403)
    if account_holds_separated_role(account):
        raise ZhijiaoError(AccountAdminError.IDENTITY_ACCOUNT_SEPARATED, status=403)
    if account.is_superuser or any(not any(place) for r, *place in grant_nodes(account=account) if r != Role.PARENT):
        raise ZhijiaoError(AccountAdminError.IDENTITY_ACCOUNT_OUTRANKS, status=403)
    if adding and node.school not in school_grant_schools(actor=actor, account=account):
        raise ZhijiaoError(AccountAdminError.IDENTITY_GRANT_NOT_STAFF, status=403)


def role_grant_add(
    *, actor: Account, account: Account, role: str, node: GrantNode, origin: Origin | None = None
) -> Grant:
    """账号管理: grant ``role`` on ``node`` by hand (``derived`` False: account provisioning never removes it).

    The actor must administer the account and reach the node: a bureau grants inside its division and no 三员 or
    platform roles; 三员 (at most one per account) only platform-wide or at a division, by a 系统管理员 or platform
    administrator. A 学校管理员 grants 心理教师 on their own school to its staff (:func:`_school_grant_check`).
    Audited as ``grant.add``; a refusal as ``grant.add_denied``.
    """
    label = f"{Role(role).label if role in Role.values else role} @ {node.label}"
    with _refusals_audited("grant.add", actor=actor, target=_account_target(account, label), origin=origin):
        if role not in Role.values:
            raise ZhijiaoError(IdentityError.IDENTITY_GRANT_NODE, detail=role)
        school_admin = _by_school_admin(actor, account)
        if school_admin:
            _school_grant_check(actor=actor, account=account, role=role, node=node, adding=True)
        else:
            _separation_check(actor=actor, account=account)
        with transaction.atomic():
            if not school_admin:
                _outranks_check(actor=actor, account=account)
                _grant_allowed_check(actor=actor, role=role, node=node)
            grant = role_grant(
                account=account,
                role=role,
                division=node.division,
                school=node.school,
                school_class=node.school_class,
            )
            audit_record(
                actor=actor,
                action="grant.add",
                origin=origin or Origin(channel="web"),
                target=_account_target(account, label),
            )
    return grant


def role_grant_remove(*, actor: Account, account: Account, grant_id: int, origin: Origin | None = None) -> None:
    """账号管理: take back a grant given by hand. Derived grants follow the registry and cannot be removed here;
    nobody revokes their own grants; a 学校管理员 only the school-grantable roles on their school. Audited as
    ``grant.remove``; a refusal as ``grant.remove_denied``."""
    grant = grant_get(account=account, grant_id=grant_id)
    if grant is None:
        raise NotFound(detail=str(grant_id))
    node = GrantNode(division=grant.division, school=grant.school, school_class=grant.school_class)
    label = f"{Role(grant.role).label} @ {node.label}"
    with _refusals_audited("grant.remove", actor=actor, target=_account_target(account, label), origin=origin):
        if grant.derived:
            raise ZhijiaoError(AccountAdminError.IDENTITY_GRANT_DERIVED)
        school_admin = _by_school_admin(actor, account)
        if school_admin:
            _school_grant_check(actor=actor, account=account, role=grant.role, node=node, adding=False)
        else:
            _separation_check(actor=actor, account=account)
        with transaction.atomic():
            if not school_admin:
                _outranks_check(actor=actor, account=account)
                _grant_allowed_check(actor=actor, role=grant.role, node=node)
            grant_delete(grant=grant)
            audit_record(
                actor=actor,
                action="grant.remove",
                origin=origin or Origin(channel="web"),
                target=_account_target(account, label),
            )


_TEMPORARY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"  # no 0/O, 1/l/I: read aloud


def temporary_password(account: Account) -> str:
    """A random 14-character password that meets the policy for ``account`` (four character classes; a draw that
    happens to spell the account's name or its pinyin is drawn again)."""
    problems: list[str] = []
    for _ in range(20):  # a policy no draw can meet (say, a minimum length over 14) must not loop forever
        body = "".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(11))
        password = f"{body[:5]}-{body[5:]}{secrets.choice('23456789')}{secrets.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}"
        try:
            validate_password(password, user=account)
        except ValidationError as exc:
            problems = exc.messages
            continue
        return password
    raise ZhijiaoError(IdentityError.IDENTITY_PASSWORD_POLICY, detail="；".join(problems))


def account_password_reset(*, actor: Account, account: Account, origin: Origin | None = None) -> str:
    """账号管理: give the account a temporary password (returned once, never stored in the clear), which it must
    change at its next sign-in; its sessions and SSO tokens end. Audited as ``account.password_reset``."""
    with _refusals_audited("account.password_reset", actor=actor, target=_account_target(account), origin=origin):
        if account.pk == actor.pk:
            raise ZhijiaoError(
                AccountAdminError.IDENTITY_ACCOUNT_SELF, detail="请在“修改密码”中修改自己的密码", status=403
            )
        _separation_check(actor=actor, account=account, takes_over=True)
        with transaction.atomic():
            _outranks_check(actor=actor, account=account)
            password = temporary_password(account)
            account_password_change(
                actor=actor,
                account=account,
                new_password=password,
                origin=origin or Origin(channel="web"),
                action="account.password_reset",
            )
    sessions_end([account.pk])
    return password


def account_disable(*, actor: Account, account: Account, origin: Origin | None = None) -> Account:
    """账号管理: 停用 an account: it can no longer sign in, its sessions and SSO tokens end. Audited as
    ``account.disable``."""
    with _refusals_audited("account.disable", actor=actor, target=_account_target(account), origin=origin):
        _separation_check(actor=actor, account=account)
        with transaction.atomic():
            _outranks_check(actor=actor, account=account)
            account.is_active = False
            account.save(update_fields=["is_active"])
            audit_record(
                actor=actor,
                action="account.disable",
                origin=origin or Origin(channel="web"),
                target=_account_target(account),
            )
    sessions_end([account.pk])
    return account


def account_enable(*, actor: Account, account: Account, origin: Origin | None = None) -> Account:
    """账号管理: 启用 an account an administrator disabled. One that provisioning closed because its person left
    the registry is refused: it reopens when the registry shows the person back. Audited as ``account.enable``."""
    with _refusals_audited("account.enable", actor=actor, target=_account_target(account), origin=origin):
        if account.left_registry_at is not None and not account.is_active:
            raise ZhijiaoError(AccountAdminError.IDENTITY_ACCOUNT_LEFT_REGISTRY)
        _separation_check(actor=actor, account=account, takes_over=True)
        with transaction.atomic():
            _outranks_check(actor=actor, account=account)
            account.is_active = True
            account.save(update_fields=["is_active"])
            audit_record(
                actor=actor,
                action="account.enable",
                origin=origin or Origin(channel="web"),
                target=_account_target(account),
            )
    return account
