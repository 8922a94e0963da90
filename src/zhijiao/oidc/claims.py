"""What an app learns about a person, scope by scope (data minimisation: nothing a granted scope does not cover).

``openid`` gives only ``sub``; ``profile`` the name; ``roles`` the role grants; ``school`` the school and class
of a pupil or teacher; ``phone`` the mobile number when there is one. Each scope's claims are computed only
when the scope was granted, so an app without ``school`` costs no school query either.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.identity.models import Account
from zhijiao.oidc.models import Subject
from zhijiao.people.models import Staff, Student

# The claims each scope releases, as advertised in discovery (claims_supported) and shown on the consent screen.
SCOPE_CLAIMS: dict[str, tuple[str, ...]] = {
    "openid": ("sub",),
    "profile": ("name", "preferred_username"),
    "roles": ("roles",),
    "school": ("school_code", "school_name", "class"),
    "phone": ("phone_number",),
}
# Always in an ID token (never in userinfo's scope filter): see validators.ZhijiaoValidator.
SESSION_CLAIMS = ("iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "sid", "acr", "amr", "jti")


def subject_for(account: Account) -> str:
    """The account's ``sub``, created on first use."""
    subject, _ = Subject.objects.get_or_create(account=account)
    return str(subject.sub)


def account_for_subject(sub: str) -> Account | None:
    subject = Subject.objects.filter(sub=sub).select_related("account").first() if _is_uuid(sub) else None
    return subject.account if subject else None


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _profile(account: Account) -> dict:
    person = account.person
    name = (person.name if person else "") or account.display_name or account.get_username()
    return {"name": name, "preferred_username": account.get_username()}


def _roles(account: Account) -> dict:
    roles = []
    for place in scope_for(account).places:
        item = {"role": place.role, "role_label": Role(place.role).label}
        if place.school_class is not None and place.school is not None:
            item |= {
                "scope_type": "class",
                "scope_code": str(place.school_class.pk),
                "scope_name": f"{place.school.name}{place.school_class.name}",
            }
        elif place.school is not None:
            item |= {"scope_type": "school", "scope_code": place.school.code, "scope_name": place.school.name}
        elif place.division is not None:
            item |= {"scope_type": "division", "scope_code": place.division.code, "scope_name": place.division.name}
        else:
            item |= {"scope_type": "platform", "scope_code": "", "scope_name": "全平台"}
        roles.append(item)
    return {"roles": roles}


def _school(account: Account) -> dict:
    """A pupil's school and class; a teacher's school (and the class they head, if any). Others have none."""
    if not account.person_id:
        return {}
    student = Student.objects.filter(person_id=account.person_id).select_related("school", "school_class").first()
    if student is not None:
        claims: dict[str, object] = {"school_code": student.school.code, "school_name": student.school.name}
        if student.school_class is not None:
            claims["class"] = {"id": str(student.school_class.pk), "name": student.school_class.name}
        return claims
    post = (
        Staff.objects.filter(person_id=account.person_id, school__isnull=False)
        .select_related("school")
        .order_by("pk")
        .first()
    )
    if post is None or post.school is None:
        return {}
    claims = {"school_code": post.school.code, "school_name": post.school.name}
    headed = post.head_of_classes.order_by("pk").first()
    if headed is not None:
        claims["class"] = {"id": str(headed.pk), "name": headed.name}
    return claims


def _phone(account: Account) -> dict:
    phone = account.person.phone if account.person_id and account.person else ""
    return {"phone_number": phone} if phone else {}


_BUILDERS: dict[str, Callable[[Account], dict]] = {
    "openid": lambda account: {"sub": subject_for(account)},
    "profile": _profile,
    "roles": _roles,
    "school": _school,
    "phone": _phone,
}


def claims_for(*, account: Account, scopes: Iterable[str]) -> dict:
    """The claims the granted ``scopes`` release about ``account``; ``sub`` always (OpenID Connect requires it)."""
    granted = set(scopes)
    claims: dict = {"sub": subject_for(account)}
    for scope, build in _BUILDERS.items():
        if scope in granted and scope != "openid":
            claims.update(build(account))
    return claims


def supported_claims() -> list[str]:
    return [claim for claims in SCOPE_CLAIMS.values() for claim in claims] + ["sid", "auth_time", "acr", "amr"]
