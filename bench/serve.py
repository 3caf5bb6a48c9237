"""Serve Banhao with gunicorn for a scenario, sign in, and time pages.

Every HTTP scenario runs the real server on loopback against its throwaway database::

    with serve(db.env, workers=2) as server, httpx.Client(base_url=server.base_url) as client:
        login(client, "bench_leader", PASSWORD)
        records.append(time_page(client, "/ledger/dashboard/", 400, scenario=..., ...))

``latency_record`` turns any list of timings into a record with its p50 and p95.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .database import BenchError
from .measure import percentiles, throughput
from .registry import Record, record


@dataclass(frozen=True)
class Server:
    base_url: str
    port: int
    process: subprocess.Popen


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def default_workers() -> int:
    """One sync worker per core, at most four (the small installation the targets assume)."""
    return min(4, os.cpu_count() or 2)


@contextmanager
def serve(
    env: dict,
    *,
    workers: int | None = None,
    threads: int = 0,
    ready: str | None = "/accounts/login/",
    timeout: float = 180,
) -> Iterator[Server]:
    """gunicorn serving ``banhao.wsgi`` on a free loopback port with ``env`` (the throwaway
    database's), until the block ends. ``threads`` > 0 runs gthread workers (keep-alive); the
    server is ready when ``ready`` answers 200, or, with ``ready=None``, when it accepts a
    connection."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "banhao.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers or default_workers()),
        "--log-level",
        "warning",
    ]
    if threads:
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    env = {**env, "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    process = subprocess.Popen(command, env=env)  # noqa: S603 - our own server on loopback
    server = Server(f"http://127.0.0.1:{port}", port, process)
    try:
        _wait_until_ready(server, ready, timeout)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_ready(server: Server, ready: str | None, timeout: float) -> None:
    import httpx

    # Generous: on a loaded machine two workers took 70 s to import Django and answer.
    deadline = time.monotonic() + timeout
    last = "no answer"
    while True:
        try:
            if ready is None:
                with socket.create_connection(("127.0.0.1", server.port), timeout=2):
                    return
            else:
                response = httpx.get(server.base_url + ready, timeout=10, trust_env=False)
                if response.status_code == 200:
                    return
                last = f"{ready} answered {response.status_code}"
        except (OSError, httpx.TransportError) as exc:
            last = repr(exc)
        if server.process.poll() is not None or time.monotonic() > deadline:
            raise BenchError(f"gunicorn did not start ({last}).")
        time.sleep(0.5)


def login(client, username: str, password: str, *, api: bool = False) -> None:
    """Sign ``client`` (an ``httpx.Client`` on the server) in through the login page; with
    ``api``, also send the CSRF token the API asks of writes."""
    client.get("/accounts/login/")
    token = client.cookies.get("csrftoken", "")
    response = client.post(
        "/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{client.base_url}/accounts/login/"},
    )
    if response.status_code != 302:
        raise BenchError(f"Login of {username} answered {response.status_code}.")
    if api:
        client.headers["X-CSRFToken"] = client.cookies.get("csrftoken", "")
        client.headers["Referer"] = f"{client.base_url}/"


def time_requests(client, path: str, queries: Iterable[dict | None]) -> list[float]:
    """Milliseconds of one GET of ``path`` per query (its parameters); each must answer 200."""
    samples = []
    for params in queries:
        began = time.perf_counter()
        response = client.get(path, params=params)
        elapsed = (time.perf_counter() - began) * 1000
        if response.status_code != 200:
            raise BenchError(f"{path} answered {response.status_code}: {response.text[:300]}")
        samples.append(elapsed)
    return samples


def time_page(
    client,
    path: str,
    requests: int | list[dict],
    *,
    scenario: str,
    operation: str,
    database: str,
    warm_up: int | list[dict] = 0,
    log=None,
) -> Record:
    """GET ``path`` ``requests`` times (or once per query of a list) after ``warm_up`` uncounted
    ones, one after another; the record of its latency."""
    _queries = lambda q: [None] * q if isinstance(q, int) else q  # noqa: E731
    time_requests(client, path, _queries(warm_up))
    began = time.perf_counter()
    samples = time_requests(client, path, _queries(requests))
    seconds = time.perf_counter() - began
    return latency_record(
        samples, seconds, scenario=scenario, operation=operation, database=database, log=log
    )


def latency_record(
    samples_ms: list[float],
    seconds: float | None = None,
    *,
    scenario: str,
    operation: str,
    database: str,
    volume: int | None = None,
    log=None,
) -> Record:
    """A record of timings in milliseconds: p50, p95, and throughput over ``seconds`` (their
    sum when not given)."""
    p50, p95 = percentiles(samples_ms, 50, 95)
    if seconds is None:
        seconds = sum(samples_ms) / 1000
    volume = len(samples_ms) if volume is None else volume
    if log is not None and p50 is not None:
        log(f"{operation}: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    return record(
        scenario=scenario,
        operation=operation,
        database=database,
        volume=volume,
        seconds=seconds,
        throughput_per_s=throughput(volume, seconds),
        p50_ms=p50,
        p95_ms=p95,
    )
