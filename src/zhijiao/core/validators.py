"""Validators for the identifiers that enter the system through forms and spreadsheet imports.

Each ``validate_*`` function takes one raw value and returns it normalised (half-width, no stray spaces,
upper-case letters) or raises :class:`ZhijiaoError` with a distinct :class:`CoreError` code, so an import
report can say exactly what is wrong with a cell. ``field`` names the column in the message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

from zhijiao.core.codes import divisions
from zhijiao.core.errors import CoreError, ZhijiaoError

__all__ = [
    "IdFacts",
    "id_check_digit",
    "id_number_facts",
    "id_region_codes",
    "to_halfwidth",
    "validate_id_number",
    "validate_mobile",
    "validate_school_code",
    "validate_student_no",
]

_SHANGHAI = ZoneInfo("Asia/Shanghai")

# Full-width ASCII block U+FF01..U+FF5E maps onto U+0021..U+007E; U+3000 is the ideographic space.
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# Invisible characters that ride along when numbers are copied out of Excel or web pages.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))

_ID_RE = re.compile(r"[0-9]{17}[0-9X]")
_STUDENT_NO_RE = re.compile(r"([GJL])([0-9]{17}[0-9X])")
_SCHOOL_CODE_RE = re.compile(r"[0-9]{10}")
_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")

# ISO 7064 MOD 11-2 weights (2**(17 - i) mod 11) and the check character for each remainder.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"

_EARLIEST_BIRTH_YEAR = 1900


@dataclass(frozen=True, slots=True)
class IdFacts:
    """What a valid resident ID number says about its holder."""

    region: str  # 6-digit GB/T 2260 code of the issuing division
    birth_date: date
    sex: str  # GB/T 2261.1: "1" male, "2" female


def to_halfwidth(text: str) -> str:
    """Full-width ASCII characters (and the ideographic space) to their half-width forms."""
    return text.translate(_HALFWIDTH)


def _compact(value: object) -> str:
    """Half-width text with all whitespace and invisible characters removed."""
    if value is None:
        return ""
    text = to_halfwidth(str(value)).translate(_INVISIBLE)
    return "".join(text.split())


def _today() -> date:
    # Imported lazily so the validators stay usable from scripts that never configure Django.
    from django.conf import settings

    if settings.configured and settings.USE_TZ:
        from django.utils import timezone

        return timezone.localdate()
    return datetime.now(_SHANGHAI).date()


def id_check_digit(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character ("0"-"9" or "X") for the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"expected 17 ASCII digits, got {first17!r}")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


@cache
def id_region_codes() -> frozenset[str]:
    """Every 6-digit region code an ID number may start with.

    The current divisions (a county, or a city / province written as XXXX00 / XX0000) and every GB/T 2260
    code used since 1980: a number keeps the code of the county that issued it, and counties merge and
    are renamed (421023 监利县 became 421088 监利市 in 2020). The vectorised import check reads the same set.
    """
    codes = {code.ljust(6, "0") for code in divisions()}
    path = resources.files("zhijiao.core").joinpath("data/id_regions_historic.txt")
    with path.open(encoding="utf-8") as f:
        codes.update(line.strip() for line in f if line.strip() and not line.startswith("#"))
    return frozenset(codes)


def validate_id_number(value: str | int | None, *, field: str | None = None, today: date | None = None) -> str:
    """Validate a GB 11643 18-digit resident ID number and return it normalised (half-width, upper-case X).

    Checks run in a fixed order so each number gets the most basic complaint first: format, region,
    birth date, birth date not in the future, check digit.
    """
    number = _compact(value).upper()
    if not number:
        raise ZhijiaoError(CoreError.CORE_REQUIRED, field=field)
    if not _ID_RE.fullmatch(number):
        raise ZhijiaoError(CoreError.CORE_ID_FORMAT, field=field)
    if number[:6] not in id_region_codes():
        raise ZhijiaoError(CoreError.CORE_ID_REGION, field=field, detail=number[:6])
    born = _birth_date(number)
    if born is None:
        raise ZhijiaoError(CoreError.CORE_ID_BIRTH_DATE, field=field, detail=number[6:14])
    if born > (today or _today()):
        raise ZhijiaoError(CoreError.CORE_ID_BIRTH_FUTURE, field=field, detail=born.isoformat())
    if id_check_digit(number[:17]) != number[17]:
        raise ZhijiaoError(CoreError.CORE_ID_CHECKSUM, field=field)
    return number


def _birth_date(number: str) -> date | None:
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    if year < _EARLIEST_BIRTH_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def id_number_facts(id_number: str) -> IdFacts:
    """Region, birth date and sex encoded in an ID number; raises ZhijiaoError if the number is invalid."""
    number = validate_id_number(id_number)
    born = _birth_date(number)
    assert born is not None  # validate_id_number rejected impossible dates
    return IdFacts(region=number[:6], birth_date=born, sex="1" if int(number[16]) % 2 else "2")


def validate_student_no(value: str | None, *, field: str | None = None) -> str:
    """Validate a national student number (学籍号) and return it normalised.

    ``G`` + the student's resident ID number; ``J`` + 18 characters for students without a mainland ID
    (Hong Kong, Macao, Taiwan, foreign nationals); ``L`` + 18 characters for a temporary number. The
    letter is case-insensitive.
    """
    text = _compact(value).upper()
    if not text:
        raise ZhijiaoError(CoreError.CORE_REQUIRED, field=field)
    match = _STUDENT_NO_RE.fullmatch(text)
    if match is None:
        raise ZhijiaoError(CoreError.CORE_STUDENT_NO_FORMAT, field=field)
    prefix, body = match.groups()
    if prefix == "G":
        try:
            validate_id_number(body)
        except ZhijiaoError as exc:
            raise ZhijiaoError(CoreError.CORE_STUDENT_NO_ID, field=field, detail=exc.error.message) from exc
    return text


def validate_school_code(value: str | int | None, *, field: str | None = None) -> str:
    """Validate a 10-digit school identification code (学校标识码)."""
    text = _compact(value)
    if not text:
        raise ZhijiaoError(CoreError.CORE_REQUIRED, field=field)
    if not _SCHOOL_CODE_RE.fullmatch(text):
        raise ZhijiaoError(CoreError.CORE_SCHOOL_CODE_FORMAT, field=field)
    return text


def validate_mobile(value: str | int | None, *, field: str | None = None) -> str:
    """Validate a mainland China mobile number; return its 11 digits without country code or separators."""
    text = _compact(value).replace("-", "")
    if not text:
        raise ZhijiaoError(CoreError.CORE_REQUIRED, field=field)
    for prefix in ("+86", "0086", "86"):
        # Strip a country code only when 11 digits remain, so a malformed number is reported as such.
        if text.startswith(prefix) and len(text) - len(prefix) == 11:
            text = text[len(prefix) :]
            break
    if not _MOBILE_RE.fullmatch(text):
        raise ZhijiaoError(CoreError.CORE_MOBILE_FORMAT, field=field)
    return text
