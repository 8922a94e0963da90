"""Classical item statistics of one exam or homework (numpy only): what a 学情 report shows per item.

Input is a students × items table of points scored and each item's full marks (``max_points``; 1 for 0/1
items). A blank cell (NaN) is an unanswered item and scores 0 for the totals, as a marking system scores it; it
still counts in the item's difficulty as 0.

- **Difficulty** (难度, classical p-value): the mean score ratio, points scored / full marks, over students. For 0/1
  items this is the share answering correctly. Higher = easier.
- **Discrimination** (区分度): the point-biserial / Pearson correlation of the item's score with the total
  (``item_total``), the corrected item-total correlation with the total of the OTHER items (``item_rest``, the
  one to read: the item is not correlated with itself), and the upper-lower index ``D`` = mean score ratio in the
  upper 27 % of students by total minus that in the lower 27 % (Kelley). Ties at the group boundaries are broken
  by the students' order, so the groups always have the same size.
- **Distractor analysis** (选项分析) for choice items: the share choosing each option overall, in the upper and in
  the lower group; a wrong option chosen more often by the upper than by the lower group is flagged (it misleads
  the able students: the key or the option's wording needs checking), and so is an option nobody chose.
- **Reliability**: Cronbach's alpha over the items; for 0/1 items it equals KR-20 (both computed, same variance
  convention).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

UPPER_LOWER_SHARE = 0.27
BLANK = ""  # the option recorded for an unanswered choice item


@dataclass
class ItemStat:
    item: int
    n: int  # students
    max_points: float
    mean_points: float
    difficulty: float  # mean score ratio in [0, 1]; p-value for 0/1 items
    item_total: float  # Pearson r of item score with the total (nan when either is constant)
    item_rest: float  # corrected: r with the total of the other items
    upper_lower: float  # D = mean ratio in the upper group − in the lower group
    upper_mean: float
    lower_mean: float


@dataclass
class OptionStat:
    option: str
    is_key: bool
    share: float  # share of all students choosing it
    upper: float  # share of the upper group
    lower: float  # share of the lower group
    flag: str = ""  # "upper>lower" (misleads able students), "unchosen" (nobody chose it), "" otherwise


@dataclass
class TestStats:
    n_students: int
    n_items: int
    mean_total: float
    sd_total: float
    alpha: float  # Cronbach's alpha (nan with fewer than 2 items or a constant total)
    kr20: float | None  # KR-20 when every item is scored 0/1, else None
    items: list[ItemStat] = field(default_factory=list)
    group_size: int = 0  # students in each of the upper and lower groups


def _as_table(scores: np.ndarray | Sequence[Sequence[float]]) -> np.ndarray:
    table = np.asarray(scores, dtype=float)
    if table.ndim != 2:
        raise ValueError("scores must be a students × items table")
    return table


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    sa, sb = a.std(), b.std()
    if sa < 1e-12 or sb < 1e-12:
        return float("nan")
    return float(np.mean((a - a.mean()) * (b - b.mean())) / (sa * sb))


def groups(totals: np.ndarray, share: float = UPPER_LOWER_SHARE) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the upper and the lower group: round(share · N) students each (at least 1), by total; ties
    at the boundary are broken by the students' order (earlier first in both groups)."""
    n = totals.size
    size = max(1, round(share * n)) if n else 0
    order = np.lexsort((np.arange(n), -totals))  # by total descending, then student order
    upper = order[:size]
    low_order = np.lexsort((np.arange(n), totals))  # by total ascending, then student order
    lower = low_order[:size]
    return upper, lower


def cronbach_alpha(scores: np.ndarray | Sequence[Sequence[float]]) -> float:
    """k/(k−1) · (1 − Σ var(item) / var(total)); NaN cells score 0."""
    table = np.nan_to_num(_as_table(scores))
    k = table.shape[1]
    var_total = table.sum(axis=1).var()
    if k < 2 or var_total < 1e-12:
        return float("nan")
    return float(k / (k - 1) * (1.0 - table.var(axis=0).sum() / var_total))


def kr20(scores: np.ndarray | Sequence[Sequence[float]]) -> float:
    """KR-20 for 0/1 items: k/(k−1) · (1 − Σ p(1−p) / var(total)), population variances (ValueError otherwise)."""
    table = np.nan_to_num(_as_table(scores))
    if not np.isin(table, (0.0, 1.0)).all():
        raise ValueError("KR-20 needs items scored 0/1")
    k = table.shape[1]
    var_total = table.sum(axis=1).var()
    if k < 2 or var_total < 1e-12:
        return float("nan")
    p = table.mean(axis=0)
    return float(k / (k - 1) * (1.0 - np.sum(p * (1 - p)) / var_total))


def item_statistics(
    scores: np.ndarray | Sequence[Sequence[float]],
    max_points: Sequence[float] | np.ndarray | None = None,
    *,
    share: float = UPPER_LOWER_SHARE,
) -> TestStats:
    """Difficulty, discrimination and reliability of every item (see the module doc)."""
    table = np.nan_to_num(_as_table(scores))
    n, k = table.shape
    full = np.ones(k) if max_points is None else np.asarray(max_points, dtype=float)
    if full.shape != (k,) or np.any(full <= 0):
        raise ValueError("max_points needs one positive value per item")
    if np.any(table < 0) or np.any(table > full[None, :] + 1e-9):
        raise ValueError("a score is below 0 or above the item's full marks")
    totals = table.sum(axis=1)
    upper, lower = groups(totals, share)
    ratio = table / full[None, :]
    dichotomous = bool(np.isin(table, (0.0, 1.0)).all() and np.all(full == 1))
    items = []
    for i in range(k):
        col = table[:, i]
        up = float(ratio[upper, i].mean()) if upper.size else float("nan")
        lo = float(ratio[lower, i].mean()) if lower.size else float("nan")
        items.append(
            ItemStat(
                item=i,
                n=n,
                max_points=float(full[i]),
                mean_points=float(col.mean()) if n else float("nan"),
                difficulty=float(ratio[:, i].mean()) if n else float("nan"),
                item_total=_corr(col, totals),
                item_rest=_corr(col, totals - col),
                upper_lower=up - lo,
                upper_mean=up,
                lower_mean=lo,
            )
        )
    return TestStats(
        n_students=n,
        n_items=k,
        mean_total=float(totals.mean()) if n else float("nan"),
        sd_total=float(totals.std()) if n else float("nan"),
        alpha=cronbach_alpha(table),
        kr20=kr20(table) if dichotomous else None,
        items=items,
        group_size=int(upper.size),
    )


def distractors(
    choices: Sequence[str | None],
    key: str,
    totals: np.ndarray | Sequence[float],
    options: Sequence[str] = ("A", "B", "C", "D"),
    *,
    share: float = UPPER_LOWER_SHARE,
) -> list[OptionStat]:
    """Option shares of one choice item, overall and in the upper / lower group by ``totals`` (the students'
    totals on the whole paper, same order as ``choices``). ``None`` or "" is a blank; options outside
    ``options`` are added after them in order of appearance. For a 多选 item pass the chosen set as one
    string (e.g. "AC") and the key the same way."""
    picked = np.array([BLANK if c is None else str(c).strip().upper() for c in choices], dtype=object)
    tot = np.asarray(totals, dtype=float)
    if tot.shape != picked.shape:
        raise ValueError("choices and totals need one value per student")
    upper, lower = groups(tot, share)
    listed = [str(o).upper() for o in options]
    extra = [c for c in dict.fromkeys(picked.tolist()) if c not in listed and c != BLANK]
    key = key.strip().upper()
    if key not in listed and key not in extra:
        listed.append(key)
    out = []
    n = picked.size
    for opt in [*listed, *extra, BLANK]:
        chose = picked == opt
        if opt == BLANK and not chose.any():
            continue
        st = OptionStat(
            option=opt,
            is_key=opt == key,
            share=float(chose.mean()) if n else 0.0,
            upper=float(chose[upper].mean()) if upper.size else 0.0,
            lower=float(chose[lower].mean()) if lower.size else 0.0,
        )
        if opt not in (key, BLANK):
            if not chose.any():
                st.flag = "unchosen"
            elif st.upper > st.lower:
                st.flag = "upper>lower"
        out.append(st)
    return out
