"""Vectorised normalisation: Polars expressions that turn what schools type into canonical values.

Full-width → half-width, stray and zero-width spaces, lowercase x in ID numbers, dates in any common form
(2010-3-5, 2010/03/05, 2010.3.5, 2010年3月5日, 20100305, Excel serial numbers), codes given by name ("汉族",
"男", "居民身份证") and grades given as 三年级 / 初二 / 七年级 / 2024级. Each function maps a string column to
its normalised value, null where the input was blank *or* unusable; validation compares the two to tell
"missing" from "invalid".
"""

from __future__ import annotations

from functools import cache

import polars as pl

from zhijiao.core.codes import code_table
from zhijiao.intake.spec import CODE_SYNONYMS, FALSE_WORDS, TRUE_WORDS

_FULL = [chr(c) for c in range(0xFF01, 0xFF5F)] + ["\u3000", "\u00a0"]
_HALF = [chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)] + [" ", " "]
_INVISIBLE = r"[\u200b\u200c\u200d\u2060\ufeff]"
EXCEL_EPOCH_SERIAL = (10000, 80000)  # 1927 … 2118: five-digit numbers in a date column are Excel serials


def clean(expr: pl.Expr) -> pl.Expr:
    """Half-width, no zero-width characters, trimmed; blank → null."""
    value = expr.str.replace_many(_FULL, _HALF).str.replace_all(_INVISIBLE, "").str.strip_chars()
    return pl.when(value == "").then(None).otherwise(value)


def text(expr: pl.Expr) -> pl.Expr:
    return clean(expr).str.replace_all(r"\s+", " ")


def name(expr: pl.Expr) -> pl.Expr:
    """A person's name: no spaces inside (张 三 → 张三); the middle dot of minority names is kept."""
    value = clean(expr).str.replace_all(r"\s+", "").str.replace_all(r"[.．•・]", "·")
    return pl.when(value == "").then(None).otherwise(value)


def compact_upper(expr: pl.Expr) -> pl.Expr:
    value = clean(expr).str.replace_all(r"[\s\-]", "").str.to_uppercase()
    return pl.when(value == "").then(None).otherwise(value)


@cache
def code_map(table: str) -> dict[str, str]:
    """Every spelling that names a code in ``table`` (code, name, name without 族, common synonyms) → code.

    Where one name appears at several levels of a table (小学 is both 21 and 211), the most specific code
    wins: files name leaf categories.
    """
    mapping: dict[str, str] = {}
    for entry in sorted(code_table(table), key=lambda e: len(e.code)):
        key = entry.name.replace(" ", "").upper()
        mapping[key] = entry.code
        if entry.name.endswith("族") and len(entry.name) > 1:
            mapping.setdefault(entry.name.removesuffix("族"), entry.code)
    for entry in code_table(table):
        mapping[entry.code.upper()] = entry.code
        if table == "ethnicity" and entry.code.isdigit():
            mapping.setdefault(str(int(entry.code)), entry.code)  # "1" for 01, as Excel drops the zero
    for word, code in CODE_SYNONYMS.get(table, {}).items():
        mapping.setdefault(word.upper(), code)
    if table == "school_type":
        mapping = {k: v for k, v in mapping.items() if len(v) == 3}
    return mapping


def code(expr: pl.Expr, table: str) -> pl.Expr:
    key = clean(expr).str.replace_all(r"\s+", "").str.to_uppercase()
    return key.replace_strict(code_map(table), default=None, return_dtype=pl.String)


def _ymd(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    text_value = pl.concat_str([y, pl.lit("-"), m.str.zfill(2), pl.lit("-"), d.str.zfill(2)])
    return text_value.str.to_date("%Y-%m-%d", strict=False)


def _serial(value: pl.Expr) -> pl.Expr:
    serial = value.str.extract(r"^(\d{5})(?:\.0+)?$", 1).cast(pl.Int64, strict=False)
    low, high = EXCEL_EPOCH_SERIAL
    in_range = serial.is_between(low, high)
    return pl.when(in_range).then(pl.date(1899, 12, 30) + pl.duration(days=serial)).otherwise(None)


def date(expr: pl.Expr) -> pl.Expr:
    """Any common written date, or an Excel serial number, to a Date (null when it is not a real date)."""
    value = clean(expr).str.replace_all(r"\s+", " ")
    compact = value.str.extract_groups(r"^(\d{4})(\d{2})(\d{2})$")
    general = value.str.extract_groups(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
    return pl.coalesce(
        _serial(value),
        _ymd(compact.struct.field("1"), compact.struct.field("2"), compact.struct.field("3")),
        _ymd(general.struct.field("1"), general.struct.field("2"), general.struct.field("3")),
    )


def month(expr: pl.Expr) -> pl.Expr:
    """A year and month (2024-09, 2024.9, 2024年9月, 202409, or a full date) to the first of that month."""
    value = clean(expr).str.replace_all(r"\s+", " ")
    ym = value.str.extract_groups(r"^(\d{4})\s*[-/.年]?\s*(\d{1,2})\s*月?(?:\s*[-/.]?\s*\d{1,2}\s*日?)?(?:[ T].*)?$")
    from_serial = _serial(value)
    return pl.coalesce(
        from_serial.dt.month_start(),
        _ymd(ym.struct.field("1"), ym.struct.field("2"), pl.lit("1")),
    )


def year(expr: pl.Expr) -> pl.Expr:
    return clean(expr).str.extract(r"^(\d{4})", 1).cast(pl.Int32, strict=False)


def integer(expr: pl.Expr) -> pl.Expr:
    return clean(expr).str.replace(r"\.0+$", "").cast(pl.Int64, strict=False)


def boolean(expr: pl.Expr) -> pl.Expr:
    key = clean(expr).str.to_uppercase()
    mapping = {w.upper(): True for w in TRUE_WORDS} | {w.upper(): False for w in FALSE_WORDS}
    return key.replace_strict(mapping, default=None, return_dtype=pl.Boolean)


def id_number(expr: pl.Expr) -> pl.Expr:
    """Half-width, no spaces, upper-case X (420112…123x → …123X)."""
    return compact_upper(expr)


def mobile(expr: pl.Expr) -> pl.Expr:
    """11 digits, without +86 / 0086 / 86 and separators; null when it is not a mainland mobile number."""
    value = clean(expr).str.replace_all(r"[\s\-()（）]", "").str.replace(r"\.0+$", "")
    value = value.str.replace(r"^(?:\+86|0086|86)(\d{11})$", "$1")
    return pl.when(value.str.contains(r"^1[3-9]\d{9}$")).then(value).otherwise(None)


def phone(expr: pl.Expr) -> pl.Expr:
    return clean(expr).str.replace_all(r"\s+", "")


_GRADE_WORDS = {
    "七年级": "21",
    "八年级": "22",
    "九年级": "23",
    "初中一年级": "21",
    "初中二年级": "22",
    "初中三年级": "23",
    "高中一年级": "31",
    "高中二年级": "32",
    "高中三年级": "33",
    "小学一年级": "11",
    "小学二年级": "12",
    "小学三年级": "13",
    "小学四年级": "14",
    "小学五年级": "15",
    "小学六年级": "16",
    "初1": "21",
    "初2": "22",
    "初3": "23",
    "高1": "31",
    "高2": "32",
    "高3": "33",
}


@cache
def grade_map() -> dict[str, str]:
    mapping = {row.name: row.code for row in code_table("grade")} | {row.code: row.code for row in code_table("grade")}
    for number, word in enumerate("一二三四五六", start=1):
        mapping[f"{number}年级"] = f"1{number}"
        mapping[f"{word}年级"] = f"1{number}"
    return mapping | _GRADE_WORDS


def grade(expr: pl.Expr) -> pl.Expr:
    """A struct of (grade code such as "13", cohort year for "2024级" forms); at most one is set."""
    value = clean(expr).str.replace_all(r"\s+", "")
    cohort = value.str.extract(r"^(\d{4})级?$", 1).cast(pl.Int32, strict=False)
    return pl.struct(
        grade_code=value.replace_strict(grade_map(), default=None, return_dtype=pl.String),
        cohort=cohort,
    )


def class_no(expr: pl.Expr) -> pl.Expr:
    """The class number from 2, 02, 2班, （2）班, 三年级2班 or 三年级（2）班."""
    value = clean(expr).str.replace_all(r"\s+", "")
    number = pl.coalesce(
        value.str.extract(r"[（(](\d{1,3})[）)]班?$", 1),
        value.str.extract(r"(\d{1,3})班$", 1),
        value.str.extract(r"^(\d{1,3})(?:\.0+)?$", 1),
    )
    return number.cast(pl.Int32, strict=False)
