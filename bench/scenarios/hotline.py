"""Scenario ``hotline``: 12345 tickets at volume (default 1,000,000).

In a throwaway database of the configured kind: migrate, seed, ``banhao generate_tickets``
(volume tickets over a year, then the per-unit daily facts rebuilt); then

- the monthly ranking of all units with every indicator and the interview flags, and the yearly
  ranking (each timed 7 times: p50/p95);
- the dispatch suggestion per ticket (duty list plus the model trained on handled tickets);
- intake over HTTP: 20 concurrent clients POST Open311 requests to gunicorn on loopback.
"""

import json
import socket
import subprocess
import sys
import threading
import time

from bench import Context, percentiles, record, scenario, throughput, throwaway_database

SEED = 2024
CLIENTS = 20
INTAKE_REQUESTS = 4000
WORKERS = 4

QUERIES = r"""
import json, time, datetime as dt
from django.utils import timezone
from banhao.hotline import dispatch, evaluation

def timed(fn, n):
    out = []
    for _ in range(n):
        t = time.perf_counter(); fn(); out.append((time.perf_counter() - t) * 1000)
    return out

day = timezone.localdate().replace(day=1) - dt.timedelta(days=1)  # last full month
result = {
    "month": timed(lambda: evaluation.ranking_with_flags("month", day), 7),
    "year": timed(lambda: evaluation.ranking_with_flags("year", day), 7),
    "units": len(evaluation.ranking_with_flags("month", day)[2]),
}
t = time.perf_counter(); model = dispatch.train(); result["train_s"] = time.perf_counter() - t
result["train_samples"] = model.samples if model else 0
result["train_accuracy"] = model.accuracy if model else None
dispatch.suggest("预热")
texts = ["小区暖气不热，物业不管", "饭店卖过期食品", "工地拖欠农民工工资", "夜间施工噪音扰民",
         "村里垃圾没人清运", "商户拒收现金", "学校乱收费", "路灯不亮好几天"]
result["suggest"] = timed(lambda: dispatch.suggest(texts[int(time.perf_counter_ns()) % 8], None), 2000)
print(json.dumps(result))
"""

SETUP = r"""
from banhao.core.seeding import run_all
from banhao.hotline.seed import seed_hotline
from banhao.hotline.models import Open311Client
run_all(); seed_hotline()
Open311Client.objects.get_or_create(api_key="bench-key", defaults={"name": "bench"})
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _intake(env: dict, log) -> tuple[int, float, list[float], int]:
    import httpx

    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - our own server on loopback
        [
            sys.executable,
            "-m",
            "gunicorn",
            "banhao.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        env={**env, "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DATABASE_CONN_MAX_AGE": "600"},
    )
    url = f"http://127.0.0.1:{port}/open311/v2/requests.json"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/open311/v2/services.json", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.3)
        latencies: list[float] = []
        failures = [0]
        lock = threading.Lock()
        counter = iter(range(INTAKE_REQUESTS))
        codes = ["road", "water", "heating", "wages", "food_safety", "sanitation", "noise_social"]

        def client_loop(n: int) -> None:
            with httpx.Client(timeout=30) as http:
                for i in counter:
                    data = {
                        "api_key": "bench-key",
                        "service_code": codes[i % len(codes)],
                        "lat": "36.18",
                        "long": "118.17",
                        "description": f"压测工单 {i}：小区门口问题反映，请尽快处理",
                        "phone": f"13{n:02d}{i:07d}",
                        "first_name": "测",
                        "last_name": "试",
                    }
                    t = time.perf_counter()
                    response = http.post(url, data=data)
                    ms = (time.perf_counter() - t) * 1000
                    with lock:
                        latencies.append(ms)
                        if response.status_code != 200:
                            failures[0] += 1

        log(
            f"Intake: {INTAKE_REQUESTS} Open311 POSTs from {CLIENTS} clients, {WORKERS} gunicorn workers …"
        )
        threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(CLIENTS)]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - start
        return len(latencies), seconds, latencies, failures[0]
    finally:
        server.terminate()
        server.wait(timeout=20)


@scenario(
    "hotline",
    default_volume=1_000_000,
    description="12345 tickets: generate volume tickets, monthly and yearly ranking, dispatch "
    "suggestion, HTTP intake with 20 concurrent clients",
)
def run(context: Context) -> list[dict]:
    records = []
    with throwaway_database(keep=context.keep, log=context.log) as db:
        context.log(f"Throwaway {db.label} database: {db.location}")
        db.manage("migrate", "--verbosity", "0")
        db.manage("shell", "--verbosity", "0", "--command", SETUP)
        context.log(f"Generating {context.volume:,} tickets …")
        summary = json.loads(
            db.manage(
                "generate_tickets", "--count", str(context.volume), "--seed", str(SEED), "--json"
            )
            .strip()
            .splitlines()[-1]
        )
        records.append(
            record(
                scenario="hotline",
                operation="insert tickets",
                database=db.label,
                volume=summary["tickets"],
                seconds=summary["tickets_seconds"],
                throughput_per_s=throughput(summary["tickets"], summary["tickets_seconds"]),
            )
        )
        records.append(
            record(
                scenario="hotline",
                operation="rebuild daily facts",
                database=db.label,
                volume=summary["facts"],
                seconds=summary["facts_seconds"],
                throughput_per_s=throughput(summary["facts"], summary["facts_seconds"]),
            )
        )
        context.log("Timing rankings and the dispatch suggestion …")
        result = json.loads(
            db.manage("shell", "--verbosity", "0", "--command", QUERIES).strip().splitlines()[-1]
        )
        for key, label in (
            ("month", "monthly ranking, all units"),
            ("year", "yearly ranking, all units"),
        ):
            p50, p95 = percentiles(result[key], 50, 95)
            records.append(
                record(
                    scenario="hotline",
                    operation=f"{label} ({result['units']} units, {summary['tickets']:,} tickets)",
                    database=db.label,
                    volume=len(result[key]),
                    seconds=sum(result[key]) / 1000,
                    throughput_per_s=None,
                    p50_ms=p50,
                    p95_ms=p95,
                )
            )
        records.append(
            record(
                scenario="hotline",
                operation=f"train dispatch model ({result['train_samples']} tickets, holdout accuracy "
                f"{result['train_accuracy']})",
                database=db.label,
                volume=result["train_samples"],
                seconds=round(result["train_s"], 3),
                throughput_per_s=throughput(result["train_samples"], result["train_s"]),
            )
        )
        p50, p95 = percentiles(result["suggest"], 50, 95)
        records.append(
            record(
                scenario="hotline",
                operation="dispatch suggestion per ticket",
                database=db.label,
                volume=len(result["suggest"]),
                seconds=sum(result["suggest"]) / 1000,
                throughput_per_s=throughput(len(result["suggest"]), sum(result["suggest"]) / 1000),
                p50_ms=p50,
                p95_ms=p95,
            )
        )
        done, seconds, latencies, failures = _intake(db.env, context.log)
        p50, p95 = percentiles(latencies, 50, 95)
        records.append(
            record(
                scenario="hotline",
                operation=f"intake over HTTP, {CLIENTS} clients ({failures} failed)",
                database=db.label,
                volume=done,
                seconds=round(seconds, 3),
                throughput_per_s=throughput(done, seconds),
                p50_ms=p50,
                p95_ms=p95,
            )
        )
    return records
