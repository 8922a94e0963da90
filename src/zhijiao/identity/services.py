"""Accounts, role grants and API tokens."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from zhijiao.core.errors import ZhijiaoError
from zhijiao.identity.errors import IdentityError
from zhijiao.identity.models import Account, ApiToken, Role, RoleGrant, token_digest
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
    """Grant a role on one node; the node kind must fit the role."""
    kind = "division" if division else "school" if school else "class" if school_class else "none"
    if sum(x is not None for x in (division, school, school_class)) > 1 or kind not in _NODE_KINDS[Role(role)]:
        raise ZhijiaoError(IdentityError.IDENTITY_GRANT_NODE, detail=f"{Role(role).label}/{kind}")
    grant, _ = RoleGrant.objects.get_or_create(
        account=account, role=role, division=division, school=school, school_class=school_class
    )
    return grant


@transaction.atomic
def api_token_create(*, account: Account, name: str, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """Issue a bearer token; the raw value is returned once and never stored."""
    raw = "zj_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        account=account, name=name, prefix=raw[:8], digest=token_digest(raw), expires_at=expires_at
    )
    return token, raw


def api_token_authenticate(raw: str) -> Account | None:
    """The account a bearer token acts for, or None. Records when the token was last used."""
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
    return token.account
