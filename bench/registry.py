"""The scenario registry and the shape of a benchmark record."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Every record has exactly these keys; a figure that does not apply is None.
RECORD_KEYS = (
    "scenario",  # registered scenario name, e.g. "generate"
    "operation",  # what was measured, e.g. "insert persons"
    "database",  # "sqlite 3.40.1" or "postgresql 15.20"
    "volume",  # rows or operations measured
    "seconds",  # wall-clock seconds for the whole operation
    "throughput_per_s",  # volume / seconds
    "p50_ms",  # median latency of one operation, in milliseconds
    "p95_ms",  # 95th percentile latency, in milliseconds
)

Record = dict[str, Any]


@dataclass
class Context:
    """What a scenario is asked to do."""

    volume: int
    keep: bool = False
    # Progress messages for the person running the benchmark (never part of the results).
    log: Callable[[str], None] = field(default=lambda message: None)


@dataclass(frozen=True)
class Scenario:
    name: str
    run: Callable[[Context], list[Record]]
    default_volume: int
    description: str


_REGISTRY: dict[str, Scenario] = {}


def scenario(name: str, *, default_volume: int, description: str):
    """Register the decorated ``run(context) -> list of records`` under ``name``."""

    def register(run: Callable[[Context], list[Record]]):
        if name in _REGISTRY and _REGISTRY[name].run is not run:
            raise ValueError(f"A benchmark scenario named {name!r} is already registered.")
        _REGISTRY[name] = Scenario(name, run, default_volume, description)
        return run

    return register


def load_scenarios() -> dict[str, Scenario]:
    """Import every module of ``bench.scenarios`` (each registers itself); name → scenario."""
    from . import scenarios

    for module in pkgutil.iter_modules(scenarios.__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"{scenarios.__name__}.{module.name}")
    return dict(sorted(_REGISTRY.items()))


def record(
    *,
    scenario: str,
    operation: str,
    database: str,
    volume: int,
    seconds: float | None,
    throughput_per_s: float | None = None,
    p50_ms: float | None = None,
    p95_ms: float | None = None,
) -> Record:
    """A record with every key of RECORD_KEYS, figures rounded for reading."""

    def rounded(value: float | None, digits: int) -> float | None:
        return None if value is None else round(float(value), digits)

    return {
        "scenario": scenario,
        "operation": operation,
        "database": database,
        "volume": volume,
        "seconds": rounded(seconds, 3),
        "throughput_per_s": rounded(throughput_per_s, 1),
        "p50_ms": rounded(p50_ms, 3),
        "p95_ms": rounded(p95_ms, 3),
    }
