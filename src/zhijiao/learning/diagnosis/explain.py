"""Which answers moved a mastery estimate (numpy only): "every figure shown to a teacher can be explained".

For the cognitive diagnosis model (``cdm.HybridDina``) a student's mastery of knowledge point k is the posterior
P(α_k = 1 | answers) = Σ_c post(c) · P(α_k = 1 | c) over the latent classes c. Leaving one answer j out, with the
item parameters fixed, divides its likelihood out of the posterior exactly:

    post₋ⱼ(c) ∝ post(c) / P(answer j | c)

so the answer's **contribution** to the estimate is mastery − mastery without it (in probability points): positive
when the answer raised it, negative when it lowered it. No refit, one vector operation per answer; the test checks it
against diagnosing the student again without that answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cdm import HybridDina, Responses


@dataclass
class Influence:
    item: int
    score: float
    delta: float  # mastery − mastery without this answer


def answer_contributions(model: HybridDina, data: Responses, user: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For one student: the row indices of their answers in ``data``, their mastery per knowledge point, and the
    contribution of each answer to each knowledge point's mastery (answers × knowledge points)."""
    rows = np.flatnonzero(data.user == user)
    logp1, logp0 = model.class_logp()
    cm = model.class_mastery()
    item, score = data.item[rows], data.score[rows]
    per_answer = score[:, None] * logp1[:, item].T + (1.0 - score)[:, None] * logp0[:, item].T  # answers × classes
    ll = np.log(model.prior) + per_answer.sum(axis=0)
    post = np.exp(ll - ll.max())
    post /= post.sum()
    mastery = post @ cm
    # leave one answer out: divide its likelihood out of the posterior
    loo = ll[None, :] - per_answer
    loo = np.exp(loo - loo.max(axis=1, keepdims=True))
    loo /= loo.sum(axis=1, keepdims=True)
    return rows, mastery, mastery[None, :] - loo @ cm


def explain_mastery(model: HybridDina, data: Responses, user: int, *, top: int = 3) -> dict[int, list[Influence]]:
    """Per knowledge point: the ``top`` answers of the student that moved its mastery most (largest |delta|
    first)."""
    rows, _, delta = answer_contributions(model, data, user)
    out: dict[int, list[Influence]] = {}
    for k in range(delta.shape[1]):
        order = np.argsort(-np.abs(delta[:, k]), kind="stable")[:top]
        out[k] = [Influence(int(data.item[rows[j]]), float(data.score[rows[j]]), float(delta[j, k])) for j in order]
    return out
