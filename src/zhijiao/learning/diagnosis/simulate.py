"""Exams and homework simulated from a KNOWN true mastery per student × knowledge point (numpy only, seeded).

The demo term and the recovery benchmark draw their answers here, so a diagnosis can be checked against the truth.

- ``draw_q``: a Q-matrix (items × knowledge points), 1–3 points per item, every knowledge point measured by at
  least two items when there are enough items.
- ``draw_mastery``: true 0/1 mastery per student × knowledge point from a general ability (correlated knowledge
  points), a class effect and a per-point difficulty (share mastering it).
- ``answer``: the answers to given items from a given mastery table — ``dina`` (P = guess, or 1 − slip when every
  point the item needs is mastered) or ``logistic`` (the same jump on the logit scale plus a slope on the
  ability); an item worth several points scores Binomial(points, P).
- ``simulate_exam``: all of it at once, with the truth kept.
- ``simulate_homework``: a term of homework answered in order; each practice of a knowledge point not yet
  mastered may master it (probability ``learn``), so the truth moves and knowledge tracing has something to find.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cdm import Responses


@dataclass
class SimulatedExam:
    q: np.ndarray  # items × knowledge points, 0/1
    mastery: np.ndarray  # students × knowledge points, 0/1: the truth
    ability: np.ndarray  # students: general ability θ
    group: np.ndarray  # students: class index
    points: np.ndarray  # items: full marks
    slip: np.ndarray  # items
    guess: np.ndarray  # items
    scores: np.ndarray  # students × items: points scored

    def responses(self) -> Responses:
        """Every answer as a row (score = points scored / full marks), for the diagnosis models."""
        n_u, n_i = self.scores.shape
        return Responses(
            np.repeat(np.arange(n_u), n_i),
            np.tile(np.arange(n_i), n_u),
            (self.scores / self.points[None, :]).ravel(),
            n_u,
            n_i,
        )


def draw_q(n_items: int, n_skills: int, rng: np.random.Generator, *, max_per_item: int = 3) -> np.ndarray:
    q = np.zeros((n_items, n_skills), dtype=int)
    for i in range(n_items):
        if i < 2 * n_skills:  # the first items cover each point twice, alone
            q[i, i % n_skills] = 1
        else:
            width = int(rng.integers(1, min(max_per_item, n_skills) + 1))
            q[i, rng.choice(n_skills, size=width, replace=False)] = 1
    return q


def draw_mastery(
    n_students: int,
    n_skills: int,
    rng: np.random.Generator,
    *,
    n_groups: int = 1,
    rates: np.ndarray | None = None,
    correlation: float = 0.5,
    group_sd: float = 0.4,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mastery 0/1, ability, class) per student. ``rates``: the share mastering each point (default 0.35…0.8);
    ``correlation``: the share of each point's latent variance due to the general ability."""
    from statistics import NormalDist

    rates = np.linspace(0.35, 0.8, n_skills) if rates is None else np.asarray(rates, dtype=float)
    group = rng.integers(0, n_groups, n_students)
    effect = rng.normal(0.0, group_sd, n_groups) if n_groups > 1 else np.zeros(1)
    ability = rng.standard_normal(n_students) + effect[group]
    latent = np.sqrt(correlation) * ability[:, None] + np.sqrt(1 - correlation) * rng.standard_normal(
        (n_students, n_skills)
    )
    cut = np.array([NormalDist().inv_cdf(1 - r) for r in rates])
    return (latent > cut[None, :]).astype(int), ability, group


def answer(
    mastery: np.ndarray,
    q: np.ndarray,
    rng: np.random.Generator,
    *,
    slip: np.ndarray,
    guess: np.ndarray,
    ability: np.ndarray | None = None,
    slope: float = 0.0,
    points: np.ndarray | None = None,
    model: str = "dina",
) -> np.ndarray:
    """Points scored per student × item. ``logistic``: logit P = logit(guess) + jump·η + slope·θ, the jump taking
    P to 1 − slip at θ = 0 for students with η = 1."""
    eta = (mastery @ q.T) >= q.sum(axis=1)[None, :]
    if model == "dina":
        p = np.where(eta, 1.0 - slip[None, :], guess[None, :])
    elif model == "logistic":
        lg = np.log(guess / (1 - guess))
        jump = np.log((1 - slip) / slip) - lg
        theta = np.zeros(mastery.shape[0]) if ability is None else ability
        z = lg[None, :] + jump[None, :] * eta + slope * theta[:, None]
        p = 1.0 / (1.0 + np.exp(-z))
    else:
        raise ValueError(f"unknown answer model {model!r} (dina, logistic)")
    full = np.ones(q.shape[0], dtype=int) if points is None else np.asarray(points, dtype=int)
    return rng.binomial(full[None, :], p).astype(float)


def simulate_exam(
    n_students: int = 1000,
    n_items: int = 25,
    n_skills: int = 8,
    *,
    n_groups: int = 1,
    model: str = "logistic",
    slope: float = 0.5,
    points: np.ndarray | None = None,
    seed: int = 0,
) -> SimulatedExam:
    """An exam with a drawn Q-matrix, true mastery, slip in 0.05–0.2 and guess in 0.1–0.3 per item."""
    rng = np.random.default_rng(seed)
    q = draw_q(n_items, n_skills, rng)
    mastery, ability, group = draw_mastery(n_students, n_skills, rng, n_groups=n_groups)
    slip = rng.uniform(0.05, 0.2, n_items)
    guess = rng.uniform(0.1, 0.3, n_items)
    full = np.ones(n_items, dtype=int) if points is None else np.asarray(points, dtype=int)
    scores = answer(mastery, q, rng, slip=slip, guess=guess, ability=ability, slope=slope, points=full, model=model)
    return SimulatedExam(q, mastery, ability, group, full.astype(float), slip, guess, scores)


@dataclass
class SimulatedHomework:
    q: np.ndarray  # items × knowledge points
    start: np.ndarray  # students × knowledge points: true mastery at the start of the term
    end: np.ndarray  # ... and at its end
    user: np.ndarray  # answers in order: student, item, day, correct 0/1, and the truth just before the answer
    item: np.ndarray
    day: np.ndarray
    correct: np.ndarray
    mastered_before: np.ndarray  # answers × knowledge points of the item: 1 when every point was mastered


def simulate_homework(
    n_students: int = 200,
    n_items: int = 40,
    n_skills: int = 6,
    *,
    assignments: int = 12,
    per_assignment: int = 8,
    learn: float = 0.15,
    seed: int = 0,
) -> SimulatedHomework:
    """``assignments`` homework sets (every few days), each of ``per_assignment`` items on one or two knowledge
    points; DINA answers from the mastery at that moment, then each practised point not mastered is learnt with
    probability ``learn``."""
    rng = np.random.default_rng(seed)
    q = draw_q(n_items, n_skills, rng, max_per_item=2)
    mastery, _, _ = draw_mastery(n_students, n_skills, rng, rates=np.linspace(0.2, 0.5, n_skills))
    start = mastery.copy()
    slip = rng.uniform(0.05, 0.15, n_items)
    guess = rng.uniform(0.1, 0.25, n_items)
    users, items, days, correct, before = [], [], [], [], []
    for a in range(assignments):
        focus = rng.choice(n_skills, size=min(2, n_skills), replace=False)
        pool = np.flatnonzero(q[:, focus].any(axis=1))
        chosen = rng.choice(pool, size=min(per_assignment, pool.size), replace=False)
        for i in chosen:
            eta = (mastery @ q[i]) >= q[i].sum()
            p = np.where(eta, 1 - slip[i], guess[i])
            ans = (rng.random(n_students) < p).astype(int)
            users.append(np.arange(n_students))
            items.append(np.full(n_students, i))
            days.append(np.full(n_students, 3 * a))
            correct.append(ans)
            before.append(eta.astype(int))
            needs = q[i].astype(bool)
            learnt = rng.random((n_students, n_skills)) < learn
            mastery[:, needs] |= learnt[:, needs].astype(int)
    # answers in order per student (all of student 0's, then student 1's ...), as the KT files are
    u, it, d, c, b = (np.stack(x, axis=1).ravel() for x in (users, items, days, correct, before))
    order = np.lexsort((np.arange(u.size), u))
    return SimulatedHomework(q, start, mastery, u[order], it[order], d[order], c[order], b[order])


def recovery(truth: np.ndarray, estimate: np.ndarray) -> list[dict[str, float]]:
    """Per knowledge point: correlation between true 0/1 mastery and the estimated P(mastered), the share
    classified right at 0.5, and the true and estimated shares mastering it."""
    out = []
    for k in range(truth.shape[1]):
        t, e = truth[:, k].astype(float), estimate[:, k]
        r = float(np.corrcoef(t, e)[0, 1]) if t.std() > 0 and e.std() > 0 else float("nan")
        out.append(
            {
                "skill": k,
                "corr": r,
                "accuracy": float(np.mean((e >= 0.5) == (t >= 0.5))),
                "true_rate": float(t.mean()),
                "estimated_rate": float(e.mean()),
            }
        )
    return out
