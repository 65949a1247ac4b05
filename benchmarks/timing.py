"""Timing shared by the benchmark scripts: the median wall time of repeated calls."""

from __future__ import annotations

import statistics
import time
from typing import Callable

__all__ = ["median_seconds"]


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    """The median of ``repeat`` wall times of ``fn()``, in seconds (the median: one slow run under load
    does not move it)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
