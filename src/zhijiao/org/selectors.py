"""Plain reads of the org tree that need no actor: the school calendar and class labels.

Reads that depend on who asks (school and class lists, school figures, the region drill-down) are in
``zhijiao.registry.selectors.org``, above the access layer.
"""

from __future__ import annotations

import time
from datetime import date

from django.utils import timezone

from zhijiao.org.grades import class_label
from zhijiao.org.models import SchoolClass, SchoolYear


# ------------------------------------------------------------------ calendar
def school_year_start_for(day: date) -> int:
    """School years start in September."""
    return day.year if day.month >= 9 else day.year - 1


_YEAR_TTL_SECONDS = 5.0
_year_cache: list[tuple[float, int]] = []


def current_school_year() -> int:
    """The start year of the current school year: the one marked current, else by today's date.

    Labels of every class row need it, so it is remembered for a few seconds rather than queried per row;
    ``current_school_year_forget`` drops it when the current year changes.
    """
    now = time.monotonic()
    if _year_cache and now - _year_cache[0][0] < _YEAR_TTL_SECONDS:
        return _year_cache[0][1]
    marked = SchoolYear.objects.filter(is_current=True).values_list("start_year", flat=True).first()
    year = marked if marked is not None else school_year_start_for(timezone.localdate())
    _year_cache[:] = [(now, year)]
    return year


def current_school_year_forget() -> None:
    _year_cache.clear()


# ------------------------------------------------------------------ labels
def class_display_name(school_class: SchoolClass) -> str:
    return class_label(
        school_class.grade.stage, school_class.grade.entry_year, school_class.number, current_school_year()
    )


# 办学类型 the registry's schools use (for filter menus).
SCHOOL_TYPES_IN_USE = ("211", "311", "312", "341", "342", "345", "365")
