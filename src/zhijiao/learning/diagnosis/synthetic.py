"""Simulated response data with known truth, for tests and for checking the models on data of any shape."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cdm import Responses
from .kt import Interactions


@dataclass
class CdmTruth:
    q: np.ndarray  # items × skills
    mastery: np.ndarray  # students × skills, 0/1
    ability: np.ndarray  # students
    table: np.ndarray  # students × items, 0/1 answers


def simulate_cdm(
    n_users: int = 300, n_items: int = 15, n_skills: int = 4, *, slip: float = 0.1, guess: float = 0.2, seed: int = 0
) -> CdmTruth:
    """DINA answers with a 2PL-like nudge from a general ability correlated with the skills' mastery."""
    rng = np.random.default_rng(seed)
    q = np.zeros((n_items, n_skills), dtype=int)
    for i in range(n_items):
        q[i, rng.choice(n_skills, size=1 + i % min(3, n_skills), replace=False)] = 1
    ability = rng.standard_normal(n_users)
    difficulty = np.linspace(-1.0, 1.0, n_skills)
    mastery = (ability[:, None] + rng.standard_normal((n_users, n_skills)) > difficulty[None, :]).astype(int)
    eta = (mastery @ q.T) == q.sum(axis=1)[None, :]
    base = np.where(eta, 1 - slip, guess)
    z = np.log(base / (1 - base)) + 0.5 * ability[:, None]
    table = (rng.random((n_users, n_items)) < 1 / (1 + np.exp(-z))).astype(int)
    return CdmTruth(q, mastery, ability, table)


def split_table(table: np.ndarray, test: float = 0.2, seed: int = 0) -> tuple[Responses, Responses]:
    """A seeded split of each student's answers, as the public FrcSub split is made."""
    rng = np.random.default_rng(seed)
    n_users, n_items = table.shape
    held = np.zeros(table.shape, dtype=bool)
    for u in range(n_users):
        held[u, rng.choice(n_items, size=max(1, round(n_items * test)), replace=False)] = True
    users = np.repeat(np.arange(n_users), n_items).reshape(n_users, n_items)
    items = np.tile(np.arange(n_items), (n_users, 1))

    def part(mask: np.ndarray) -> Responses:
        return Responses(users[mask], items[mask], table[mask].astype(float), n_users, n_items)

    return part(~held), part(held)


def simulate_kt(
    n_users: int = 200, n_items: int = 40, n_skills: int = 5, length: int = 60, *, seed: int = 0
) -> Interactions:
    """Students practise items of skills in blocks; each attempt raises the skill's knowledge (learning)."""
    rng = np.random.default_rng(seed)
    item_skill = np.arange(n_items) % n_skills
    item_diff = rng.normal(0, 0.7, n_items)
    rows: list[tuple[int, int, int, float, int]] = []
    for u in range(n_users):
        ability = rng.normal(0, 1)
        know = rng.normal(-0.5, 0.5, n_skills)
        rate = np.abs(rng.normal(0.25, 0.1))
        t = 0.0
        while len(rows) < (u + 1) * length:
            s = int(rng.integers(n_skills))
            for _ in range(int(rng.integers(3, 9))):
                i = int(rng.choice(np.flatnonzero(item_skill == s)))
                p = 1 / (1 + np.exp(-(ability + know[s] - item_diff[i])))
                c = int(rng.random() < p)
                rows.append((u, i, s, t, c))
                know[s] += rate * (1.5 if c else 1.0)
                t += float(rng.exponential(60.0))
        del rows[(u + 1) * length :]
    arr = np.array(rows, dtype=float)
    return Interactions(
        arr[:, 0].astype(np.int64),
        arr[:, 1].astype(np.int64),
        arr[:, 2].astype(np.int64),
        arr[:, 3],
        arr[:, 4],
        n_items,
        n_skills,
    )
