"""The validation rule catalogue, evaluated as Polars expressions over the whole file at once.

A :class:`Rule` is (code, severity, field); its Chinese message comes from the error enum. :class:`Checks`
collects rules and their "violated" expressions and evaluates them as boolean columns ``_r<n>``; only the
rows that break a rule are turned into Python dicts, to render their messages for the error report.

Generic rules come from the spec (required, code-table membership, dates, numbers, mobile numbers, ID
numbers, 学籍号); kinds add cross-field and referential rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Any

import polars as pl

from zhijiao.core.errors import CoreError, ErrorCode
from zhijiao.core.validators import id_region_codes
from zhijiao.intake import normalise as norm
from zhijiao.intake.errors import IntakeError
from zhijiao.intake.spec import Field, FieldType, KindSpec

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    error: ErrorCode
    severity: Severity
    field: str | None  # spec field key
    detail: pl.Expr | None = None  # evaluated only on the rows that break the rule
    marks: tuple[str, ...] = ()  # for a rule about no one field: the fields whose cells the report marks


@dataclass(frozen=True)
class Issue:
    code: str
    severity: str
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "severity": self.severity, "field": self.field, "message": self.message}


def raw_of(key: str) -> pl.Expr:
    """The cell as the school typed it, for messages."""
    return pl.col(f"_raw_{key}")


class Checks:
    def __init__(self, spec: KindSpec) -> None:
        self.spec = spec
        self.rules: list[Rule] = []
        self._pending: list[pl.Expr] = []

    def add(
        self,
        error: ErrorCode,
        field: str | None,
        violated: pl.Expr,
        *,
        severity: Severity = Severity.ERROR,
        detail: pl.Expr | None = None,
        marks: tuple[str, ...] = (),
    ) -> None:
        self._pending.append(violated.fill_null(False).alias(f"_r{len(self.rules)}"))
        self.rules.append(Rule(error, severity, field, detail, marks))

    def evaluate(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Evaluate the rules added since the last call; refresh ``_error`` and ``_warn``."""
        if self._pending:
            frame = frame.with_columns(self._pending)
            self._pending = []
        errors = [f"_r{i}" for i, r in enumerate(self.rules) if r.severity == Severity.ERROR]
        warnings = [f"_r{i}" for i, r in enumerate(self.rules) if r.severity == Severity.WARNING]
        return frame.with_columns(
            _error=pl.any_horizontal(errors) if errors else pl.lit(False),
            _warn=pl.any_horizontal(warnings) if warnings else pl.lit(False),
        )

    def issue_frame(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``_row`` and its issues (a list of {code, severity, field, message}) for rows breaking any rule."""
        parts = []
        for index, rule in enumerate(self.rules):
            flag = f"_r{index}"
            if flag not in frame.columns:
                continue
            broken = frame.filter(pl.col(flag))
            if broken.height == 0:
                continue
            header = self.spec.field(rule.field).header if rule.field else ""
            text = f"{header}：{rule.error.message}" if header else rule.error.message
            if not header and rule.marks:  # the issue's "field" names every cell it marks, joined by 、
                header = MARK_SEPARATOR.join(self.spec.field(key).header for key in rule.marks)
            message = pl.lit(text)
            if rule.detail is not None:
                detail = rule.detail.cast(pl.String)
                message = (
                    pl.when(detail.is_not_null() & (detail != ""))
                    .then(pl.concat_str([pl.lit(text + "（"), detail, pl.lit("）")]))
                    .otherwise(message)
                )
            parts.append(
                broken.select(
                    "_row",
                    pl.lit(0 if rule.severity == Severity.ERROR else 1, dtype=pl.Int8).alias("_order"),
                    pl.lit(index, dtype=pl.Int32).alias("_rule"),
                    pl.lit(rule.error.code).alias("code"),
                    pl.lit(rule.severity.value).alias("severity"),
                    pl.lit(header).alias("field"),
                    message.alias("message"),
                )
            )
        if not parts:
            return pl.DataFrame(schema={"_row": pl.Int64, "issues": pl.List(ISSUE)})
        return (
            pl.concat(parts)
            .sort("_row", "_order", "_rule")
            .group_by("_row", maintain_order=True)
            .agg(issues=pl.struct("code", "severity", "field", "message"))
        )


MARK_SEPARATOR = "、"
ISSUE = pl.Struct({"code": pl.String, "severity": pl.String, "field": pl.String, "message": pl.String})


# --------------------------------------------------------------------------------------- normalising
def normalise_fields(frame: pl.DataFrame, spec: KindSpec) -> pl.DataFrame:
    """Replace each field's column by its normalised value, keeping the input as ``_raw_<key>``."""
    present = [f for f in spec.fields if f.key in frame.columns]
    frame = frame.with_columns([pl.col(f.key).alias(f"_raw_{f.key}") for f in present])
    exprs = [_normalised(f).alias(f.key) for f in present]
    exprs += [pl.lit(None, dtype=_dtype(f)).alias(f.key) for f in spec.fields if f.key not in frame.columns]
    frame = frame.with_columns(exprs)
    absent = [pl.lit(None, dtype=pl.String).alias(f"_raw_{f.key}") for f in spec.fields if f not in present]
    return frame.with_columns(absent) if absent else frame


def _dtype(f: Field) -> Any:  # a Polars data type
    return {
        FieldType.DATE: pl.Date,
        FieldType.MONTH: pl.Date,
        FieldType.YEAR: pl.Int32,
        FieldType.INT: pl.Int64,
        FieldType.CLASS_NO: pl.Int32,
        FieldType.BOOL: pl.Boolean,
        FieldType.GRADE: pl.Struct({"grade_code": pl.String, "cohort": pl.Int32}),
    }.get(f.type, pl.String)


def _normalised(f: Field) -> pl.Expr:
    col = pl.col(f.key)
    match f.type:
        case FieldType.NAME:
            return norm.name(col)
        case FieldType.CODE:
            assert f.table
            return norm.code(col, f.table)
        case FieldType.DATE:
            return norm.date(col)
        case FieldType.MONTH:
            return norm.month(col)
        case FieldType.YEAR:
            return norm.year(col)
        case FieldType.INT:
            return norm.integer(col)
        case FieldType.BOOL:
            return norm.boolean(col)
        case FieldType.ID_NUMBER:
            return norm.id_number(col)
        case FieldType.STUDENT_NO | FieldType.SCHOOL_CODE:
            return norm.compact_upper(col)
        case FieldType.MOBILE:
            return norm.mobile(col)
        case FieldType.PHONE:
            return norm.phone(col)
        case FieldType.GRADE:
            return norm.grade(col)
        case FieldType.CLASS_NO:
            return norm.class_no(col)
        case _:
            return norm.text(col)


# ----------------------------------------------------------------------------------------- field rules
BLANK_CHARS_NOT = r"[^\s\u3000\u00a0\u200b\u200c\u200d\u2060\ufeff]"


def given(key: str) -> pl.Expr:
    """The input cell held something besides spaces (full-width, non-breaking and zero-width ones included)."""
    return pl.col(f"_raw_{key}").str.contains(BLANK_CHARS_NOT).fill_null(False)


def add_field_rules(checks: Checks, frame: pl.DataFrame, today: date) -> pl.DataFrame:
    """Required, code-table, date, number and mobile rules for every field of the spec, evaluated now (later
    steps fill some columns, e.g. a birth date from the ID number, and must not hide a bad cell)."""
    for f in checks.spec.fields:
        col, raw = pl.col(f.key), given(f.key)
        if f.required and f.type not in (FieldType.DATE, FieldType.CODE):  # those two may be filled from the ID
            checks.add(IntakeError.INTAKE_REQUIRED, f.key, ~raw)
        match f.type:
            case FieldType.NAME:
                # 张伟2: a digit in a name is a typo (or a row number pasted in), never a name
                checks.add(IntakeError.INTAKE_NAME_DIGITS, f.key, raw & col.str.contains(r"[0-9０-９]"))
            case FieldType.CODE:
                checks.add(IntakeError.INTAKE_CODE_UNKNOWN, f.key, raw & col.is_null(), detail=raw_of(f.key))
            case FieldType.DATE | FieldType.MONTH:
                checks.add(IntakeError.INTAKE_DATE_INVALID, f.key, raw & col.is_null(), detail=raw_of(f.key))
                checks.add(IntakeError.INTAKE_DATE_FUTURE, f.key, col > pl.lit(today), detail=raw_of(f.key))
            case FieldType.YEAR:
                bad = raw & (col.is_null() | ~col.is_between(1900, today.year))
                checks.add(IntakeError.INTAKE_DATE_INVALID, f.key, bad, detail=raw_of(f.key))
            case FieldType.INT:
                checks.add(IntakeError.INTAKE_INT_INVALID, f.key, raw & col.is_null(), detail=raw_of(f.key))
            case FieldType.BOOL:
                checks.add(IntakeError.INTAKE_BOOL_INVALID, f.key, raw & col.is_null(), detail=raw_of(f.key))
            case FieldType.MOBILE:
                if f.required:
                    checks.add(CoreError.CORE_MOBILE_FORMAT, f.key, raw & col.is_null(), detail=raw_of(f.key))
                else:
                    checks.add(
                        IntakeError.INTAKE_MOBILE_DROPPED,
                        f.key,
                        raw & col.is_null(),
                        severity=Severity.WARNING,
                        detail=raw_of(f.key),
                    )
            case FieldType.SCHOOL_CODE:
                checks.add(CoreError.CORE_SCHOOL_CODE_FORMAT, f.key, raw & ~col.str.contains(r"^\d{10}$"))
            case FieldType.GRADE:
                unknown = raw & col.struct.field("grade_code").is_null() & col.struct.field("cohort").is_null()
                checks.add(IntakeError.INTAKE_GRADE_UNKNOWN, f.key, unknown, detail=raw_of(f.key))
            case FieldType.CLASS_NO:
                checks.add(IntakeError.INTAKE_CLASS_UNKNOWN, f.key, raw & col.is_null(), detail=raw_of(f.key))
    return checks.evaluate(frame)


# --------------------------------------------------------------------------------------------- ID numbers
@cache
def id_regions() -> list[str]:
    """Every 6-digit region an ID number may start with, current and historic (one set with the scalar
    validator: :func:`zhijiao.core.validators.id_region_codes`)."""
    return sorted(id_region_codes())


def id_check_char(number: pl.Expr) -> pl.Expr:
    total = pl.sum_horizontal(
        [number.str.slice(i, 1).cast(pl.Int32, strict=False) * w for i, w in enumerate(_ID_WEIGHTS)]
    )
    return (total % 11).replace_strict(dict(enumerate(_ID_CHECK)), default=None, return_dtype=pl.String)


def id_facts(number: pl.Expr) -> dict[str, pl.Expr]:
    """Birth date and sex encoded in an 18-digit ID number (null when it has none)."""
    born = number.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    sex = (
        pl.when(number.str.slice(16, 1).cast(pl.Int32, strict=False) % 2 == 1).then(pl.lit("1")).otherwise(pl.lit("2"))
    )
    return {"born": born, "sex": pl.when(born.is_not_null()).then(sex)}


def add_id_rules(checks: Checks, today: date, *, key: str = "id_number", type_key: str = "id_type") -> None:
    """GB 11643 checks for resident ID numbers, with the foundation validators' codes, plus Excel's damage."""
    number, kind = pl.col(key), pl.col(type_key)
    resident = number.is_not_null() & (kind == "1")
    excel = resident & number.str.contains(r"^\d(?:\.\d+)?E\+?1[67]$")
    fmt = resident & ~excel & ~number.str.contains(r"^\d{17}[\dX]$")
    well_formed = resident & ~excel & ~fmt
    region = well_formed & ~number.str.slice(0, 6).is_in(id_regions())
    born = number.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    bad_birth = well_formed & ~region & (born.is_null() | (born < pl.date(1900, 1, 1)))
    future = well_formed & ~region & ~bad_birth & (born > pl.lit(today))
    checksum = well_formed & ~region & ~bad_birth & ~future & (id_check_char(number) != number.str.slice(17, 1))
    checks.add(IntakeError.INTAKE_ID_EXCEL_NUMBER, key, excel)
    checks.add(CoreError.CORE_ID_FORMAT, key, fmt, detail=raw_of(key))
    checks.add(CoreError.CORE_ID_REGION, key, region, detail=pl.col(key).str.slice(0, 6))
    checks.add(CoreError.CORE_ID_BIRTH_DATE, key, bad_birth, detail=pl.col(key).str.slice(6, 8))
    checks.add(CoreError.CORE_ID_BIRTH_FUTURE, key, future)
    checks.add(CoreError.CORE_ID_CHECKSUM, key, checksum)


def id_valid(number: pl.Expr) -> pl.Expr:
    """The value is a valid 18-digit resident ID number (for cross-field rules)."""
    born = number.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    return (
        number.str.contains(r"^\d{17}[\dX]$")
        & number.str.slice(0, 6).is_in(id_regions())
        & born.is_not_null()
        & (born >= pl.date(1900, 1, 1))
        & (id_check_char(number) == number.str.slice(17, 1))
    ).fill_null(False)


def fill_person_from_id(frame: pl.DataFrame, checks: Checks, today: date) -> pl.DataFrame:
    """Default the ID type, take blank birth date / sex from a valid ID number, and check they agree.

    A blank 身份证件类型 with a number means a resident ID (the common case in files); other documents must
    say what they are.
    """
    frame = frame.with_columns(
        id_type=pl.when(pl.col("id_type").is_null() & pl.col("id_number").is_not_null())
        .then(pl.lit("1"))
        .otherwise(pl.col("id_type"))
    )
    add_id_rules(checks, today)
    valid = (pl.col("id_type") == "1").fill_null(False) & id_valid(pl.col("id_number"))
    facts = id_facts(pl.col("id_number"))
    frame = frame.with_columns(_id_ok=valid, _id_born=facts["born"], _id_sex=facts["sex"])
    checks.add(
        IntakeError.INTAKE_BIRTH_MISMATCH,
        "birth_date",
        pl.col("_id_ok") & pl.col("birth_date").is_not_null() & (pl.col("birth_date") != pl.col("_id_born")),
        detail=pl.concat_str([pl.lit("身份证件号中为 "), pl.col("_id_born").cast(pl.String)]),
    )
    checks.add(
        IntakeError.INTAKE_SEX_MISMATCH,
        "sex",
        pl.col("_id_ok") & pl.col("sex").is_in(["1", "2"]) & (pl.col("sex") != pl.col("_id_sex")),
        detail=pl.concat_str(
            [pl.lit("身份证件号表明为"), pl.col("_id_sex").replace_strict({"1": "男", "2": "女"}, default="")]
        ),
    )
    frame = checks.evaluate(frame)
    frame = frame.with_columns(
        birth_date=pl.coalesce(pl.col("birth_date"), pl.when(pl.col("_id_ok")).then(pl.col("_id_born"))),
        sex=pl.coalesce(pl.col("sex"), pl.when(pl.col("_id_ok")).then(pl.col("_id_sex"))),
    )
    spec = checks.spec
    for key in ("birth_date", "sex"):
        if key in {f.key for f in spec.fields} and spec.field(key).required:
            checks.add(IntakeError.INTAKE_REQUIRED, key, pl.col(key).is_null() & ~given(key))
    return frame


def add_duplicate_rule(
    checks: Checks, frame: pl.DataFrame, keys: list[str], label: str, *, marks: tuple[str, ...] | None = None
) -> pl.DataFrame:
    """Rows repeating an earlier row's key: the first stays, later ones are rejected naming the first.

    ``marks`` are the file's fields the report marks, where the key is made of resolved columns (ids) instead."""
    column = f"_first_{'_'.join(keys)}"
    present = pl.all_horizontal([pl.col(k).is_not_null() for k in keys])
    frame = frame.with_columns(
        pl.when(present).then(pl.col("_row").min().over(keys)).alias(column),
    )
    checks.add(
        IntakeError.INTAKE_DUPLICATE_IN_FILE,
        None,
        present & (pl.col(column) != pl.col("_row")),
        detail=pl.concat_str([pl.lit(f"{label}与第 "), pl.col(column).cast(pl.String), pl.lit(" 行相同")]),
        marks=marks or tuple(keys),
    )
    return frame
