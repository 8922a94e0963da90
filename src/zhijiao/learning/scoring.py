"""Scoring of one answer to one item: pure functions, no database, so marking jobs and tests call them directly.

The contract a future Response/Submission model uses::

    key = version.scoring_key()                 # ItemVersion → ScoringKey (models.py)
    result = score_response(key, response)      # → Score(points, max_points, needs_marking, detail)
    later, for 解答题/作文: score_rubric(key, {"思路": 3, "计算": 2})

What a response is, per kind:

* 单选 (``single``): one option key, ``"B"``. Exact match: full points or 0.
* 判断 (``true_false``): ``"T"``/``"F"`` (also 对/错/√/×/true/false/正确/错误). Exact: full or 0.
* 多选 (``multiple``): option keys, ``["A", "C"]`` or ``"AC"``. Exactly the right set: full points. Any wrong
  choice: 0. Only right choices but not all of them (少选) by the item's :class:`PartialRule`: ``none`` 0, ``half``
  half the points (the 高考 rule, the default), ``per_choice`` points × chosen / correct. Nothing chosen: 0.
* 填空 (``blank``): one string per blank (a list), each blank scored alone with ``points / blanks`` each.
  A blank is right when its :func:`normalise_text` form equals one of its accepted answers' (full-/half-width,
  spaces, case, Chinese punctuation folded), or both read as the same number (``0.5`` = ``1/2`` = ``50%`` =
  ``.50`` = ``５０％``).
* 解答 (``open``), 作文 (``essay``): not scored automatically: ``needs_marking=True`` and ``points=None``; a marker
  gives points per rubric criterion through :func:`score_rubric` (each criterion 0 … its points).

Points are rounded to 0.1 (the item's own precision).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction


class ItemKind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"
    BLANK = "blank"
    OPEN = "open"
    ESSAY = "essay"


OBJECTIVE = frozenset({ItemKind.SINGLE, ItemKind.MULTIPLE, ItemKind.TRUE_FALSE, ItemKind.BLANK})


class PartialRule(StrEnum):
    NONE = "none"
    HALF = "half"
    PER_CHOICE = "per_choice"


@dataclass(frozen=True)
class ScoringKey:
    kind: ItemKind
    points: float
    # 单选/判断 ("B",); 多选 ("A", "C"); 填空 (("3", "三"), ("x=2",)) accepted answers per blank; else ()
    answer: tuple = ()
    option_keys: tuple[str, ...] = ()
    partial: PartialRule = PartialRule.HALF
    rubric: tuple[tuple[str, float], ...] = ()  # (criterion, points) for 解答/作文


@dataclass(frozen=True)
class Score:
    points: float | None  # None: waits for a marker
    max_points: float
    needs_marking: bool = False
    # per blank (填空) True/False; per criterion (rubric) points; the chosen keys (多选) — for reports and feedback
    detail: tuple = field(default_factory=tuple)

    @property
    def correct(self) -> bool | None:
        """Fully right (None while it waits for marking)."""
        return None if self.points is None else self.points >= self.max_points


class ScoringError(ValueError):
    """A rubric mark out of range or for an unknown criterion (the marker's input, shown in Chinese)."""


def _round(x: float) -> float:
    return round(x + 1e-9, 1)


_TRUE = {"t", "true", "对", "√", "正确", "是", "1", "✓", "yes", "y"}
_FALSE = {"f", "false", "错", "×", "错误", "否", "0", "x", "✗", "no", "n"}


def true_false_value(value: object) -> str | None:
    """ "T", "F" or None (not a 判断 answer)."""
    if isinstance(value, bool):
        return "T" if value else "F"
    text = normalise_text(str(value))
    if text in _TRUE:
        return "T"
    if text in _FALSE:
        return "F"
    return None


def choice_keys(response: object) -> set[str]:
    """Option keys from ``["A", "c"]``, ``"AC"``, ``"A,C"`` or ``"A C"`` (full-width letters too)."""
    if response is None:
        return set()
    if isinstance(response, str):
        parts: Sequence[str] = list(re.sub(r"[\s,，、;；]", "", unicodedata.normalize("NFKC", response)))
    elif isinstance(response, Sequence):
        parts = [str(p) for p in response]
    else:
        return set()
    return {unicodedata.normalize("NFKC", p).strip().upper() for p in parts if str(p).strip()}


# Chinese punctuation that NFKC keeps, folded to what a pupil would type on an English keyboard.
_PUNCT = str.maketrans(
    {"，": ",", "。": ".", "；": ";", "：": ":", "（": "(", "）": ")", "－": "-", "—": "-", "−": "-"}
)


def normalise_text(text: str) -> str:
    """Full-width → half-width (NFKC), Chinese punctuation folded, every space removed, lower case."""
    text = unicodedata.normalize("NFKC", str(text)).translate(_PUNCT)
    return re.sub(r"\s+", "", text).lower()


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_FRACTION = re.compile(r"^([+-]?\d+)/([+-]?\d+)$")


def numeric_value(text: str) -> Fraction | None:
    """The number a normalised answer reads as (``0.5``, ``.50``, ``1/2``, ``50%``, ``-3``), else None."""
    t = normalise_text(text)
    percent = t.endswith("%")
    if percent:
        t = t[:-1]
    value: Fraction | None = None
    if _NUMBER.match(t):
        value = Fraction(t)
    else:
        m = _FRACTION.match(t)
        if m and int(m.group(2)) != 0:
            value = Fraction(int(m.group(1)), int(m.group(2)))
    if value is None:
        return None
    return value / 100 if percent else value


def blank_matches(response: str, accepted: Sequence[str]) -> bool:
    """Is one blank's answer one of the accepted ones (text after normalisation, or the same number)?"""
    given = normalise_text(response)
    if not given:
        return False
    given_number = numeric_value(given)
    for a in accepted:
        if normalise_text(a) == given:
            return True
        if given_number is not None and numeric_value(a) == given_number:
            return True
    return False


def _score_multiple(key: ScoringKey, response: object) -> Score:
    chosen = choice_keys(response)
    right = {str(a).upper() for a in key.answer}
    detail = tuple(sorted(chosen))
    if not chosen or chosen - right:
        return Score(0.0, key.points, detail=detail)
    if chosen == right:
        return Score(key.points, key.points, detail=detail)
    if key.partial == PartialRule.HALF:
        return Score(_round(key.points / 2), key.points, detail=detail)
    if key.partial == PartialRule.PER_CHOICE:
        return Score(_round(key.points * len(chosen) / len(right)), key.points, detail=detail)
    return Score(0.0, key.points, detail=detail)


def _score_blanks(key: ScoringKey, response: object) -> Score:
    if isinstance(response, str):
        answers: list[str] = [response]
    elif isinstance(response, Sequence):
        answers = [str(r) if r is not None else "" for r in response]
    else:
        answers = []
    blanks = [tuple(a) if isinstance(a, list | tuple) else (str(a),) for a in key.answer]
    if not blanks:
        return Score(0.0, key.points)
    each = key.points / len(blanks)
    hits = tuple(i < len(answers) and blank_matches(answers[i], accepted) for i, accepted in enumerate(blanks))
    return Score(_round(each * sum(hits)), key.points, detail=hits)


def score_response(key: ScoringKey, response: object) -> Score:
    """Score one answer (see the module docstring for each kind's response shape and rule)."""
    if key.kind == ItemKind.SINGLE:
        chosen = choice_keys(response)
        ok = len(chosen) == 1 and chosen == {str(a).upper() for a in key.answer}
        return Score(key.points if ok else 0.0, key.points, detail=tuple(sorted(chosen)))
    if key.kind == ItemKind.TRUE_FALSE:
        given = true_false_value(response) if response is not None else None
        right = given is not None and bool(key.answer) and given == true_false_value(key.answer[0])
        return Score(key.points if right else 0.0, key.points, detail=(given,) if given else ())
    if key.kind == ItemKind.MULTIPLE:
        return _score_multiple(key, response)
    if key.kind == ItemKind.BLANK:
        return _score_blanks(key, response)
    return Score(None, key.points, needs_marking=True)


def score_rubric(key: ScoringKey, marks: Mapping[str, float]) -> Score:
    """A marker's points per rubric criterion → the item's score. Every criterion must be marked, each within
    0 … its points (:class:`ScoringError` with a Chinese message otherwise). Without a rubric, one mark under
    the name ``"总分"`` (0 … the item's points) is the score."""
    criteria = key.rubric or (("总分", key.points),)
    names = {name for name, _ in criteria}
    unknown = set(marks) - names
    if unknown:
        raise ScoringError(f"没有这个评分项：{'、'.join(sorted(unknown))}")
    detail = []
    for name, top in criteria:
        if name not in marks:
            raise ScoringError(f"评分项“{name}”还没有给分")
        value = float(marks[name])
        if value < 0 or value > top + 1e-9:
            raise ScoringError(f"评分项“{name}”的得分应在 0 到 {top:g} 之间，现在是 {value:g}")
        detail.append((name, value))
    total = _round(sum(v for _, v in detail))
    return Score(min(total, key.points), key.points, detail=tuple(detail))
