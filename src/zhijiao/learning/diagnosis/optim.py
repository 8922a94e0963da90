"""A small L-BFGS minimiser (numpy only) for the smooth, L2-regularised objectives of the models."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Objective = Callable[[np.ndarray], tuple[float, np.ndarray]]


def lbfgs(
    fun: Objective,
    x0: np.ndarray,
    *,
    max_iter: int = 300,
    memory: int = 10,
    tol: float = 1e-6,
) -> np.ndarray:
    """Minimise ``fun`` (returns value and gradient) from ``x0``; backtracking Armijo line search.

    Stops after ``max_iter`` iterations or when the gradient's max-norm falls below ``tol`` (relative
    to max(1, |f|)), or when no step decreases the value.
    """
    x = np.array(x0, dtype=float)
    f, g = fun(x)
    s_hist: list[np.ndarray] = []
    y_hist: list[np.ndarray] = []
    rho_hist: list[float] = []
    for _ in range(max_iter):
        if np.max(np.abs(g)) <= tol * max(1.0, abs(f)):
            break
        # two-loop recursion
        q = g.copy()
        alphas = []
        for s, y, rho in zip(reversed(s_hist), reversed(y_hist), reversed(rho_hist), strict=True):
            a = rho * float(s @ q)
            alphas.append(a)
            q -= a * y
        if s_hist:
            gamma = float(s_hist[-1] @ y_hist[-1]) / float(y_hist[-1] @ y_hist[-1])
        else:
            gamma = 1.0 / max(1.0, float(np.linalg.norm(g)))
        r = gamma * q
        for s, y, rho, a in zip(s_hist, y_hist, rho_hist, reversed(alphas), strict=True):
            b = rho * float(y @ r)
            r += s * (a - b)
        d = -r
        gd = float(g @ d)
        if gd >= 0:  # not a descent direction: restart from steepest descent
            s_hist.clear()
            y_hist.clear()
            rho_hist.clear()
            d = -g / max(1.0, float(np.linalg.norm(g)))
            gd = float(g @ d)
        step = 1.0
        while True:
            x_new = x + step * d
            f_new, g_new = fun(x_new)
            if np.isfinite(f_new) and f_new <= f + 1e-4 * step * gd:
                break
            step *= 0.5
            if step < 1e-10:
                return x
        s_vec = x_new - x
        y_vec = g_new - g
        sy = float(s_vec @ y_vec)
        if sy > 1e-10:
            s_hist.append(s_vec)
            y_hist.append(y_vec)
            rho_hist.append(1.0 / sy)
            if len(s_hist) > memory:
                s_hist.pop(0)
                y_hist.pop(0)
                rho_hist.pop(0)
        done = abs(f - f_new) <= 1e-10 * max(1.0, abs(f))
        x, f, g = x_new, f_new, g_new
        if done:
            break
    return x
