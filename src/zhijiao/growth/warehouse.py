"""Growth's tables in each warehouse snapshot (issue 16 item 6; decision 0055-health-file): ``health_checks``,
``fitness_results`` and ``growth_reviews``, registered in ``GrowthConfig.ready()`` through the core hook
``core.warehouse_sources`` (analytics sits below growth and never imports it; the same shape as decision 0052).

Codes and ids only, no names. Each table holds the snapshot's school year: a pupil's latest health check and latest
fitness result of the year (placed at the school and class where it was taken), and each class's review of the
latest term of the year that has one. Psychological screenings are never read here: they stay out of the warehouse
altogether, so no figure or export can carry them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
from django.db.models import F

from zhijiao.growth.models import FitnessResult, HealthCheck, ReviewState, TermReview
from zhijiao.org.models import SchoolYear

HEALTH = "health_checks"
FITNESS = "fitness_results"
REVIEWS = "growth_reviews"
DONE = (ReviewState.AUDITED, ReviewState.ARCHIVED)


def _year_bounds(school_year: int) -> tuple[date, date]:
    year = SchoolYear.objects.filter(start_year=school_year).first()
    if year is not None:
        return year.starts_on, year.ends_on
    return date(school_year, 9, 1), date(school_year + 1, 8, 31)


def _frame(rows: list[dict], schema: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def health_checks(school_year: int) -> pl.DataFrame:
    """Each pupil's latest check of the school year: 近视 (null: undecided), 视力不良, and where it was taken."""
    start, end = _year_bounds(school_year)
    rows = list(
        HealthCheck.objects.filter(checked_on__range=(start, end))
        .order_by("student_id", "-checked_on", "-pk")
        .values(
            "student_id",
            "school_id",
            "myopia",
            "poor_vision",
            class_id=F("school_class_id"),
            school_code=F("school__code"),
            division_code=F("school__division_id"),
            day=F("checked_on"),
        )
    )
    latest: dict[int, dict] = {}
    for row in rows:
        latest.setdefault(row["student_id"], {**row, "day": row["day"].isoformat()})
    schema = {
        "student_id": pl.Int64, "school_id": pl.Int64, "school_code": pl.String, "division_code": pl.String,
        "class_id": pl.Int64, "day": pl.String, "myopia": pl.Boolean, "poor_vision": pl.Boolean,
    }  # fmt: skip
    return _frame([{k: r[k] for k in schema} for r in latest.values()], schema)


def fitness_results(school_year: int) -> pl.DataFrame:
    """Each pupil's latest 体质健康 result of the school year: level, 学年总分, BMI band."""
    rows = (
        FitnessResult.objects.filter(session__term__school_year__start_year=school_year)
        .order_by("student_id", "-session__term__number", "-session__created_at", "-pk")
        .values(
            "student_id",
            "level",
            "bmi_class",
            total=F("total_score"),
            school_id=F("session__school_id"),
            school_code=F("session__school__code"),
            division_code=F("session__school__division_id"),
            class_id=F("school_class_id"),
        )
    )
    latest: dict[int, dict] = {}
    for row in rows:
        latest.setdefault(row["student_id"], {**row, "total": float(row["total"])})
    schema = {
        "student_id": pl.Int64, "school_id": pl.Int64, "school_code": pl.String, "division_code": pl.String,
        "class_id": pl.Int64, "level": pl.String, "total": pl.Float64, "bmi_class": pl.String,
    }  # fmt: skip
    return _frame([{k: r[k] for k in schema} for r in latest.values()], schema)


def growth_reviews(school_year: int) -> pl.DataFrame:
    """Each class's 综合素质评价 review of the latest term of the school year that has one; ``done``: audited or
    archived."""
    rows = (
        TermReview.objects.filter(term__school_year__start_year=school_year)
        .order_by("school_class_id", "-term__number")
        .values(
            "state",
            class_id=F("school_class_id"),
            term_number=F("term__number"),
            school_id=F("school_class__school_id"),
            school_code=F("school_class__school__code"),
            division_code=F("school_class__school__division_id"),
        )
    )
    latest: dict[int, dict] = {}
    for row in rows:
        latest.setdefault(row["class_id"], {**row, "term": row["term_number"], "done": row["state"] in DONE})
    schema = {
        "class_id": pl.Int64, "school_id": pl.Int64, "school_code": pl.String, "division_code": pl.String,
        "term": pl.Int16, "state": pl.String, "done": pl.Boolean,
    }  # fmt: skip
    return _frame([{k: r[k] for k in schema} for r in latest.values()], schema)


READERS = {HEALTH: health_checks, FITNESS: fitness_results, REVIEWS: growth_reviews}
