"""A small recurrent knowledge-tracing model (DKT with a GRU cell), numpy only, trained by hand-written BPTT.

Each student's answers are read in order as tokens (skill, correct); the hidden state after answer t predicts the
answer at t + 1 through a per-skill output vector: ``logit = h_t · W[skill_{t+1}] + b[skill_{t+1}]``. Sequences are
cut into pieces of at most ``maxlen`` answers (pyKT's convention), sorted by length and batched, so padding costs
little; Adam on the mean cross-entropy of every answer but each piece's first. Used in an ensemble with the
feature logistic regression (``kt.LrGru``), whose errors it does not share.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .kt import Interactions, _groups


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _scatter_rows(idx: np.ndarray, vals: np.ndarray, n_rows: int) -> np.ndarray:
    """Sum of the rows of ``vals`` per index (np.add.at, but by sorting: several times faster)."""
    order = np.argsort(idx, kind="stable")
    sorted_idx = idx[order]
    starts = np.flatnonzero(np.r_[True, sorted_idx[1:] != sorted_idx[:-1]])
    out = np.zeros((n_rows, vals.shape[1]), dtype=vals.dtype)
    out[sorted_idx[starts]] = np.add.reduceat(vals[order], starts, axis=0)
    return out


@dataclass
class _Batches:
    tokens: list[np.ndarray]  # (B, T) input token 2·skill + correct
    skills: list[np.ndarray]  # (B, T) skill of each position
    target: list[np.ndarray]  # (B, T) correct
    mask: list[np.ndarray]  # (B, T) 1 where a real answer
    rows: list[np.ndarray]  # (B, T) row index into the interactions, -1 for padding


def pieces(data: Interactions, maxlen: int) -> list[np.ndarray]:
    """Row indices of each piece: every student's rows in file order, cut every ``maxlen``."""
    g = _groups(data.user)
    order = g.order
    starts = np.flatnonzero(np.r_[True, g.gid[order][1:] != g.gid[order][:-1]])
    out = []
    for a, b in zip(starts, np.r_[starts[1:], order.size], strict=True):
        for s in range(a, b, maxlen):
            out.append(order[s : min(b, s + maxlen)])
    return out


def batches(data: Interactions, maxlen: int, size: int, rng: np.random.Generator | None = None) -> _Batches:
    ps = pieces(data, maxlen)
    ps.sort(key=len)
    groups = [ps[i : i + size] for i in range(0, len(ps), size)]
    if rng is not None:
        rng.shuffle(groups)  # type: ignore[arg-type]
    y = (data.correct >= 0.5).astype(np.int64)
    out = _Batches([], [], [], [], [])
    for grp in groups:
        t = max(len(p) for p in grp)
        rows = np.full((len(grp), t), -1, dtype=np.int64)
        for i, p in enumerate(grp):
            rows[i, : len(p)] = p
        safe = np.maximum(rows, 0)
        out.rows.append(rows)
        out.mask.append((rows >= 0).astype(np.float32))
        out.skills.append(data.skill[safe])
        out.target.append(y[safe].astype(np.float32))
        out.tokens.append(2 * data.skill[safe] + y[safe])
    return out


@dataclass
class GruKt:
    hidden: int = 48
    epochs: int = 4
    batch: int = 64
    lr: float = 0.01
    maxlen: int = 200
    l2: float = 1e-6
    seed: int = 0
    name: str = "gru"

    def _init(self, n_skills: int) -> None:
        rng = np.random.default_rng(self.seed)
        h = self.hidden
        self.p = {
            "E": rng.normal(0, 0.1, (2 * n_skills, 3 * h)),  # input → (z, r, n) pre-activations
            "U": rng.normal(0, 1 / np.sqrt(h), (h, 3 * h)),
            "bn": np.zeros(h),
            "W": rng.normal(0, 0.1, (n_skills, h)),
            "b": np.zeros(n_skills),
        }
        self.p = {k: v.astype(np.float32) for k, v in self.p.items()}  # float32 halves the memory traffic
        self.m = {k: np.zeros_like(v) for k, v in self.p.items()}
        self.v = {k: np.zeros_like(v) for k, v in self.p.items()}
        self.t = 0

    def _forward(self, tok: np.ndarray, keep: bool) -> tuple[np.ndarray, list[tuple[np.ndarray, ...]]]:
        """Hidden states after each input (B, T, H) and, with ``keep``, what backward needs."""
        p, hd = self.p, self.hidden
        b, t = tok.shape
        h = np.zeros((b, hd), dtype=p["U"].dtype)
        hs = np.empty((b, t, hd), dtype=p["U"].dtype)
        cache: list[tuple[np.ndarray, ...]] = []
        ex = p["E"][tok]  # (B, T, 3H)
        for s in range(t):
            hu = h @ p["U"]
            z = _sigmoid(ex[:, s, :hd] + hu[:, :hd])
            r = _sigmoid(ex[:, s, hd : 2 * hd] + hu[:, hd : 2 * hd])
            hn = hu[:, 2 * hd :] + p["bn"]
            n = np.tanh(ex[:, s, 2 * hd :] + r * hn)
            h_new = (1 - z) * n + z * h
            if keep:
                cache.append((h, z, r, hn, n))
            h = h_new
            hs[:, s] = h
        return hs, cache

    def _step(self, tok: np.ndarray, skill: np.ndarray, y: np.ndarray, mask: np.ndarray) -> float:
        loss, g = self.grads(tok, skill, y, mask)
        p = self.p
        self.t += 1
        for k in p:
            gk = g[k] + self.l2 * p[k]
            self.m[k] = 0.9 * self.m[k] + 0.1 * gk
            self.v[k] = 0.999 * self.v[k] + 0.001 * gk * gk
            mh = self.m[k] / (1 - 0.9**self.t)
            vh = self.v[k] / (1 - 0.999**self.t)
            p[k] -= self.lr * mh / (np.sqrt(vh) + 1e-8)
        return loss

    def grads(
        self, tok: np.ndarray, skill: np.ndarray, y: np.ndarray, mask: np.ndarray
    ) -> tuple[float, dict[str, np.ndarray]]:
        """Mean cross-entropy of one batch and its gradient (backpropagation through time)."""
        p, hd = self.p, self.hidden
        hs, cache = self._forward(tok[:, :-1], keep=True)  # state after answer t predicts answer t + 1
        nxt, yt, mt = skill[:, 1:], y[:, 1:], mask[:, 1:]
        n_obs = max(1.0, float(mt.sum()))
        wn = p["W"][nxt]  # (B, T-1, H)
        z = np.einsum("bth,bth->bt", hs, wn) + p["b"][nxt]
        loss = float(np.sum(mt * (np.logaddexp(0.0, z) - yt * z))) / n_obs
        dz = mt * (_sigmoid(z) - yt) / n_obs
        g = {k: np.zeros_like(v) for k, v in p.items()}
        flat = nxt.ravel()
        g["W"] = _scatter_rows(flat, (dz[:, :, None] * hs).reshape(-1, hd), p["W"].shape[0])
        g["b"] = np.bincount(flat, weights=dz.ravel(), minlength=p["b"].size).astype(p["b"].dtype)
        dhs = dz[:, :, None] * wn
        dh = np.zeros((tok.shape[0], hd), dtype=p["U"].dtype)
        dex = np.empty((tok.shape[0], tok.shape[1] - 1, 3 * hd), dtype=p["U"].dtype)
        u_t = p["U"].T
        for s in range(len(cache) - 1, -1, -1):
            h_prev, zg, rg, hn, n = cache[s]
            dh = dh + dhs[:, s]
            dn = dh * (1 - zg)
            dzg = dh * (h_prev - n) * zg * (1 - zg)
            dan = dn * (1 - n * n)
            drg = dan * hn * rg * (1 - rg)
            dhn = dan * rg
            dhu = np.concatenate([dzg, drg, dhn], axis=1)
            g["U"] += h_prev.T @ dhu
            g["bn"] += dhn.sum(axis=0)
            dex[:, s] = np.concatenate([dzg, drg, dan], axis=1)
            dh = dh * zg + dhu @ u_t
        g["E"] = _scatter_rows(tok[:, :-1].ravel(), dex.reshape(-1, 3 * hd), p["E"].shape[0])
        return loss, g

    def fit(self, data: Interactions, epochs: int | None = None) -> GruKt:
        if not hasattr(self, "p"):
            self._init(data.n_skills)
        rng = np.random.default_rng(self.seed)
        for _ in range(epochs or self.epochs):
            bt = batches(data, self.maxlen, self.batch, rng)
            for tok, sk, y, mk in zip(bt.tokens, bt.skills, bt.target, bt.mask, strict=True):
                if tok.shape[1] > 1:
                    self._step(tok, sk, y, mk)
        return self

    def logit(self, data: Interactions) -> np.ndarray:
        """The logit of every row from the student's earlier rows (pieces of ``maxlen``; a piece's first row
        gets the skill's bias only)."""
        out = np.zeros(data.user.size)
        bt = batches(data, self.maxlen, 512)
        for tok, sk, rows in zip(bt.tokens, bt.skills, bt.rows, strict=True):
            hs, _ = self._forward(tok[:, :-1], keep=False)
            z = np.einsum("bth,bth->bt", hs, self.p["W"][sk[:, 1:]]) + self.p["b"][sk[:, 1:]]
            first = rows[:, 0]
            out[first[first >= 0]] = self.p["b"][sk[:, 0][first >= 0]]
            r = rows[:, 1:]
            out[r[r >= 0]] = z[r >= 0]
        return out

    def predict(self, data: Interactions) -> np.ndarray:
        return _sigmoid(self.logit(data))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p) - np.log1p(-p)


@dataclass
class LrGru:
    """The feature logistic regression and the GRU, blended on held-out students.

    The regression picks its prior strength on held-out training students (pyKT's fold 0 for pyKT files) and is
    then refit on everyone; the GRU is trained on the other students only, as pyKT trains its models on four
    folds. The blend ``logit = a·logit_lr + b·logit_gru + c`` is a logistic regression fitted on the held-out
    students' answers, predicted by both models trained without them: no test data is seen.
    """

    epochs: int = 4  # fold 0 of ASSIST2015: the GRU alone 0.7303 after 3 epochs, 0.7321 after 4, 0.7324 after 5
    hidden: int = 64
    seed: int = 0
    name: str = "lrgru"

    def fit(self, data: Interactions, valid_users: np.ndarray | None = None) -> LrGru:
        from .kt import FeatureLr
        from .optim import lbfgs

        self.lr_model = FeatureLr(seed=self.seed)
        if valid_users is None:
            users = np.unique(data.user)
            rng = np.random.default_rng(self.seed)
            valid_users = rng.choice(users, size=max(1, users.size // 5), replace=False)
        self.lr_model.fit(data, valid_users=valid_users)
        held = self.lr_model.held
        self.gru = GruKt(hidden=self.hidden, batch=48, lr=0.006, seed=self.seed)
        train = _subset(data, ~held)
        for _ in range(self.epochs):
            self.gru.fit(train, epochs=1)
            self.gru.seed += 1
            self.gru.lr *= 0.5
        valid = _subset(data, held)
        feats = np.stack([_logit(self.lr_model.held_prob), self.gru.logit(valid), np.ones(valid.user.size)], axis=1)
        y = (valid.correct >= 0.5).astype(float)

        def fun(w: np.ndarray) -> tuple[float, np.ndarray]:
            z = feats @ w
            return float(np.sum(np.logaddexp(0.0, z) - y * z)), feats.T @ (_sigmoid(z) - y)

        self.blend = lbfgs(fun, np.array([1.0, 0.0, 0.0]), max_iter=50)
        self.chosen = {**self.lr_model.chosen, "w_lr": float(self.blend[0]), "w_gru": float(self.blend[1])}
        return self

    def predict(self, data: Interactions) -> np.ndarray:
        z = self.blend[0] * _logit(self.lr_model.predict(data)) + self.blend[1] * self.gru.logit(data)
        return _sigmoid(z + self.blend[2])


def _subset(data: Interactions, mask: np.ndarray) -> Interactions:
    return data.subset(mask)
