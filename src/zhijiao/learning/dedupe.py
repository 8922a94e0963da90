"""Duplicate items: the same question typed twice (or imported again) with other spacing, widths or punctuation.

A stem is normalised (NFKC full → half width, lower case, formulas' ``$`` and every space and punctuation mark
removed), cut into overlapping character shingles of :data:`SHINGLE` characters, and two stems are compared by the
Jaccard similarity of their shingle sets. At :data:`THRESHOLD` or above they are reported as duplicates: a warning
on save and in the editor, a ``duplicate`` row in an import (never a silent merge: a teacher may mean a variant).
Pure: no database; ``services`` feeds it the candidates (same subject and 学段, items the actor may see).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

SHINGLE = 3
THRESHOLD = 0.85

_DROP = re.compile(r"[\s$\\{}，。、；：？！“”‘’（）《》【】,.;:?!\"'()\[\]<>_]+")


def normalise(stem: str) -> str:
    """The stem as compared: NFKC, lower case, no spaces, punctuation, ``$``, braces or blank marks."""
    return _DROP.sub("", unicodedata.normalize("NFKC", stem).lower())


def shingles(norm: str) -> frozenset[str]:
    if len(norm) <= SHINGLE:
        return frozenset({norm}) if norm else frozenset()
    return frozenset(norm[i : i + SHINGLE] for i in range(len(norm) - SHINGLE + 1))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@dataclass(frozen=True)
class Match:
    key: int  # the candidate's id
    similarity: float


def find_duplicates(norm: str, candidates: Iterable[tuple[int, str]], *, threshold: float = THRESHOLD) -> list[Match]:
    """Candidates ``(id, normalised stem)`` at least ``threshold`` similar to ``norm``, most similar first."""
    mine = shingles(norm)
    found = []
    for key, other in candidates:
        if other == norm:
            found.append(Match(key, 1.0))
            continue
        # Jaccard cannot reach the threshold when the lengths differ too much: skip the set work.
        lo, hi = sorted((len(norm), len(other)))
        if hi == 0 or lo / hi < threshold:
            continue
        s = similarity(mine, shingles(other))
        if s >= threshold:
            found.append(Match(key, round(s, 3)))
    return sorted(found, key=lambda m: -m.similarity)
