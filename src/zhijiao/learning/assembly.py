"""Automatic paper assembly (自动组卷) from a 双向细目表: pure, seeded, no database.

A blueprint is a list of :class:`Target` rows, each "knowledge point × difficulty × type: n items (at p points
each)". :func:`assemble` picks, for every row, ``count`` candidates that carry the knowledge point (any point when
the row names none), have the difficulty (any when None) and the type, never the same item twice on one paper.
Rows with the fewest candidates are served first, so a scarce row is not starved by a broad one that could have
used other items; within a row the choice is a shuffle by ``random.Random(seed)``, so the same seed and the same
bank give the same paper and another seed a different one. Whatever a row cannot get is reported in Chinese
("知识点 一元二次方程 中等难度 单选题 缺2题"); the rest of the paper is still assembled.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

TYPE_LABELS = {
    "single": "单选题",
    "multiple": "多选题",
    "true_false": "判断题",
    "blank": "填空题",
    "open": "解答题",
    "essay": "作文",
}
DIFFICULTY_NAMES = {1: "容易", 2: "较易", 3: "中等", 4: "较难", 5: "困难"}


@dataclass(frozen=True)
class Candidate:
    item_id: int
    version_id: int
    type: str
    difficulty: int
    points: float
    points_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Target:
    type: str
    count: int
    point_id: int | None = None
    point_name: str = ""
    difficulty: int | None = None
    points: float | None = None  # points per item on the paper; None: the item's own

    def accepts(self, c: Candidate) -> bool:
        return (
            c.type == self.type
            and (self.difficulty is None or c.difficulty == self.difficulty)
            and (self.point_id is None or self.point_id in c.points_ids)
        )

    def label(self) -> str:
        parts = [f"知识点 {self.point_name}" if self.point_name else "不限知识点"]
        parts.append(f"{DIFFICULTY_NAMES[self.difficulty]}难度" if self.difficulty else "不限难度")
        parts.append(TYPE_LABELS.get(self.type, self.type))
        return " ".join(parts)


@dataclass(frozen=True)
class Pick:
    target: int  # index of the row in the blueprint
    candidate: Candidate
    points: float


@dataclass
class Assembly:
    picks: list[Pick] = field(default_factory=list)
    shortfalls: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(p.points for p in self.picks)

    @property
    def complete(self) -> bool:
        return not self.shortfalls


def assemble(targets: Sequence[Target], candidates: Sequence[Candidate], *, seed: int) -> Assembly:
    rng = random.Random(seed)  # noqa: S311  (a reproducible choice of questions, not a secret)
    pool = sorted(candidates, key=lambda c: c.item_id)  # the input's order never matters, only the seed
    matching = [[c for c in pool if t.accepts(c)] for t in targets]
    used: set[int] = set()
    chosen: dict[int, list[Candidate]] = {}
    # scarce rows first (fewest candidates per item wanted); ties by blueprint order
    for index in sorted(range(len(targets)), key=lambda i: (len(matching[i]) / max(targets[i].count, 1), i)):
        options = [c for c in matching[index] if c.item_id not in used]
        rng.shuffle(options)
        taken = options[: max(targets[index].count, 0)]
        used.update(c.item_id for c in taken)
        chosen[index] = taken
    result = Assembly()
    for index, target in enumerate(targets):
        taken = chosen.get(index, [])
        for c in taken:
            result.picks.append(Pick(index, c, target.points if target.points else c.points))
        missing = target.count - len(taken)
        if missing > 0:
            result.shortfalls.append(f"{target.label()} 缺{missing}题")
    return result
