"""Small helpers for figures: throughput and latency percentiles."""

from __future__ import annotations

import math
from collections.abc import Sequence


def throughput(volume: int, seconds: float | None) -> float | None:
    """Operations per second, or None when nothing was timed."""
    if not volume or not seconds:
        return None
    return volume / seconds


def percentiles(samples_ms: Sequence[float], *points: float) -> list[float | None]:
    """Nearest-rank percentiles (e.g. 50, 95) of latency samples; None for no samples."""
    ordered = sorted(samples_ms)
    result: list[float | None] = []
    for point in points or (50, 95):
        if not ordered:
            result.append(None)
            continue
        rank = max(1, math.ceil(point / 100 * len(ordered)))
        result.append(ordered[rank - 1])
    return result
