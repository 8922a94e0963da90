"""Accounts, role grants and API tokens."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from axes.utils import reset as axes_reset
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhijiao.access.reach import (
    account_holds_separated_role,
    account_may_administer,
    account_may_reset_separated_otp,
    account_may_unlock,
    account_roles,
)
from zhijiao.access.roles import NODE_KINDS, SEPARATED_ROLES, Role
from zhijiao.access.scope import scope_for
from zhijiao.access.selectors import Grant
from zhijiao.access.services import grant_ensure
from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.errors import Forbidden, NotFound, ZhijiaoError
from zhijiao.core.prepared import Prepared
from zhijiao.core.scope_labels import api_scope_titles
from zhijiao.identity.errors import AccountAdminError, ApiScopeError, IdentityError
from zhijiao.identity.models import Account, ApiToken, PasswordHistory, token_digest
from zhijiao.identity.passwords import HISTORY_DEPTH
from zhijiao.identity.twofactor import DEVICE_NAME, token_is_valid, totp_checker, totp_device_get, totp_key_from_secret
from zhijiao.org.models import Division, School, SchoolClass
from zhijiao.people.models import Person

# Which kind of node each role is granted on. Students and parents carry their class for context;
# what they see comes from their own student record and guardianships.


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
    subject: str = "",
) -> Grant:
    """Grant a role on one node; the node kind must fit the role (``subject``: a 教研员's subject code).

    三员分立: one account holds at most one of 系统管理员, 安全管理员 and 审计管理员 (IDENTITY_SEPARATION_OF_DUTIES).
    """
    kind = "division" if division else "school" if school else "class" if school_class else "none"
    if sum(x is not None for x in (division, school, school_class)) > 1 or kind not in NODE_KINDS[Role(role)]:
        raise ZhijiaoError(IdentityError.IDENTITY_GRANT_NODE, detail=f"{Role(role).label}/{kind}")
    if role in SEPARATED_ROLES:
        held = account_roles(account) & SEPARATED_ROLES
        if held - {role}:
            raise ZhijiaoError(
                IdentityError.IDENTITY_SEPARATION_OF_DUTIES,
                field="角色",
                detail=f"{account.username} 已是{'、'.join(Role(r).label for r in sorted(held))}",
            )
    return grant_ensure(
        account_id=account.pk, role=role, division=division, school=school, school_class=school_class, subject=subject
    )


# What a bearer token may do, beyond acting as its account (whose role grants still decide *which* records).
# Tokens issued before scopes existed have an empty list and keep the old behaviour: registry reads only.
API_SCOPES: dict[str, str] = api_scope_titles()  # {scope: title}, from core.scope_labels
DEFAULT_SCOPES: tuple[str, ...] = ("registry:read",)
# Scopes a browser session holds when its account manages registry data (platform, region or school admins).
_DATA_MANAGER_SCOPES = frozenset({"exchange:push", "exchange:pull"})


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


# How stale ``ApiToken.last_used_at`` may get: a busy client would otherwise write the token's row (and, on SQLite,
# take the database's only write lock) on every request.
TOKEN_USE_RECORD_SECONDS = 60


# Compiled once (zhijiao.core.prepared): the lookup runs on every bearer request.
_LIVE_TOKEN: Prepared[ApiToken] = Prepared(
    lambda digest: ApiToken.objects.select_related("account").filter(
        digest=digest, revoked=False, account__is_active=True
    )[:1],
    digest=str,
)


def api_token_get(raw: str) -> ApiToken | None:
    """The live token for a raw bearer value (with its account), or None. Records when it was last used, to the
    minute (``TOKEN_USE_RECORD_SECONDS``).

    The lookup is by the SHA-256 digest of the raw value (an indexed equality on a 256-bit token: nothing to learn
    from its timing); no slow password hash is needed for a random 32-byte secret."""
    token = _LIVE_TOKEN.first(digest=token_digest(raw))
    if token is None:
        return None
    now = timezone.now()
    if token.expires_at and token.expires_at <= now:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= TOKEN_USE_RECORD_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_token_scopes(token: ApiToken) -> set[str]:
    """What a token may do; a token from before scopes existed (empty list) reads the registry only."""
    return set(token.scopes or DEFAULT_SCOPES)


def api_scope_allows(*, actor: Actor, token: ApiToken | None, scope: str) -> bool:
    """May this caller use ``scope``? Bearer clients need it on their token; browser sessions need to manage
    registry data for the exchange scopes (reading the registry is open to every signed-in account)."""
    if scope not in API_SCOPES:
        raise ValueError(f"unknown scope {scope}")
    if token is not None:
        return scope in api_token_scopes(token)
    if scope in _DATA_MANAGER_SCOPES:
        return scope_for(actor).manages_data
    return True


def api_scope_require(*, actor: Actor, token: ApiToken | None, scope: str) -> None:
    """Raise 403 (IDENTITY_SCOPE_MISSING) unless the caller holds ``scope``."""
    if not api_scope_allows(actor=actor, token=token, scope=scope):
        raise ZhijiaoError(
            ApiScopeError.IDENTITY_SCOPE_MISSING, detail=f"需要 {scope}：{API_SCOPES[scope]}", status=403
        )


def api_request_scope_require(*, request: Any, scope: str) -> None:
    """Raise 403 unless the caller of an authenticated API request holds ``scope``, however it signed in.

    An API token needs the scope on the token (``request.api_token``, set by the bearer auth); an OIDC access
    token needs it among its granted scopes (``request.oauth_scopes``, set by ``zhijiao.oidc.api_auth``); a
    browser session follows :func:`api_scope_allows`. For endpoints that need more than their router's scope.
    """
    granted = getattr(request, "oauth_scopes", None)
    if granted is not None:
        if scope not in API_SCOPES:
            raise ValueError(f"unknown scope {scope}")
        if scope not in granted:
            raise ZhijiaoError(
                ApiScopeError.IDENTITY_SCOPE_MISSING, detail=f"需要 {scope}：{API_SCOPES[scope]}", status=403
            )
        return
    api_scope_require(actor=request.user, token=getattr(request, "api_token", None), scope=scope)


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


def _otp_reset_check(*, actor: Account, account: Account) -> None:
    """三员分立: nobody resets their own authenticator here, and a 三员 account's only platform-wide."""
    if account.pk == actor.pk:
        raise ZhijiaoError(AccountAdminError.IDENTITY_ACCOUNT_SELF, status=403)
    if account_holds_separated_role(account) and not account_may_reset_separated_otp(actor=actor):
        raise ZhijiaoError(AccountAdminError.IDENTITY_OTP_SEPARATED, status=403)


def totp_reset(*, actor: Account | None, username: str, origin: Origin | None = None) -> int:
    """Remove an account's authenticator (a lost phone): its next sign-in goes through enrolment again.

    ``actor`` None is the operator (``zhijiao manage otp_reset``); otherwise those who may unlock the account, never
    their own, and a 三员 account's only platform-wide (:func:`zhijiao.access.reach.account_may_reset_separated_otp`).
    Returns how many devices were removed; audited as ``auth.otp_reset``, a refusal as ``auth.otp_reset_denied``.
    """
    account = _account_for_admin(actor=actor, username=username, may=account_may_unlock)
    if actor is not None:
        try:
            _otp_reset_check(actor=actor, account=account)
        except ZhijiaoError as exc:
            audit_record(
                actor=actor,
                action="auth.otp_reset_denied",
                origin=origin or Origin(channel="web"),
                target=Target("account", account.username, f"{account.username}；{exc.message}"[:128]),
            )
            raise
    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user=account).delete()
        _audit_otp("auth.otp_reset", actor=actor, account=account, origin=origin)
    return removed
