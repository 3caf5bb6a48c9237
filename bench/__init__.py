"""Benchmarks of Banhao at realistic volumes, run with ``banhao bench SCENARIO``.

A scenario is one module in ``bench/scenarios/`` that registers a function with
``@bench.scenario(...)``; the function returns a list of records made with ``bench.record``.
See ``bench/README.md``.
"""

from .database import BenchError, Throwaway, database_label, throwaway_database
from .measure import cpu_seconds, percentiles, throughput
from .registry import RECORD_KEYS, Context, Scenario, load_scenarios, record, scenario
from .serve import Server, latency_record, login, serve, time_page, time_requests

__all__ = [
    "BenchError",
    "RECORD_KEYS",
    "Context",
    "Scenario",
    "Server",
    "Throwaway",
    "cpu_seconds",
    "database_label",
    "latency_record",
    "load_scenarios",
    "login",
    "percentiles",
    "record",
    "scenario",
    "serve",
    "throughput",
    "throwaway_database",
    "time_page",
    "time_requests",
]
