"""Small helpers for figures: throughput, latency percentiles, CPU time of a process."""

from __future__ import annotations

import math
import os
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


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc; 0 when it is gone).

    On a machine shared with other jobs, wall-clock figures say little; the CPU time each party
    spends per operation hardly depends on what else runs."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
