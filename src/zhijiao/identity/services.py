"""Accounts, role grants and API tokens."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from axes.utils import reset as axes_reset
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.errors import ErrorCode, Forbidden, NotFound, ZhijiaoError
from zhijiao.identity.errors import IdentityError
from zhijiao.identity.models import Account, ApiToken, PasswordHistory, Role, RoleGrant, token_digest
from zhijiao.identity.passwords import HISTORY_DEPTH
from zhijiao.identity.provisioning import _sessions_end as sessions_end
from zhijiao.identity.scope import SEPARATED_ROLES, account_may_administer, account_may_unlock, scope_for
from zhijiao.identity.selectors import PLATFORM_NODE, account_admin_may_act, admin_reach
from zhijiao.identity.twofactor import DEVICE_NAME, token_is_valid, totp_checker, totp_device_get, totp_key_from_secret
from zhijiao.org.models import Division, School, SchoolClass
from zhijiao.people.models import Person

# Which kind of node each role is granted on. Students and parents carry their class for context;
# what they see comes from their own student record and guardianships.
_NODE_KINDS: dict[str, set[str]] = {
    Role.PLATFORM_ADMIN: {"none"},
    Role.REGION_ADMIN: {"division"},
    Role.INSPECTOR: {"division", "school"},
    Role.SCHOOL_ADMIN: {"school"},
    Role.TEACHER: {"school"},
    Role.HEAD_TEACHER: {"class"},
    Role.STUDENT: {"class", "school"},
    Role.PARENT: {"class", "school", "none"},
    # 三员分立: platform-wide or for one division's part of the platform.
    Role.SYSTEM_ADMIN: {"none", "division"},
    Role.SECURITY_ADMIN: {"none", "division"},
    Role.AUDIT_ADMIN: {"none", "division"},
}


def account_create(
    *,
    username: str,
    password: str | None,
    person: Person | None = None,
    display_name: str = "",
    is_superuser: bool = False,
) -> Account:
    if Account.objects.filter(username=username).exists():
        raise ZhijiaoError(IdentityError.IDENTITY_USERNAME_TAKEN, field="账号", detail=username)
    account = Account(
        username=username,
        person=person,
        display_name=display_name or (person.name if person else ""),
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    if password:
        account.set_password(password)
        account.password_changed_at = timezone.now()
    else:
        account.set_unusable_password()
    account.save()
    return account


def role_grant(
    *,
    account: Account,
    role: Role | str,
    division: Division | None = None,
    school: School | None = None,
    school_class: SchoolClass | None = None,
) -> RoleGrant:
    """Grant a role on one node; the node kind must fit the role.

    三员分立: one account holds at most one of 系统管理员, 安全管理员 and 审计管理员 (IDENTITY_SEPARATION_OF_DUTIES).
    """
    kind = "division" if division else "school" if school else "class" if school_class else "none"
    if sum(x is not None for x in (division, school, school_class)) > 1 or kind not in _NODE_KINDS[Role(role)]:
        raise ZhijiaoError(IdentityError.IDENTITY_GRANT_NODE, detail=f"{Role(role).label}/{kind}")
    if role in SEPARATED_ROLES:
        held = set(RoleGrant.objects.filter(account=account, role__in=SEPARATED_ROLES).values_list("role", flat=True))
        if held - {role}:
            raise ZhijiaoError(
                IdentityError.IDENTITY_SEPARATION_OF_DUTIES,
                field="角色",
                detail=f"{account.username} 已是{'、'.join(Role(r).label for r in sorted(held))}",
            )
    grant, _ = RoleGrant.objects.get_or_create(
        account=account, role=role, division=division, school=school, school_class=school_class
    )
    return grant


# What a bearer token may do, beyond acting as its account (whose role grants still decide *which* records).
# Tokens issued before scopes existed have an empty list and keep the old behaviour: registry reads only.
API_SCOPES: dict[str, str] = {
    "registry:read": "读取学校、班级、学生与教职工名册",
    "exchange:push": "通过数据交换接口推送记录（导入）",
    "exchange:pull": "通过数据交换接口拉取变更",
}
DEFAULT_SCOPES: tuple[str, ...] = ("registry:read",)
# Scopes a browser session holds when its account manages registry data (platform, region or school admins).
_DATA_MANAGER_SCOPES = frozenset({"exchange:push", "exchange:pull"})


class ApiScopeError(ErrorCode):
    # TODO(lead): move into identity/errors.py (kept here because this change may not touch that file).
    IDENTITY_SCOPE_UNKNOWN = "未知的API权限范围"
    IDENTITY_SCOPE_MISSING = "当前令牌或账号没有此接口所需的权限范围"


def api_scopes_normalise(scopes: Iterable[str] | None) -> list[str]:
    """Known scopes in a stable order; None gives the default. Unknown names raise ZhijiaoError."""
    wanted = list(DEFAULT_SCOPES) if scopes is None else [s.strip() for s in scopes if s and s.strip()]
    unknown = [s for s in wanted if s not in API_SCOPES]
    if unknown:
        raise ZhijiaoError(
            ApiScopeError.IDENTITY_SCOPE_UNKNOWN, detail=f"{'、'.join(unknown)}（可选：{'、'.join(API_SCOPES)}）"
        )
    return [s for s in API_SCOPES if s in wanted]


@transaction.atomic
def api_token_create(
    *, account: Account, name: str, expires_at: datetime | None = None, scopes: Iterable[str] | None = None
) -> tuple[ApiToken, str]:
    """Issue a bearer token; the raw value is returned once and never stored.

    ``scopes`` are names from :data:`API_SCOPES` (default: ``registry:read``).
    """
    raw = "zj_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        account=account,
        name=name,
        prefix=raw[:8],
        digest=token_digest(raw),
        expires_at=expires_at,
        scopes=api_scopes_normalise(scopes),
    )
    return token, raw


def api_token_get(raw: str) -> ApiToken | None:
    """The live token for a raw bearer value (with its account), or None. Records when it was last used."""
    token = (
        ApiToken.objects.select_related("account")
        .filter(digest=token_digest(raw), revoked=False, account__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.expires_at and token.expires_at <= now:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def api_token_authenticate(raw: str) -> Account | None:
    """The account a bearer token acts for, or None. Records when the token was last used."""
    token = api_token_get(raw)
    return token.account if token else None


def api_token_scopes(token: ApiToken) -> set[str]:
    """What a token may do; a token from before scopes existed (empty list) reads the registry only."""
    return set(token.scopes or DEFAULT_SCOPES)


def api_scope_allows(*, actor: Any, token: ApiToken | None, scope: str) -> bool:
    """May this caller use ``scope``? Bearer clients need it on their token; browser sessions need to manage
    registry data for the exchange scopes (reading the registry is open to every signed-in account)."""
    if scope not in API_SCOPES:
        raise ValueError(f"unknown scope {scope}")
    if token is not None:
        return scope in api_token_scopes(token)
    if scope in _DATA_MANAGER_SCOPES:
        return scope_for(actor).manages_data
    return True


def api_scope_require(*, actor: Any, token: ApiToken | None, scope: str) -> None:
    """Raise 403 (IDENTITY_SCOPE_MISSING) unless the caller holds ``scope``."""
    if not api_scope_allows(actor=actor, token=token, scope=scope):
        raise ZhijiaoError(
            ApiScopeError.IDENTITY_SCOPE_MISSING, detail=f"需要 {scope}：{API_SCOPES[scope]}", status=403
        )


# ------------------------------------------------------------------ protection: lockout, passwords


def _account_for_admin(*, actor: Account | None, username: str, may=account_may_administer) -> Account:
    account = Account.objects.filter(username=username).first()
    if actor is None:  # the operator on the server (CLI)
        if account is None:
            raise NotFound(detail=username)
        return account
    if account is None or not may(actor=actor, account=account):
        raise NotFound(detail=username)  # accounts outside the actor's reach look the same as missing ones
    return account


@transaction.atomic
def account_unlock(*, actor: Account | None, username: str, origin: Origin | None = None) -> int:
    """Lift a login lockout (django-axes) before its cool-off ends; returns how many attempt records were cleared.

    ``actor`` None is the operator on the server (``zhijiao manage unlock``); otherwise see
    :func:`account_may_unlock`. Audited as ``auth.unlock``.
    """
    account = _account_for_admin(actor=actor, username=username, may=account_may_unlock)
    cleared = axes_reset(username=account.username)
    audit_record(
        actor=actor,
        action="auth.unlock",
        origin=origin or Origin(channel="cli"),
        target=Target("account", account.username, account.username),
    )
    return cleared


@transaction.atomic
def account_password_change(
    *,
    actor: Account | None,
    account: Account,
    new_password: str,
    origin: Origin | None = None,
    action: str = "auth.password_change",
) -> Account:
    """Set a new password after checking the policy (``AUTH_PASSWORD_VALIDATORS``, incl. the last 5 passwords).

    The account changing its own password clears ``must_change_password``; an administrator (or the operator,
    ``actor`` None) resetting someone else's sets it, so the account chooses its own at the next login.
    The new hash joins the password history; audited as ``action`` (``auth.password_change``; an administrator's
    reset from 账号管理 is ``account.password_reset``).
    """
    own = actor is not None and actor.pk == account.pk
    if actor is not None and not own and not account_may_administer(actor=actor, account=account):
        raise Forbidden(account.username)
    try:
        validate_password(new_password, user=account)
    except ValidationError as exc:
        raise ZhijiaoError(IdentityError.IDENTITY_PASSWORD_POLICY, detail="；".join(exc.messages)) from exc
    account.set_password(new_password)
    account.must_change_password = not own
    account.password_changed_at = timezone.now()
    account.save(update_fields=["password", "must_change_password", "password_changed_at"])
    PasswordHistory.objects.create(account=account, hash=account.password)
    stale = PasswordHistory.objects.filter(account=account).order_by("-at", "-pk").values_list("pk", flat=True)
    PasswordHistory.objects.filter(pk__in=list(stale[HISTORY_DEPTH:])).delete()
    audit_record(
        actor=actor,
        action=action,
        origin=origin or Origin(channel="cli"),
        target=Target("account", account.username, account.username),
    )
    return account


# ------------------------------------------------------------------ two-factor (TOTP) for administrators


def _audit_otp(action: str, *, actor: Account | None, account: Account, origin: Origin | None) -> None:
    audit_record(
        actor=actor,
        action=action,
        origin=origin or Origin(channel="cli"),
        target=Target("account", account.username, account.username),
    )


@transaction.atomic
def totp_device_provision(*, actor: Account | None, account: Account, secret: str | None = None) -> TOTPDevice:
    """Give an account a confirmed TOTP device without the enrolment page (the demo, the operator's CLI).

    ``secret`` is a base32 key (a random one when None). Any earlier devices of the account are replaced.
    Audited as ``auth.otp_enrol``.
    """
    TOTPDevice.objects.filter(user=account).delete()
    device = TOTPDevice(user=account, name=DEVICE_NAME, confirmed=True)
    if secret:
        device.key = totp_key_from_secret(secret)
    device.save()
    _audit_otp("auth.otp_enrol", actor=actor, account=account, origin=None)
    return device


@transaction.atomic
def totp_enrol(*, account: Account, key: str, token: str, origin: Origin | None = None) -> TOTPDevice | None:
    """Enrol the authenticator an administrator has just scanned: ``key`` (hex) is the secret shown to them,
    ``token`` the code their app shows now. Returns the new confirmed device, or None when the code is wrong.

    The code cannot be used again for the sign-in it completes. Audited as ``auth.otp_enrol``.
    """
    checker = totp_checker(key)
    if not token_is_valid(checker, token):
        return None
    TOTPDevice.objects.filter(user=account).delete()
    device = TOTPDevice.objects.create(
        user=account, name=DEVICE_NAME, key=key, confirmed=True, last_t=checker.t(), drift=checker.drift
    )
    _audit_otp("auth.otp_enrol", actor=account, account=account, origin=origin)
    return device


@transaction.atomic
def totp_verify(*, account: Account, token: str, origin: Origin | None = None) -> TOTPDevice | None:
    """Check an administrator's code against their device; the device on success, else None.

    Audited as ``auth.otp_verify`` or ``auth.otp_failed``. Counting failures towards the lockout is the login
    view's part (it reports them to django-axes as failed logins).
    """
    device = totp_device_get(account)
    ok = device is not None and token.strip().isdigit() and device.verify_token(token.strip())
    _audit_otp(
        "auth.otp_verify" if ok else "auth.otp_failed", actor=account if ok else None, account=account, origin=origin
    )
    return device if ok else None


@transaction.atomic
def totp_reset(*, actor: Account | None, username: str, origin: Origin | None = None) -> int:
    """Remove an account's authenticator (a lost phone): its next sign-in goes through enrolment again.

    ``actor`` None is the operator (``zhijiao manage otp_reset``); otherwise those who may unlock the account.
    Returns how many devices were removed; audited as ``auth.otp_reset``.
    """
    account = _account_for_admin(actor=actor, username=username, may=account_may_unlock)
    removed, _ = TOTPDevice.objects.filter(user=account).delete()
    _audit_otp("auth.otp_reset", actor=actor, account=account, origin=origin)
    return removed


# ------------------------------------------------------------------ 账号管理: grants, password resets, disabling


class AccountAdminError(ErrorCode):
    # TODO(lead): move into identity/errors.py (kept here because this change may not touch that file).
    IDENTITY_GRANT_OUT_OF_REACH = "只能在您管理的区域内授权"
    IDENTITY_GRANT_PLATFORM = "全平台授权和平台管理员角色只能由平台级管理员授予"
    IDENTITY_GRANT_SEPARATED = (
        "系统管理员、安全管理员、审计管理员只能由系统管理员或平台管理员授予，且只能授予全平台或行政区划"
    )
    IDENTITY_GRANT_DERIVED = "该授权由登记信息生成，随学籍、任职、任课或监护关系自动变化，不能手工撤销"
    IDENTITY_ACCOUNT_OUTRANKS = "该账号持有全平台的管理角色，超出您的管理权限"
    IDENTITY_ACCOUNT_SELF = "不能对自己的账号执行此操作"
    IDENTITY_ACCOUNT_LEFT_REGISTRY = (
        "该账号因本人已离校或离岗由系统自动停用；请在学籍或人事登记中恢复其在校/在岗状态，账号将随之自动启用"
    )


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
            return f"{self.school_class.school.name} {self.school_class.name}"
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
        school_class = SchoolClass.objects.select_related("school").filter(pk=int(key)).first()
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


def _grant_allowed_check(*, actor: Account, role: str, node: GrantNode) -> None:
    """May ``actor`` give (or take back) ``role`` on ``node``? See :class:`zhijiao.identity.selectors.AdminReach`."""
    reach = admin_reach(actor)
    code = node.division_code
    if role == Role.PLATFORM_ADMIN and not reach.platform:
        raise ZhijiaoError(AccountAdminError.IDENTITY_GRANT_PLATFORM, status=403)
    if role in SEPARATED_ROLES:
        if not reach.may_grant_separated(code):
            raise ZhijiaoError(AccountAdminError.IDENTITY_GRANT_SEPARATED, status=403)
        return
    if code is None and not reach.everywhere:
        raise ZhijiaoError(AccountAdminError.IDENTITY_GRANT_PLATFORM, status=403)
    if code is not None and not reach.covers(code):
        raise ZhijiaoError(AccountAdminError.IDENTITY_GRANT_OUT_OF_REACH, detail=node.label, status=403)


def role_grant_add(
    *, actor: Account, account: Account, role: str, node: GrantNode, origin: Origin | None = None
) -> RoleGrant:
    """账号管理: grant ``role`` on ``node`` by hand (``derived`` False: account provisioning never removes it).

    The actor must administer the account and reach the node: a bureau grants inside its division and no 三员 or
    platform roles; 三员 (at most one per account) only platform-wide or at a division, by a 系统管理员 or platform
    administrator. Audited as ``grant.add``; a refusal as ``grant.add_denied``.
    """
    label = f"{Role(role).label if role in Role.values else role} @ {node.label}"
    with _refusals_audited("grant.add", actor=actor, target=_account_target(account, label), origin=origin):
        if role not in Role.values:
            raise ZhijiaoError(IdentityError.IDENTITY_GRANT_NODE, detail=role)
        with transaction.atomic():
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
    nobody revokes their own grants. Audited as ``grant.remove``; a refusal as ``grant.remove_denied``."""
    grant = (
        RoleGrant.objects.select_related("division", "school", "school_class__school")
        .filter(pk=grant_id, account=account)
        .first()
    )
    if grant is None:
        raise NotFound(detail=str(grant_id))
    node = GrantNode(division=grant.division, school=grant.school, school_class=grant.school_class)
    label = f"{Role(grant.role).label} @ {node.label}"
    with _refusals_audited("grant.remove", actor=actor, target=_account_target(account, label), origin=origin):
        if grant.derived:
            raise ZhijiaoError(AccountAdminError.IDENTITY_GRANT_DERIVED)
        if account.pk == actor.pk:
            raise ZhijiaoError(AccountAdminError.IDENTITY_ACCOUNT_SELF, status=403)
        with transaction.atomic():
            _outranks_check(actor=actor, account=account)
            _grant_allowed_check(actor=actor, role=grant.role, node=node)
            grant.delete()
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
        if account.pk == actor.pk:
            raise ZhijiaoError(AccountAdminError.IDENTITY_ACCOUNT_SELF, status=403)
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
