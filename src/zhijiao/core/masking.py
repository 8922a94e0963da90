"""Masked forms of personal data for actors who may see a record but not its sensitive fields.

Masks keep the length of the value where the length itself says nothing (ID numbers, phone numbers) and
hide it where it could (addresses).
"""

from __future__ import annotations

__all__ = ["mask_address", "mask_id_number", "mask_name", "mask_phone", "mask_student_no"]

_STAR = "*"
_ADDRESS_KEEP = 6


def _mask_middle(text: str, head: int, tail: int) -> str:
    # A short value (a passport number, a landline) would be shown whole; keep a quarter at each end.
    if head + tail >= len(text):
        head = tail = len(text) // 4
    return text[:head] + _STAR * (len(text) - head - tail) + text[len(text) - tail :]


def mask_id_number(value: str | None) -> str:
    """``330106200901011234`` → ``3301**********1234``: first and last four kept."""
    if not value:
        return ""
    return _mask_middle(value, 4, 4)


def mask_phone(value: str | None) -> str:
    """``13812345678`` → ``138****5678``: first three and last four kept."""
    if not value:
        return ""
    return _mask_middle(value, 3, 4)


def mask_address(value: str | None) -> str:
    """The first six characters (roughly province and city) followed by ``****``."""
    if not value:
        return ""
    return value[:_ADDRESS_KEEP] + _STAR * 4


def mask_student_no(value: str | None) -> str:
    """学籍号 ``G`` + ID number embeds the ID number, so it is masked like one: ``G3301**********1234``."""
    if not value:
        return ""
    return value[0] + mask_id_number(value[1:])


def mask_name(value: str | None) -> str:
    """``陈小明`` → ``陈**``: the family name kept, the given name starred (its length kept, at least one star)."""
    if not value:
        return ""
    return value[0] + _STAR * max(len(value) - 1, 1)
