"""Cognitive diagnosis models for a student × item response table with a Q-matrix (numpy only).

- ``HybridDina``: the default. DINA's latent mastery patterns plus a continuous general ability, fitted by EM on
  the marginal likelihood (see the class). Mastery per student × skill is the posterior P(α_k = 1) with its sd.
- ``Irt2pl``: two-parameter logistic IRT (MAP), a baseline.
- ``Dina``: DINA fitted by EM over all 2^K mastery patterns, a baseline.

Scores may be partial (in [0, 1]); the likelihood is the Bernoulli cross-entropy with the score as soft target.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .optim import lbfgs


@dataclass
class Responses:
    """Observed responses as parallel arrays: student index, item index (row of Q), score in [0, 1]."""

    user: np.ndarray
    item: np.ndarray
    score: np.ndarray
    n_users: int
    n_items: int

    def subset(self, mask: np.ndarray) -> Responses:
        return Responses(self.user[mask], self.item[mask], self.score[mask], self.n_users, self.n_items)


class CdmModel(Protocol):
    name: str

    def fit(self, data: Responses, q: np.ndarray) -> CdmModel: ...

    def predict(self, user: np.ndarray, item: np.ndarray) -> np.ndarray: ...


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


def _xent(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Sum of Bernoulli cross-entropies with logits z and soft targets y, and d/dz."""
    p = _sigmoid(z)
    loss = float(np.sum(np.logaddexp(0.0, z) - y * z))
    return loss, p - y


# --------------------------------------------------------------------------------------------- IRT


@dataclass
class Irt2pl:
    """2PL IRT: ``logit P = a_i (θ_u − b_i)``, a = softplus, N(0,1) prior on θ, weak priors on items."""

    l2: float = 1.0
    l2_item: float = 0.1
    max_iter: int = 300
    name: str = "irt"

    def fit(self, data: Responses, q: np.ndarray) -> Irt2pl:
        n_u, n_i = data.n_users, data.n_items
        uu, ii, y = data.user, data.item, data.score
        lam, lam_i = self.l2, self.l2_item

        def fun(x: np.ndarray) -> tuple[float, np.ndarray]:
            theta, alpha, b = x[:n_u], x[n_u : n_u + n_i], x[n_u + n_i :]
            a = _softplus(alpha)
            d = theta[uu] - b[ii]
            z = a[ii] * d
            loss, dz = _xent(z, y)
            loss += 0.5 * lam * np.sum(theta**2) + 0.5 * lam_i * (np.sum(alpha**2) + np.sum(b**2))
            g_theta = np.bincount(uu, weights=dz * a[ii], minlength=n_u) + lam * theta
            g_alpha = np.bincount(ii, weights=dz * d, minlength=n_i) * _sigmoid(alpha) + lam_i * alpha
            g_b = -np.bincount(ii, weights=dz * a[ii], minlength=n_i) + lam_i * b
            return loss, np.concatenate([g_theta, g_alpha, g_b])

        x = lbfgs(fun, np.concatenate([np.zeros(n_u), np.full(n_i, 0.5), np.zeros(n_i)]), max_iter=self.max_iter)
        self.theta, self.a, self.b = x[:n_u], _softplus(x[n_u : n_u + n_i]), x[n_u + n_i :]
        return self

    def predict(self, user: np.ndarray, item: np.ndarray) -> np.ndarray:
        known = user < self.theta.shape[0]
        th = np.where(known, self.theta[np.where(known, user, 0)], 0.0)
        return _sigmoid(self.a[item] * (th - self.b[item]))


# --------------------------------------------------------------------------------------------- DINA


@dataclass
class Dina:
    """DINA by EM over all 2^K mastery patterns (K ≤ 14), slip and guess per item, Beta(1,1)+ smoothing."""

    max_iter: int = 100
    tol: float = 1e-5
    name: str = "dina"

    def fit(self, data: Responses, q: np.ndarray) -> Dina:
        q = np.asarray(q, dtype=int)
        n_skills = q.shape[1]
        if n_skills > 14:
            raise ValueError("DINA enumerates 2^K patterns; K > 14 is too many")
        patterns = ((np.arange(2**n_skills)[:, None] >> np.arange(n_skills)) & 1).astype(float)
        # eta[l, i] = 1 when pattern l masters every skill item i needs
        eta = (patterns @ q.T >= q.sum(axis=1)[None, :] - 1e-9).astype(float)
        n_u, n_i = data.n_users, data.n_items
        uu, ii, y = data.user, data.item, data.score
        slip = np.full(n_i, 0.2)
        guess = np.full(n_i, 0.2)
        prior = np.full(patterns.shape[0], 1.0 / patterns.shape[0])
        prev = -np.inf
        for _ in range(self.max_iter):
            p1 = eta * (1 - slip) + (1 - eta) * guess  # (L, I)
            logp1, logp0 = np.log(p1), np.log(1 - p1)
            # log-likelihood per user × pattern
            ll = np.zeros((n_u, patterns.shape[0]))
            contrib = y[:, None] * logp1[:, ii].T + (1 - y)[:, None] * logp0[:, ii].T  # (N, L)
            for col in range(patterns.shape[0]):
                ll[:, col] = np.bincount(uu, weights=contrib[:, col], minlength=n_u)
            ll += np.log(prior)[None, :]
            mx = ll.max(axis=1, keepdims=True)
            post = np.exp(ll - mx)
            total = post.sum(axis=1, keepdims=True)
            post /= total
            loglik = float(np.sum(np.log(total) + mx))
            # M step: expected counts per item of (eta, y)
            pe = post @ eta  # (n_u, I): P(eta_ui = 1)
            w1 = pe[uu, ii]
            n1 = np.bincount(ii, weights=w1, minlength=n_i)
            n0 = np.bincount(ii, weights=1 - w1, minlength=n_i)
            c1 = np.bincount(ii, weights=w1 * y, minlength=n_i)
            c0 = np.bincount(ii, weights=(1 - w1) * y, minlength=n_i)
            slip = np.clip((n1 - c1 + 1) / (n1 + 2), 1e-3, 0.5)
            guess = np.clip((c0 + 1) / (n0 + 2), 1e-3, 0.5)
            prior = (post.sum(axis=0) + 1e-3) / (n_u + 1e-3 * patterns.shape[0])
            if loglik - prev < self.tol * abs(loglik):
                break
            prev = loglik
        self.patterns, self.eta, self.slip, self.guess, self.post = patterns, eta, slip, guess, post
        self.prior = prior
        return self

    def predict(self, user: np.ndarray, item: np.ndarray) -> np.ndarray:
        known = user < self.post.shape[0]
        pe_known = np.einsum("nl,ln->n", self.post[np.where(known, user, 0)], self.eta[:, item])
        pe = np.where(known, pe_known, self.prior @ self.eta[:, item])
        return pe * (1 - self.slip[item]) + (1 - pe) * self.guess[item]

    def mastery(self) -> tuple[np.ndarray, np.ndarray]:
        m = self.post @ self.patterns
        return m, np.sqrt(m * (1 - m))


# --------------------------------------------------------------------------------------------- HybridDina


def _patterns(n_skills: int) -> np.ndarray:
    if n_skills > 16:
        raise ValueError("the model enumerates 2^K mastery patterns; K > 16 skills is too many")
    return ((np.arange(2**n_skills)[:, None] >> np.arange(n_skills)) & 1).astype(float)


def _dense_counts(data: Responses) -> tuple[np.ndarray, np.ndarray]:
    """Per student × item sums of score and of (1 − score): the sufficient statistics of the likelihood."""
    s1 = np.zeros((data.n_users, data.n_items))
    s0 = np.zeros((data.n_users, data.n_items))
    np.add.at(s1, (data.user, data.item), data.score)
    np.add.at(s0, (data.user, data.item), 1.0 - data.score)
    return s1, s0


@dataclass
class HybridDina:
    """DINA with a continuous general ability, fitted by EM on the marginal likelihood: the default model.

    Each student belongs to a latent class (mastery pattern α ∈ {0,1}^K, ability node θ_t on a 7-point normal
    quadrature); ``logit P(correct | α, θ) = c_i + d_i·η_i(α) + a_i·θ`` where ``η_i(α) = 1`` when α masters every
    skill item i needs (Q-matrix), so d_i is DINA's jump from guess to non-slip and a_i a 2PL slope for what the
    skills do not explain. The prior over patterns is learned (it carries the correlations between skills). The
    E step gives each student's posterior over classes; the M step is a ridge-regularised weighted logistic
    regression per item (Newton). Predictions average over the posterior; mastery of skill k is the posterior
    P(α_k = 1) with its sd sqrt(P(1 − P)).
    """

    max_iter: int = 200
    tol: float = 1e-5  # relative change of the log-likelihood; 1e-6 doubles the iterations for the same AUC
    ridge: float = 0.1
    n_nodes: int = 7
    name: str = "hybrid"

    def fit(self, data: Responses, q: np.ndarray) -> HybridDina:
        q = np.asarray(q, dtype=float)
        patterns = _patterns(q.shape[1])
        eta_all = patterns @ q.T >= q.sum(axis=1)[None, :] - 1e-9  # (L, I)
        # Patterns with the same η row are indistinguishable by the likelihood, and EM keeps their ratio at the
        # prior's (uniform): merging them into one class each is exact and several times faster.
        eta_g, group = np.unique(eta_all, axis=0, return_inverse=True)
        group = group.ravel()
        n_g = eta_g.shape[0]
        # mean pattern of each group = mastery given the group
        g_mastery = np.zeros((n_g, q.shape[1]))
        np.add.at(g_mastery, group, patterns)
        g_size = np.bincount(group, minlength=n_g).astype(float)
        g_mastery /= g_size[:, None]
        nodes = np.linspace(-3.0, 3.0, self.n_nodes)
        w_nodes = np.exp(-0.5 * nodes**2)
        w_nodes /= w_nodes.sum()
        n_t, n_i = nodes.size, data.n_items
        # class = (group, node), index g * n_t + t
        eta_c = np.repeat(eta_g.astype(float), n_t, axis=0)  # (C, I)
        th_c = np.tile(nodes, n_g)[:, None]  # (C, 1)
        s1, s0 = _dense_counts(data)
        c = np.full(n_i, -1.0)
        d = np.full(n_i, 2.5)
        a = np.full(n_i, 0.5)
        prior_g = g_size / g_size.sum()
        prev = -np.inf
        for _ in range(self.max_iter):
            z = c[None, :] + d[None, :] * eta_c + a[None, :] * th_c  # (C, I)
            logp1 = -np.logaddexp(0.0, -z)
            logp0 = logp1 - z
            log_prior = (np.log(prior_g)[:, None] + np.log(w_nodes)[None, :]).ravel()
            ll = s1 @ logp1.T + s0 @ logp0.T + log_prior[None, :]  # (U, C)
            mx = ll.max(axis=1, keepdims=True)
            post = np.exp(ll - mx)
            total = post.sum(axis=1, keepdims=True)
            post /= total
            loglik = float(np.sum(np.log(total) + mx))
            r1 = post.T @ s1  # (C, I) expected correct per class × item
            r0 = post.T @ s0
            c, d, a = self._m_step(c, d, a, eta_c, th_c, r1, r0)
            pg = post.reshape(-1, n_g, n_t).sum(axis=(0, 2))
            # a weak Dirichlet prior (0.1 per pattern) keeps rare classes alive
            prior_g = (pg + 0.1 * g_size) / (pg.sum() + 0.1 * g_size.sum())
            if loglik - prev < self.tol * abs(loglik):
                break
            prev = loglik
        self.q, self.g_mastery, self.eta_c, self.th_c = q, g_mastery, eta_c, th_c
        self.c, self.d, self.a, self.post = c, d, a, post
        self.prior = (prior_g[:, None] * w_nodes[None, :]).ravel()
        self.n_nodes_ = n_t
        return self

    def _m_step(
        self,
        c: np.ndarray,
        d: np.ndarray,
        a: np.ndarray,
        eta: np.ndarray,
        theta: np.ndarray,
        r1: np.ndarray,
        r0: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Newton steps of each item's weighted logistic regression on [1, η, θ] (ridge on d and a)."""
        n = r1 + r0
        feats = [np.ones_like(eta), eta, np.broadcast_to(theta, eta.shape)]
        ridge = np.array([1e-3, self.ridge, self.ridge])
        beta = np.stack([c, d, a], axis=1)  # (I, 3)
        for _ in range(2):
            p = _sigmoid(beta[:, 0] + beta[:, 1] * eta + beta[:, 2] * theta)
            resid = p * n - r1
            w = n * p * (1 - p)
            grad = np.stack([np.sum(resid * f, axis=0) for f in feats], axis=1) + ridge * beta
            hess = np.empty((eta.shape[1], 3, 3))
            for j in range(3):
                for k in range(j, 3):
                    hess[:, j, k] = hess[:, k, j] = np.sum(w * feats[j] * feats[k], axis=0)
            hess += np.diag(ridge)[None]
            beta = beta - np.linalg.solve(hess, grad[:, :, None])[:, :, 0]
        return beta[:, 0], beta[:, 1], beta[:, 2]

    def predict(self, user: np.ndarray, item: np.ndarray) -> np.ndarray:
        known = user < self.post.shape[0]
        w = np.where(known[:, None], self.post[np.where(known, user, 0)], self.prior[None, :])  # (N, C)
        out = np.empty(user.size)
        for i in np.unique(item):  # one item at a time keeps memory at (rows of the item) × classes
            rows = item == i
            p = _sigmoid(self.c[i] + self.d[i] * self.eta_c[:, i] + self.a[i] * self.th_c[:, 0])
            out[rows] = w[rows] @ p
        return out

    def mastery(self) -> tuple[np.ndarray, np.ndarray]:
        """Posterior P(skill mastered) per student × skill and its posterior sd sqrt(P(1 − P))."""
        m = self.post @ self.class_mastery()
        return m, np.sqrt(np.clip(m * (1 - m), 0.0, None))

    def class_mastery(self) -> np.ndarray:
        """P(skill mastered | latent class), classes × skills."""
        return np.repeat(self.g_mastery, self.n_nodes_, axis=0)

    def class_logp(self) -> tuple[np.ndarray, np.ndarray]:
        """log P(correct) and log P(wrong) per latent class × item under the fitted item parameters."""
        z = self.c[None, :] + self.d[None, :] * self.eta_c + self.a[None, :] * self.th_c
        logp1 = -np.logaddexp(0.0, -z)
        return logp1, logp1 - z

    def score(self, data: Responses, *, chunk: int = 4096) -> tuple[np.ndarray, np.ndarray]:
        """Mastery and sd of every student of ``data`` under the fitted item parameters and class prior (the
        E step only, ``chunk`` students at a time): how a large exam is diagnosed after calibrating the items
        on a sample of its students."""
        logp1, logp0 = self.class_logp()
        log_prior = np.log(self.prior)
        cm = self.class_mastery()
        order = np.argsort(data.user, kind="stable")
        users, item, score = data.user[order], data.item[order], data.score[order]
        m = np.empty((data.n_users, cm.shape[1]))
        for start in range(0, data.n_users, chunk):
            n = min(chunk, data.n_users - start)
            a, b = np.searchsorted(users, [start, start + n])
            s1 = np.zeros((n, data.n_items))
            s0 = np.zeros((n, data.n_items))
            np.add.at(s1, (users[a:b] - start, item[a:b]), score[a:b])
            np.add.at(s0, (users[a:b] - start, item[a:b]), 1.0 - score[a:b])
            ll = s1 @ logp1.T + s0 @ logp0.T + log_prior[None, :]
            ll -= ll.max(axis=1, keepdims=True)
            post = np.exp(ll)
            post /= post.sum(axis=1, keepdims=True)
            m[start : start + n] = post @ cm
        return m, np.sqrt(np.clip(m * (1 - m), 0.0, None))


MODELS: dict[str, type[CdmModel]] = {"hybrid": HybridDina, "irt": Irt2pl, "dina": Dina}
