"""What a person may type as their login name: the account name, their mobile number or their 学籍号.

One typed identifier resolves to at most one account, or to none: a mobile number shared by two active
accounts (siblings registered with a parent's phone) logs nobody in, so no one signs in as someone else.
"""

from __future__ import annotations

import re

from zhijiao.identity.models import Account
from zhijiao.people.models import Student

_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_NON_DIGITS = re.compile(r"[^0-9]")
_NON_ALNUM = re.compile(r"[^0-9A-Za-z]")


def mobile_normalise(raw: str | None) -> str:
    """An 11-digit mainland mobile number from what a registry or a person wrote (``+86 139-0000-0000``), or ""."""
    digits = _NON_DIGITS.sub("", raw or "")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits if _MOBILE.match(digits) else ""


def student_no_normalise(raw: str) -> str:
    """学籍号 as stored: upper case, no spaces (``g4201…`` → ``G4201…``)."""
    return _NON_ALNUM.sub("", raw or "").upper()


def account_for_identifier(identifier: str) -> Account | None:
    """The one account an identifier names, or None (unknown or ambiguous).

    In order: the account name exactly; a mobile number held by exactly one active account; a 学籍号.
    """
    typed = (identifier or "").strip()
    if not typed:
        return None
    account = Account.objects.filter(username=typed).first()
    if account is not None:
        return account
    mobile = mobile_normalise(typed)
    if mobile and len(typed) <= 20:
        holders = list(Account.objects.filter(mobile=mobile, is_active=True)[:2])
        return holders[0] if len(holders) == 1 else None
    student_no = student_no_normalise(typed)
    if student_no:
        person_id = Student.objects.filter(student_no=student_no).values_list("person_id", flat=True).first()
        if person_id is not None:
            return Account.objects.filter(person_id=person_id).first()
    return None
