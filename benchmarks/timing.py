"""Timing helpers shared by the analytics benchmarks (run as scripts: ``benchmarks/`` is on ``sys.path``)."""

from __future__ import annotations

import time
from collections.abc import Callable


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float, float]:
    """(first run, p50, p95) in milliseconds."""
    started = time.perf_counter()
    fn()
    first = (time.perf_counter() - started) * 1000
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return first, percentile(samples, 0.5), percentile(samples, 0.95)
