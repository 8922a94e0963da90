"""Knowledge tracing: predict each answer from the student's earlier answers (numpy only).

- ``FeatureLr``: the default. A Best-LR / DAS3H-style logistic model on a sparse design: item and skill
  difficulty, the student's earlier attempts and successes (log-scaled) overall, on the skill and on the item,
  smoothed success rates, the last answer overall and on the skill, exponentially decayed success and failure
  sums (recency) and, when the data have timestamps, attempts and successes on the skill in time windows (1 h,
  1 d, 1 w, 30 d) and the time since the last attempt. The skill's own counts get per-skill weights (PFA).
  Fitted with L-BFGS and L2; the prior strength is chosen on a validation split of the training students.
- ``Bkt``: Bayesian knowledge tracing per skill (prior, learn, guess, slip), fitted by coordinate-wise grid
  search on the likelihood, a baseline.

Every feature of a row is computed from the same student's EARLIER rows (file order), so a prediction never
sees the current or a later answer; test students are predicted from their own earlier test rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .metrics import auc
from .optim import lbfgs


@dataclass
class Interactions:
    """Interactions in file order: student, item and skill indices, timestamp (seconds), correct 0/1."""

    user: np.ndarray
    item: np.ndarray
    skill: np.ndarray
    timestamp: np.ndarray
    correct: np.ndarray
    n_items: int
    n_skills: int

    def subset(self, mask: np.ndarray) -> Interactions:
        return Interactions(
            self.user[mask],
            self.item[mask],
            self.skill[mask],
            self.timestamp[mask],
            self.correct[mask],
            self.n_items,
            self.n_skills,
        )


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


# ------------------------------------------------------------------------------------------ group scans


@dataclass
class _Groups:
    """Rows grouped by a key, in file order within each group: the previous row of the group and the rank."""

    prev: np.ndarray  # index of the previous row of the same group, -1 for the first
    rank: np.ndarray  # 0-based position in the group
    order: np.ndarray  # rows sorted by (group, file order)
    gid: np.ndarray  # dense group id per row


def _groups(*keys: np.ndarray) -> _Groups:
    # one int64 key per row (mixed radix over the keys' ranges), sorted stably: rows of a group stay in file order
    key = np.zeros(keys[0].size, dtype=np.int64)
    span = 1
    for k in keys:
        k = np.asarray(k, dtype=np.int64)
        lo = int(k.min()) if k.size else 0
        width = int(k.max()) - lo + 1 if k.size else 1
        span *= width
        key = key * width + (k - lo)
    if span >= 2**62:  # the mixed-radix key would overflow: dense ids per key first
        _, key = np.unique(np.stack(keys, axis=1), axis=0, return_inverse=True)
        key = key.ravel()
    order = np.argsort(key, kind="stable")
    k_sorted = key[order]
    first = np.r_[True, k_sorted[1:] != k_sorted[:-1]] if order.size else np.zeros(0, dtype=bool)
    gid = np.empty(order.size, dtype=np.int64)
    gid[order] = np.cumsum(first) - 1
    starts = np.flatnonzero(first)
    rank_sorted = np.arange(order.size) - np.repeat(starts, np.diff(np.r_[starts, order.size]))
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = rank_sorted
    prev = np.full(order.size, -1, dtype=np.int64)
    prev[order[~first]] = order[np.flatnonzero(~first) - 1]
    return _Groups(prev, rank, order, gid)


def _prior_sum(g: _Groups, x: np.ndarray) -> np.ndarray:
    """Sum of x over the group's earlier rows."""
    xs = x[g.order]
    cs = np.cumsum(xs) - xs
    # restart the cumulative sum at each group's first row
    first = g.rank[g.order] == 0
    base = np.maximum.accumulate(np.where(first, np.arange(xs.size), 0))
    offset = cs[base]
    out = np.empty_like(cs)
    out[g.order] = cs - offset
    return out


def _decayed(g: _Groups, x: np.ndarray, decay: float) -> np.ndarray:
    """Σ over earlier rows j of the group of decay^(rows between) · x_j (state before each row)."""
    out = np.zeros(x.size)
    by_rank = np.argsort(g.rank, kind="stable")
    counts = np.bincount(g.rank)
    pos = counts[0]
    for r in range(1, counts.size):
        rows = by_rank[pos : pos + counts[r]]
        pos += counts[r]
        p = g.prev[rows]
        out[rows] = decay * (out[p] + x[p])
    return out


def _last(g: _Groups, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indicators: the group's previous row had x = 1 / had x = 0 (both 0 for the first row)."""
    has = g.prev >= 0
    px = np.where(has, x[np.maximum(g.prev, 0)], 0.0)
    return np.where(has, px, 0.0), np.where(has, 1.0 - px, 0.0)


def _in_window(g: _Groups, ts: np.ndarray, x: np.ndarray, window: float) -> tuple[np.ndarray, np.ndarray]:
    """Earlier rows of the group with timestamp ≥ t − window: their count and the sum of x over them."""
    o = g.order
    gs, tss = g.gid[o].astype(np.float64), ts[o] - ts.min()
    span = float(tss.max()) + window + 1.0
    key = gs * span + tss
    lo = np.searchsorted(key, gs * span + np.maximum(tss - window, 0.0), side="left")
    idx = np.arange(o.size)
    xs = np.r_[0.0, np.cumsum(x[o])]
    cnt = np.empty(o.size)
    tot = np.empty(o.size)
    cnt[o] = idx - lo
    tot[o] = xs[idx] - xs[lo]
    return cnt, tot


def _logit_rate(c: np.ndarray, n: np.ndarray) -> np.ndarray:
    return np.log((c + 1.0) / (n - c + 1.0))


WINDOWS = (3600.0, 86400.0, 7 * 86400.0, 30 * 86400.0)
DECAYS = (0.5, 0.8, 0.95)
LAGS = 6


def features(data: Interactions) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The dense design X (rows × features), the per-skill block G and the feature names."""
    y = data.correct.astype(float)
    cols: dict[str, np.ndarray] = {}
    skill_cols: dict[str, np.ndarray] = {}
    for name, keys in (
        ("all", (data.user,)),
        ("skill", (data.user, data.skill)),
        ("item", (data.user, data.item)),
    ):
        g = _groups(*keys)
        n = g.rank.astype(float)
        c = _prior_sum(g, y)
        cols[f"{name}_correct"] = np.log1p(c)
        cols[f"{name}_wrong"] = np.log1p(n - c)
        cols[f"{name}_rate"] = _logit_rate(c, n)
        last_ok, last_bad = _last(g, y)
        cols[f"{name}_last_ok"], cols[f"{name}_last_bad"] = last_ok, last_bad
        if name != "item":
            for decay in DECAYS:
                cols[f"{name}_dec{decay}_ok"] = _decayed(g, y, decay)
                cols[f"{name}_dec{decay}_bad"] = _decayed(g, 1.0 - y, decay)
        if name == "skill":
            skill_cols = {
                k: cols[f"skill_{k}"]
                for k in ("correct", "wrong", "rate", "last_ok", "last_bad", "dec0.5_ok", "dec0.5_bad")
            }
            if np.ptp(data.timestamp) > 0:
                for w in WINDOWS:
                    cnt, tot = _in_window(g, data.timestamp, y, w)
                    cols[f"skill_win{int(w)}_n"] = np.log1p(cnt)
                    cols[f"skill_win{int(w)}_ok"] = np.log1p(tot)
                has = g.prev >= 0
                gap = np.where(has, data.timestamp - data.timestamp[np.maximum(g.prev, 0)], 0.0)
                cols["skill_log_gap"] = np.where(has, np.log1p(np.maximum(gap, 0.0)), 0.0)
    skill_cols["all_rate"] = cols["all_rate"]
    names = list(cols)
    x = np.stack([cols[k] for k in names], axis=1)
    gmat = np.stack(list(skill_cols.values()), axis=1)
    return x, gmat, names


def transfer_index(data: Interactions, lags: int = LAGS) -> np.ndarray:
    """For each row and lag l = 1..lags: the index of (current skill, skill and outcome of the student's l-th
    previous answer) in a skill × (2·skill) table, or -1 when there is no such answer. Their weights carry what
    one skill's success says about another's (what a recurrent model learns), at the cost of one table."""
    g = _groups(data.user)
    y = (data.correct >= 0.5).astype(np.int64)
    out = np.full((data.user.size, lags), -1, dtype=np.int64)
    prev = g.prev
    for lag in range(lags):
        has = prev >= 0
        p = np.maximum(prev, 0)
        out[:, lag] = np.where(has, data.skill * (2 * data.n_skills) + 2 * data.skill[p] + y[p], -1)
        prev = np.where(has, g.prev[p], -1)
    return out


def _shared_sum(idx: np.ndarray, weights: np.ndarray, r: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros(size)
    for col, wt in enumerate(weights):
        out += np.bincount(np.maximum(idx[:, col], 0), weights=wt * r * (idx[:, col] >= 0), minlength=size)
    return out


@dataclass
class _Design:
    x: np.ndarray  # dense features, standardised
    g: np.ndarray  # per-skill-weighted features
    sparse: list[tuple[np.ndarray, int]]  # one-hot blocks: (index per row, -1 = none; block size)
    shared: list[tuple[np.ndarray, np.ndarray, int]] = field(
        default_factory=list
    )  # (rows × L indices, L weights, size)


@dataclass
class _Flat:
    g_idx: np.ndarray  # rows × per-skill features: parameter index of the row's skill's weight
    sp_idx: np.ndarray  # rows × tables: parameter index of the row's cell, ``total`` when none
    total: int  # parameters
    x_start: int
    g_start: int


@dataclass
class FeatureLr:
    """Best-LR / DAS3H-style logistic regression with per-skill weights and skill transfer (see module doc)."""

    l2: float | None = None
    max_iter: int = 80
    lags: int = LAGS
    count_bins: bool = False  # per-skill attempt-count bins: neutral on ASSIST2015 validation, off
    decayed_lags: int = 0  # >0: one shared transfer table over that many answers, weighted decay^(lag-1)
    decay: float = 0.8
    transfer_l2: float = 10.0  # the transfer tables' prior, relative to the other tables' (their cells see fewer rows)
    seed: int = 0
    refit_iter: int = 30  # >0: warm-start the final fit from the chosen validation fit, this many iterations
    name: str = "lr"
    chosen: dict[str, float] = field(default_factory=dict)

    def fit(self, data: Interactions, valid_users: np.ndarray | None = None) -> FeatureLr:
        """Fit; the L2 strength is picked on ``valid_users`` (default: a random fifth of the students)."""
        self._n_skills = data.n_skills
        x, gmat, self.names = features(data)
        self.mean = x.mean(axis=0)
        self.std = x.std(axis=0) + 1e-9
        self.keep = x.std(axis=0) > 1e-12
        self.gstd = gmat.std(axis=0) + 1e-9
        design = self._design(data, x, gmat)
        y = data.correct.astype(float)
        grid = [self.l2] if self.l2 is not None else [0.5, 3.0]
        best_l2 = grid[0]
        best_w: np.ndarray | None = None
        if len(grid) > 1:
            users = np.unique(data.user)
            if valid_users is None:
                rng = np.random.default_rng(self.seed)
                valid_users = rng.choice(users, size=max(1, users.size // 5), replace=False)
            held = np.isin(data.user, valid_users)
            train, valid = self._rows(design, ~held), self._rows(design, held)
            best = -1.0
            for lam in grid:
                w = self._fit(train, data.skill[~held], y[~held], lam, max_iter=max(20, self.max_iter // 2))
                prob = self._predict(w, valid, data.skill[held])
                score = auc(y[held], prob)
                if score > best:
                    best, best_l2, best_w = score, lam, w
                    # kept for an ensemble's weights: held-out predictions of the fit on the other students
                    self.held, self.held_prob = held, prob
        self.chosen = {"l2": best_l2}
        if best_w is not None and self.refit_iter:
            # the final fit on every student starts from the chosen fit on four fifths of them: far fewer steps
            self.w = self._fit(design, data.skill, y, best_l2, max_iter=self.refit_iter, w0=best_w)
        else:
            self.w = self._fit(design, data.skill, y, best_l2)
        return self

    def _design(self, data: Interactions, x: np.ndarray, gmat: np.ndarray) -> _Design:
        sparse = [(data.item, data.n_items), (data.skill, data.n_skills)]
        if self.lags:
            idx = transfer_index(data, self.lags)
            sparse += [(idx[:, lag], data.n_skills * 2 * data.n_skills) for lag in range(self.lags)]
        if self.count_bins:
            # per-skill learning curves: a table of (skill, attempts so far on it, binned)
            g = _groups(data.user, data.skill)
            bins = np.minimum(np.floor(np.log2(g.rank + 1) * 2).astype(np.int64), 15)
            sparse.append((data.skill * 16 + bins, data.n_skills * 16))
        shared = []
        if self.decayed_lags:
            idx = transfer_index(data, self.decayed_lags)
            weights = self.decay ** np.arange(self.decayed_lags)
            shared.append((idx, weights, data.n_skills * 2 * data.n_skills))
        return _Design(((x - self.mean) / self.std)[:, self.keep], gmat / self.gstd, sparse, shared)

    @staticmethod
    def _rows(d: _Design, mask: np.ndarray) -> _Design:
        return _Design(
            d.x[mask],
            d.g[mask],
            [(idx[mask], size) for idx, size in d.sparse],
            [(idx[mask], w, size) for idx, w, size in d.shared],
        )

    @staticmethod
    def _sizes(d: _Design, n_s: int) -> list[int]:
        return [1, d.x.shape[1], n_s * d.g.shape[1], *(size for _, size in d.sparse), *(s for _, _, s in d.shared)]

    @staticmethod
    def _flat(d: _Design, skill: np.ndarray, sizes: list[int]) -> _Flat:
        """Every table lookup of the design as one (rows × lookups) index into the parameter vector (one gather
        and one bincount per evaluation instead of one per table); a missing lookup points at an extra slot that
        is always 0."""
        offsets = np.r_[0, np.cumsum(sizes)]
        total = int(offsets[-1])
        k = d.g.shape[1]
        g_idx = offsets[2] + skill[:, None] * k + np.arange(k)[None, :]
        cols = [np.where(idx >= 0, offsets[3 + b] + idx, total) for b, (idx, _) in enumerate(d.sparse)]
        sp_idx = np.stack(cols, axis=1) if cols else np.zeros((skill.size, 0), dtype=np.int64)
        return _Flat(g_idx, sp_idx, total, int(offsets[1]), int(offsets[2]))

    def _logit(self, w: np.ndarray, d: _Design, f: _Flat) -> np.ndarray:
        w_ext = np.append(w, 0.0)
        z = w[0] + d.x @ w[f.x_start : f.g_start] + np.einsum("ij,ij->i", d.g, w_ext[f.g_idx])
        if f.sp_idx.shape[1]:
            z += w_ext[f.sp_idx].sum(axis=1)
        start = int(f.g_start + f.g_idx.shape[1] * self._n_skills + sum(size for _, size in d.sparse))
        for idx, weights, size in d.shared:
            b = w[start : start + size]
            for col, wt in enumerate(weights):
                z += wt * np.where(idx[:, col] >= 0, b[np.maximum(idx[:, col], 0)], 0.0)
            start += size
        return z

    def _fit(
        self,
        d: _Design,
        skill: np.ndarray,
        y: np.ndarray,
        lam: float,
        max_iter: int | None = None,
        w0: np.ndarray | None = None,
    ) -> np.ndarray:
        n_s = self._n_skills
        sizes = self._sizes(d, n_s)
        f = self._flat(d, skill, sizes)
        # the dense features get a tiny prior, every table (per-skill weights, biases, transfer) the chosen one
        lams = [0.0, 1e-3, lam, lam, lam] + [lam * self.transfer_l2] * self.lags
        lams += [lam] * (len(sizes) - len(lams) - len(d.shared)) + [lam * self.transfer_l2] * len(d.shared)
        prior = np.concatenate([np.full(n, lm) for n, lm in zip(sizes, lams, strict=True)])
        n_lookups = f.sp_idx.shape[1]
        flat_idx = np.concatenate([f.g_idx.ravel(), f.sp_idx.ravel()])
        shared_start = f.g_start + f.g_idx.shape[1] * n_s + sum(size for _, size in d.sparse)

        def fun(w: np.ndarray) -> tuple[float, np.ndarray]:
            z = self._logit(w, d, f)
            p = _sigmoid(z)
            loss = float(np.sum(np.logaddexp(0.0, z) - y * z)) + 0.5 * float(np.sum(prior * w * w))
            r = p - y
            weights = np.concatenate([(r[:, None] * d.g).ravel(), np.repeat(r, n_lookups)])
            grad = np.bincount(flat_idx, weights=weights, minlength=f.total + 1)[: f.total]
            grad[0] += r.sum()
            grad[f.x_start : f.g_start] += d.x.T @ r
            start = shared_start
            for idx, wts, size in d.shared:
                grad[start : start + size] += _shared_sum(idx, wts, r, size)
                start += size
            return loss, grad + prior * w

        # Diagonal preconditioning: optimise v = w·sqrt(h), h the Hessian's diagonal at p = 1/2 (a quarter of the
        # summed squared inputs, plus the prior). Items seen 10 or 10 000 times then move alike, and L-BFGS
        # converges in a few dozen iterations instead of hundreds.
        ones = np.concatenate([(d.g**2).ravel(), np.ones(f.sp_idx.size)])
        h = np.bincount(flat_idx, weights=ones, minlength=f.total + 1)[: f.total]
        h[0] += float(y.size)
        h[f.x_start : f.g_start] += np.sum(d.x**2, axis=0)
        start = shared_start
        for idx, weights, size in d.shared:
            h[start : start + size] += _shared_sum(idx, weights**2, np.ones(y.size), size)
            start += size
        h = 0.25 * h + prior
        scale = 1.0 / np.sqrt(np.maximum(h, 1e-3))

        def scaled(v: np.ndarray) -> tuple[float, np.ndarray]:
            fv, grad = fun(v * scale)
            return fv, grad * scale

        v0 = np.zeros(f.total) if w0 is None else w0 / scale
        return lbfgs(scaled, v0, max_iter=max_iter or self.max_iter) * scale

    def _predict(self, w: np.ndarray, d: _Design, skill: np.ndarray) -> np.ndarray:
        return _sigmoid(self._logit(w, d, self._flat(d, skill, self._sizes(d, self._n_skills))))

    def predict(self, data: Interactions) -> np.ndarray:
        """P(correct) for every row, each from the student's earlier rows of ``data`` only."""
        x, gmat, _ = features(data)
        return self._predict(self.w, self._design(data, x, gmat), data.skill)


# ------------------------------------------------------------------------------------------ BKT


@dataclass
class Bkt:
    """Bayesian knowledge tracing, one (prior, learn, guess, slip) per skill, grid-searched coordinate-wise."""

    rounds: int = 3
    name: str = "bkt"

    GRID = {
        "prior": np.array([0.05, 0.2, 0.4, 0.6, 0.8, 0.95]),
        "learn": np.array([0.01, 0.05, 0.1, 0.2, 0.35, 0.5]),
        "guess": np.array([0.05, 0.1, 0.2, 0.3, 0.4]),
        "slip": np.array([0.02, 0.05, 0.1, 0.2, 0.3]),
    }

    def fit(self, data: Interactions) -> Bkt:
        n_s = data.n_skills
        params = {
            "prior": np.full(n_s, 0.4),
            "learn": np.full(n_s, 0.1),
            "guess": np.full(n_s, 0.2),
            "slip": np.full(n_s, 0.1),
        }
        g = _groups(data.user, data.skill)
        y = data.correct.astype(float)
        for _ in range(self.rounds):
            for name, values in self.GRID.items():
                lls = []
                for v in values:
                    trial = dict(params)
                    trial[name] = np.full(n_s, v)
                    p = np.clip(self._forward(trial, g, data.skill, y), 1e-6, 1 - 1e-6)
                    ll = y * np.log(p) + (1 - y) * np.log(1 - p)
                    lls.append(np.bincount(data.skill, weights=ll, minlength=n_s))
                best = np.argmax(np.stack(lls), axis=0)
                params[name] = values[best]
        self.params = params
        return self

    @staticmethod
    def _forward(params: dict[str, np.ndarray], g: _Groups, skill: np.ndarray, y: np.ndarray) -> np.ndarray:
        """P(correct) per row from the skill's earlier rows of the student (state before each row)."""
        pl, pt, pg, ps = (params[k][skill] for k in ("prior", "learn", "guess", "slip"))
        know = np.where(g.rank == 0, pl, 0.0)
        by_rank = np.argsort(g.rank, kind="stable")
        counts = np.bincount(g.rank)
        pos = counts[0]
        for r in range(1, counts.size):
            rows = by_rank[pos : pos + counts[r]]
            pos += counts[r]
            p = g.prev[rows]
            k = know[p]
            obs = y[p]
            ok = k * (1 - ps[p])
            post_ok = ok / (ok + (1 - k) * pg[p])
            bad = k * ps[p]
            post_bad = bad / (bad + (1 - k) * (1 - pg[p]))
            post = np.where(obs >= 0.5, post_ok, post_bad)
            know[rows] = post + (1 - post) * pt[p]
        return know * (1 - ps) + (1 - know) * pg

    def predict(self, data: Interactions) -> np.ndarray:
        g = _groups(data.user, data.skill)
        return self._forward(self.params, g, data.skill, data.correct.astype(float))


MODELS: dict[str, type] = {"lr": FeatureLr, "bkt": Bkt}
