"""Evaluation metrics (numpy only): AUC with tied ranks, accuracy at 0.5, RMSE."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def auc(label: ArrayLike, score: ArrayLike) -> float:
    """Area under the ROC curve (Mann-Whitney), ties counted half; nan when one class is missing."""
    y = np.asarray(label, dtype=bool)
    s = np.asarray(score, dtype=float)
    n_pos = int(y.sum())
    n_neg = y.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(s.size, dtype=float)
    sorted_s = s[order]
    # average ranks over runs of equal scores
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_s)) + 1]
    ends = np.r_[starts[1:], s.size]
    avg = (starts + ends + 1) / 2.0
    ranks[order] = np.repeat(avg, ends - starts)
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def accuracy(label: ArrayLike, prob: ArrayLike) -> float:
    y = np.asarray(label, dtype=bool)
    p = np.asarray(prob, dtype=float)
    return float(np.mean((p >= 0.5) == y))


def rmse(target: ArrayLike, prob: ArrayLike) -> float:
    t = np.asarray(target, dtype=float)
    p = np.asarray(prob, dtype=float)
    return float(np.sqrt(np.mean((p - t) ** 2)))


def summary(score: ArrayLike, prob: ArrayLike) -> dict[str, float]:
    """AUC and accuracy against ``score >= 0.5``, RMSE against the raw score."""
    s = np.asarray(score, dtype=float)
    label = s >= 0.5
    return {"auc": auc(label, prob), "acc": accuracy(label, prob), "rmse": rmse(s, prob)}
