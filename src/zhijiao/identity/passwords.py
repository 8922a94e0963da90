"""Password policy (GB/T 22239 level 3) as Django password validators.

Listed in ``AUTH_PASSWORD_VALIDATORS`` after Django's own length, common-password and numeric checks, so
every path that sets a password through ``validate_password`` (the change page, ``createadmin``,
:func:`zhijiao.identity.services.account_password_change`) applies them.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from pypinyin import lazy_pinyin

from zhijiao.identity.errors import IdentityError
from zhijiao.identity.models import PasswordHistory

HISTORY_DEPTH = 5
# Shorter account names (``s1``) would forbid nearly every password that happens to contain them.
_MIN_NAME_LENGTH = 3


def _error(error: IdentityError, **fmt: Any) -> ValidationError:
    return ValidationError(error.message.format(**fmt), code=error.code)


def character_classes(password: str) -> int:
    """How many of upper case, lower case, digits and symbols (anything else) the password uses."""
    return sum(
        (
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


class ComplexityValidator:
    """At least ``min_classes`` of the four character classes (length is MinimumLengthValidator's job)."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.min_classes:
            raise _error(IdentityError.IDENTITY_PASSWORD_CLASSES)

    def get_help_text(self) -> str:
        return IdentityError.IDENTITY_PASSWORD_CLASSES.message


def _names(user: Any) -> list[str]:
    person = getattr(user, "person", None) if getattr(user, "person_id", None) else None
    names = [getattr(person, "name", ""), getattr(user, "display_name", "")]
    return [n for n in dict.fromkeys(n.strip() for n in names if n) if n]


def _pinyin(name: str) -> str:
    return re.sub(r"[^a-z]", "", "".join(lazy_pinyin(name)).lower())


class PersonalInfoValidator:
    """No account name, no name or its pinyin, no birth date (YYYYMMDD, YYMMDD, MMDD) inside the password."""

    def validate(self, password: str, user: Any = None) -> None:
        if user is None:
            return
        lowered = password.lower()
        errors: list[ValidationError] = []
        username = (getattr(user, "username", "") or "").lower()
        if len(username) >= _MIN_NAME_LENGTH and username in lowered:
            errors.append(_error(IdentityError.IDENTITY_PASSWORD_USERNAME))
        for name in _names(user):
            spelled = _pinyin(name)
            if name in password or (len(spelled) >= _MIN_NAME_LENGTH and spelled in lowered):
                errors.append(_error(IdentityError.IDENTITY_PASSWORD_PINYIN))
                break
        person = getattr(user, "person", None) if getattr(user, "person_id", None) else None
        born = getattr(person, "birth_date", None)
        if born and any(f in password for f in (f"{born:%Y%m%d}", f"{born:%y%m%d}", f"{born:%m%d}")):
            errors.append(_error(IdentityError.IDENTITY_PASSWORD_BIRTH))
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return "密码不能包含账号名、姓名或姓名拼音、出生日期"


class HistoryValidator:
    """Not the current password nor any of the last ``depth`` ones set through the password service."""

    def __init__(self, depth: int = HISTORY_DEPTH) -> None:
        self.depth = depth

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        hashes = list(
            PasswordHistory.objects.filter(account_id=user.pk)
            .order_by("-at", "-pk")
            .values_list("hash", flat=True)[: self.depth]
        )
        if user.password and user.has_usable_password():
            hashes.insert(0, user.password)
        if any(check_password(password, encoded) for encoded in dict.fromkeys(hashes)):
            raise _error(IdentityError.IDENTITY_PASSWORD_REUSED, count=self.depth)

    def get_help_text(self) -> str:
        return IdentityError.IDENTITY_PASSWORD_REUSED.message.format(count=self.depth)
