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
from collections import Counter
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


class DuplicateIndex:
    """Stems by their shingles (an inverted index), so one lookup touches only stems sharing a shingle: an import
    of thousands of rows against a bank of tens of thousands stays fast (``docs/benchmarks.md``, “Item bank”)."""

    def __init__(self, candidates: Iterable[tuple[int, str]] = ()) -> None:
        self.postings: dict[str, list[int]] = {}
        self.sizes: dict[int, int] = {}
        self.exact: dict[str, list[int]] = {}
        for key, norm in candidates:
            self.add(key, norm)

    def add(self, key: int, norm: str) -> None:
        grams = shingles(norm)
        self.sizes[key] = len(grams)
        self.exact.setdefault(norm, []).append(key)
        for g in grams:
            self.postings.setdefault(g, []).append(key)

    def find(self, norm: str, *, threshold: float = THRESHOLD) -> list[Match]:
        """Stems at least ``threshold`` similar to ``norm``, most similar first."""
        found = {key: 1.0 for key in self.exact.get(norm, [])}
        mine = shingles(norm)
        if mine:
            shared: Counter[int] = Counter()
            for g in mine:
                shared.update(self.postings.get(g, ()))
            for key, both in shared.items():
                if key in found:
                    continue
                s = both / (len(mine) + self.sizes[key] - both)
                if s >= threshold:
                    found[key] = round(s, 3)
        return sorted((Match(k, v) for k, v in found.items()), key=lambda m: (-m.similarity, m.key))


def find_duplicates(norm: str, candidates: Iterable[tuple[int, str]], *, threshold: float = THRESHOLD) -> list[Match]:
    """Candidates ``(id, normalised stem)`` at least ``threshold`` similar to ``norm``, most similar first: a scan,
    for one stem (a save); many stems against the same candidates use :class:`DuplicateIndex`."""
    mine = shingles(norm)
    found = []
    for key, other in candidates:
        if other == norm:
            found.append(Match(key, 1.0))
            continue
        if not length_may_match(len(norm), len(other), threshold):
            continue
        s = similarity(mine, shingles(other))
        if s >= threshold:
            found.append(Match(key, round(s, 3)))
    return sorted(found, key=lambda m: (-m.similarity, m.key))


def length_may_match(a: int, b: int, threshold: float = THRESHOLD) -> bool:
    """Jaccard of two shingle sets is at most min/max of their sizes (about the lengths): skip what cannot reach."""
    lo, hi = sorted((a, b))
    return hi > 0 and lo / hi >= threshold - 0.05  # a little slack: shingle counts are length - 2, repeats merge


def length_window(n: int, threshold: float = THRESHOLD) -> tuple[int, int]:
    """The stem lengths that may match a stem of length ``n`` (for a database prefilter)."""
    ratio = threshold - 0.05
    return int(n * ratio), int(n / ratio) + 1
