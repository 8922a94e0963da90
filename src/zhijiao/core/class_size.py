"""Class sizes: the national rule for 大班额 and 超大班额, stated once.

* **大班额**: a class of **56 pupils or more** (the count includes the 超大班额);
* **超大班额**: **66 or more**.

(The lines the Ministry of Education's 大班额 statistics and elimination plans use; the standard sizes are 45 in
小学 and 50 in 中学.) A class **over its rated size** (超额) is a
different question — more pupils than its own ``capacity`` — and is asked by :func:`is_over_capacity`.

Every page, metric, warning and export asks here. The predicates are plain comparisons, so the same function
works on an ``int``, a Polars expression or an Ibis column (``is_large_class(table.size)``); Django querysets
use :func:`large_class_q` on an annotated count.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

__all__ = [
    "CLASS_SIZE_BANDS",
    "LARGE_CLASS",
    "VERY_LARGE_CLASS",
    "is_large_class",
    "is_over_capacity",
    "is_very_large_class",
    "large_class_q",
    "size_band",
]

LARGE_CLASS = 56  # 大班额: 56 pupils and more
VERY_LARGE_CLASS = 66  # 超大班额: 66 pupils and more
# (lowest, highest or None, label): the bands statistics report, the last two being 大班额 and 超大班额
CLASS_SIZE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 45, "45人及以下"),
    (46, LARGE_CLASS - 1, f"46–{LARGE_CLASS - 1}人"),
    (LARGE_CLASS, VERY_LARGE_CLASS - 1, f"{LARGE_CLASS}–{VERY_LARGE_CLASS - 1}人"),
    (VERY_LARGE_CLASS, None, f"{VERY_LARGE_CLASS}人及以上"),
)


def is_large_class(size: Any) -> Any:
    """大班额 (超大班额 included): ``size >= 56``. ``size`` may be an int, a Polars expression or an Ibis column."""
    return size >= LARGE_CLASS


def is_very_large_class(size: Any) -> Any:
    """超大班额: ``size >= 66``."""
    return size >= VERY_LARGE_CLASS


def is_over_capacity(size: int, capacity: int | None) -> bool:
    """More pupils than the class's rated size (额定人数); a class without one is never over it."""
    return bool(capacity) and size > capacity  # type: ignore[operator]


def size_band(size: int) -> str:
    """The statistics band of one class size: ``45人及以下`` … ``66人及以上``."""
    for low, high, label in CLASS_SIZE_BANDS:
        if size >= low and (high is None or size <= high):
            return label
    return CLASS_SIZE_BANDS[0][2]  # a negative size cannot happen; the smallest band is the safe answer


def large_class_q(count_field: str = "n") -> Q:
    """The 大班额 filter for a queryset annotated with its pupil count as ``count_field``."""
    return Q(**{f"{count_field}__gte": LARGE_CLASS})
