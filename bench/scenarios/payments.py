"""Scenario ``payments``: the public payment finder at volume, through HTTP.

In a throwaway database: migrate, seed, the demo register plus ``volume`` generated places
(``banhao generate_places``); then gunicorn on loopback (2 workers, the machine's cores) serves
the finder, and one client times finder queries — random filters and a random origin in the
county, nearest 20 — one after another, as the page (HTML) and as the API (JSON).
Target: p95 under 50 ms for the page with 20,000 places.
"""

import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time

import httpx

from bench import BenchError, Context, percentiles, record, scenario, throughput, throwaway_database

SEED = 2024
REQUESTS = 400
WARM_UP = 40
FILTERS = [
    {"need": ["card_visa"]},
    {"need": ["foreign_card_withdrawal"], "kind": "atm"},
    {"need": ["currency_exchange"]},
    {"need": ["cash", "card_mastercard"]},
    {"need": ["card_visa", "mobile_foreign_wallet"], "kind": "merchant"},
    {"kind": "service_station"},
]
BOX = ((35.99, 36.33), (117.93, 118.41))  # the county, roughly


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _queries(n: int, rng: random.Random) -> list[dict]:
    out = []
    for _ in range(n):
        params = dict(rng.choice(FILTERS))
        params["lat"] = f"{rng.uniform(*BOX[0]):.5f}"
        params["lng"] = f"{rng.uniform(*BOX[1]):.5f}"
        out.append(params)
    return out


def _time(client: httpx.Client, path: str, queries: list[dict]) -> list[float]:
    samples = []
    for params in queries:
        began = time.perf_counter()
        response = client.get(path, params=params)
        elapsed = (time.perf_counter() - began) * 1000
        if response.status_code != 200:
            raise BenchError(f"{path} answered {response.status_code}: {response.text[:300]}")
        samples.append(elapsed)
    return samples


@scenario(
    "payments",
    default_volume=20_000,
    description="payment finder with `volume` places: filters + nearest 20 through HTTP "
    "(gunicorn on loopback), p50/p95 of the page and the API; target p95 < 50 ms",
)
def run(context: Context) -> list[dict]:
    places = context.volume
    rng = random.Random(SEED)
    records = []
    with throwaway_database(keep=context.keep, log=context.log) as db:
        static_dir = None
        if "BANHAO_VAR_DIR" not in db.env:  # PostgreSQL: keep collected files out of the checkout
            static_dir = tempfile.TemporaryDirectory(prefix="banhao-bench-static-")
            # Both the manage commands (collectstatic) and the server must use the same folder.
            db.env["BANHAO_VAR_DIR"] = static_dir.name
        env = dict(db.env)
        context.log(f"Throwaway {db.label} database: {db.location}")
        db.manage("migrate", "--verbosity", "0")
        db.manage("seed")
        db.manage("collectstatic", "--noinput", "--verbosity", "0")
        context.log(f"Generating {places:,} places …")
        summary = json.loads(
            db.manage("generate_places", "--count", str(places), "--seed", str(SEED), "--json")
            .strip()
            .splitlines()[-1]
        )
        records.append(
            record(
                scenario="payments",
                operation="generate places (with their facts)",
                database=db.label,
                volume=summary["places"],
                seconds=summary["seconds"],
                throughput_per_s=throughput(summary["places"], summary["seconds"]),
            )
        )
        port = _free_port()
        workers = str(min(4, os.cpu_count() or 2))
        env["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1"
        server = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "banhao.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                workers,
                "--log-level",
                "warning",
            ],
            env=env,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base, timeout=30) as client:
                deadline = time.monotonic() + 60
                while True:
                    try:
                        if client.get("/pay/").status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise BenchError("gunicorn did not start")
                    time.sleep(0.3)
                for path, operation in (
                    ("/pay/", "finder page: filters + nearest 20"),
                    ("/api/v1/payments/places/", "finder API: filters + nearest 20"),
                ):
                    _time(client, path, _queries(WARM_UP, rng))
                    queries = _queries(REQUESTS, rng)
                    began = time.perf_counter()
                    samples = _time(client, path, queries)
                    seconds = time.perf_counter() - began
                    p50, p95 = percentiles(samples, 50, 95)
                    context.log(f"{operation}: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
                    records.append(
                        record(
                            scenario="payments",
                            operation=operation,
                            database=db.label,
                            volume=len(samples),
                            seconds=seconds,
                            throughput_per_s=throughput(len(samples), seconds),
                            p50_ms=p50,
                            p95_ms=p95,
                        )
                    )
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
            if static_dir is not None:
                static_dir.cleanup()
    return records
