"""Grade levels from cohorts: a 2024级 primary cohort is 三年级 in the 2026-2027 school year."""

from __future__ import annotations

from zhijiao.core.codes import code_table

STAGE_YEARS = {"1": 3, "2": 6, "3": 3, "4": 3, "6": 3}
_GRADE_PREFIX = {"2": "1", "3": "2", "4": "3", "6": "6"}
_LEVEL_NAMES = {row.code: row.name for row in code_table("grade")}


def grade_code(stage: str, entry_year: int, current_year: int) -> str | None:
    """The 年级 code (11…16, 21…23, 31…33, 61…63) or None if the cohort has left or not yet entered."""
    level = current_year - entry_year + 1
    if stage not in _GRADE_PREFIX or not 1 <= level <= STAGE_YEARS[stage]:
        return None
    return f"{_GRADE_PREFIX[stage]}{level}"


def grade_label(stage: str, entry_year: int, current_year: int) -> str:
    code = grade_code(stage, entry_year, current_year)
    if code is None:
        return (
            f"{entry_year}级（已毕业）" if current_year - entry_year >= STAGE_YEARS.get(stage, 3) else f"{entry_year}级"
        )
    return _LEVEL_NAMES[code]


def entry_year_for(grade: str, current_year: int) -> tuple[str, int]:
    """Inverse: (stage, entry year) for a 年级 code or name such as "13", "三年级" or "初二"."""
    for row in code_table("grade"):
        if grade in (row.code, row.name):
            stage = {"1": "2", "2": "3", "3": "4", "6": "6"}[row.code[0]]
            return stage, current_year - int(row.code[1]) + 1
    raise KeyError(grade)


def class_label(stage: str, entry_year: int, number: int, current_year: int) -> str:
    return f"{grade_label(stage, entry_year, current_year)}（{number}）班"
