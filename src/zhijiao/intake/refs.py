"""Referential rules: the school exists and is the importer's to change; the grade and class exist."""

from __future__ import annotations

import polars as pl

from zhijiao.intake.checks import Checks, raw_of
from zhijiao.intake.context import RunContext
from zhijiao.intake.errors import IntakeError
from zhijiao.intake.frames import attach

STAGE_OF_GRADE = {"1": "2", "2": "3", "3": "4", "6": "6"}  # first digit of a 年级 code → 学段


def resolve_school(frame: pl.DataFrame, checks: Checks, ctx: RunContext, key: str = "school_code") -> pl.DataFrame:
    frame = attach(frame, ctx.schools(), left_on=key, right_on="school_code")
    known = pl.col("school_id").is_not_null()
    code_ok = pl.col(key).str.contains(r"^\d{10}$")
    checks.add(IntakeError.INTAKE_SCHOOL_UNKNOWN, key, code_ok & ~known, detail=raw_of(key))
    checks.add(IntakeError.INTAKE_SCHOOL_OUT_OF_SCOPE, key, known & ~pl.col("managed"), detail=raw_of(key))
    if ctx.only_school_id is not None:
        checks.add(
            IntakeError.INTAKE_SCHOOL_NOT_SELECTED,
            key,
            known & (pl.col("school_id") != ctx.only_school_id),
            detail=raw_of(key),
        )
    return frame


def resolve_grade(frame: pl.DataFrame, checks: Checks, ctx: RunContext, key: str = "grade") -> pl.DataFrame:
    """(stage, entry_year) from 三年级 / 初二 / 2024级; a cohort year alone takes the school's only stage."""
    code = pl.col(key).struct.field("grade_code")
    cohort = pl.col(key).struct.field("cohort")
    stage_from_code = code.str.slice(0, 1).replace_strict(STAGE_OF_GRADE, default=None, return_dtype=pl.String)
    single_stage = pl.when(~pl.col("school_stages").str.contains(",")).then(pl.col("school_stages"))
    frame = frame.with_columns(
        stage=pl.coalesce(stage_from_code, pl.when(cohort.is_not_null()).then(single_stage)),
        entry_year=pl.coalesce(
            (pl.lit(ctx.school_year) - code.str.slice(1, 1).cast(pl.Int32, strict=False) + 1).cast(pl.Int32),
            cohort,
        ),
    )
    offered = pl.col("school_stages").str.contains(pl.col("stage"), literal=True)
    checks.add(
        IntakeError.INTAKE_GRADE_NOT_OFFERED,
        key,
        pl.col("school_id").is_not_null() & pl.col("stage").is_not_null() & ~offered,
        detail=raw_of(key),
    )
    checks.add(
        IntakeError.INTAKE_GRADE_UNKNOWN,
        key,
        pl.col("school_id").is_not_null() & cohort.is_not_null() & pl.col("stage").is_null(),
        detail=pl.concat_str([pl.col(f"_raw_{key}"), pl.lit("：该校有多个学段，请写明如“三年级”或“初一”")]),
    )
    return frame


def resolve_class(frame: pl.DataFrame, checks: Checks, ctx: RunContext) -> pl.DataFrame:
    """``class_id`` of the (school, stage, cohort, class number) each row names."""
    key = "class_no"
    classes = ctx.classes().drop("capacity")
    frame = attach(frame, classes, on=["school_id", "stage", "entry_year", key])
    located = pl.col("school_id").is_not_null() & pl.col("stage").is_not_null() & pl.col(key).is_not_null()
    checks.add(
        IntakeError.INTAKE_CLASS_UNKNOWN,
        key,
        located & pl.col("class_id").is_null(),
        detail=pl.concat_str(
            [
                pl.col("_raw_school_code"),
                pl.lit(" "),
                pl.col("_raw_grade"),
                pl.lit(" "),
                pl.col(key).cast(pl.String),
                pl.lit("班"),
            ],
            ignore_nulls=True,
        ),
    )
    return frame
