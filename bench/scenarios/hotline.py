"""Scenario ``hotline``: 12345 tickets at volume (default 1,000,000).

In a throwaway database of the configured kind: migrate, seed, ``banhao generate_tickets``
(volume tickets over a year, then the per-unit daily facts rebuilt); then

- the monthly ranking of all units with every indicator and the interview flags, and the yearly
  ranking (each timed 7 times: p50/p95);
- the dispatch suggestion per ticket (duty list plus the model trained on handled tickets);
- intake over HTTP: 20 concurrent clients POST Open311 requests to gunicorn on loopback.

The load generator runs on the same cores as the server, so it is kept lean: 20 threads, each
with its own keep-alive connection sending prepared request bytes (``_Connection``).
"""

import json
import os
import socket
import threading
import time
from urllib.parse import urlencode

from bench import (
    Context,
    cpu_seconds,
    latency_record,
    record,
    scenario,
    serve,
    throughput,
    throwaway_database,
)

SEED = 2024
CLIENTS = 20
INTAKE_REQUESTS = 4000
WARMUP_REQUESTS = 200
# gunicorn for the intake: gthread workers keep the clients' connections alive. On 2 cores, two
# processes of 5 threads did better than 3-4 sync workers or more processes (fewer processes
# competing with PostgreSQL and the load generator for the cores; docs/adr/0005-hotline.md).
WORKERS = 2
THREADS = 5

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
from banhao.portal.seeding import run_all
from banhao.hotline.seed import seed_hotline
from banhao.hotline.models import Open311Client
run_all(); seed_hotline()
Open311Client.objects.get_or_create(api_key="bench-key", defaults={"name": "bench"})
"""


class _Connection:
    """A minimal HTTP/1.1 keep-alive client for the load generator.

    The load generator shares the machine's cores with the server it measures, so it does as
    little as possible per request: the request is sent as prepared bytes, and the response is
    read up to its Content-Length (reconnecting when the server closes the connection).
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock: socket.socket | None = None
        self.buffer = b""

    def post(self, request: bytes) -> tuple[int, bytes]:
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.buffer = b""
        self.sock.sendall(request)
        while b"\r\n\r\n" not in self.buffer:
            self._read()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            self._read()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        if headers.get("connection") == "close":
            self.close()
        return status, body

    def _read(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            self.close()
            raise ConnectionError("the server closed the connection")
        self.buffer += chunk

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock = None


def _server_processes(pid: int) -> list[int]:
    """gunicorn's master and its workers."""
    found = [pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return found


def _database_backends(env: dict) -> list[int]:
    """PostgreSQL server processes serving the benchmark database (none on SQLite)."""
    url = env.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return []
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        ).fetchall()
    return [pid for (pid,) in rows]


class _CpuMeter:
    """CPU per request of the server, the database and the load generator, read from /proc.

    On a machine shared with other jobs, wall-clock throughput says little; CPU time per request
    of each party hardly depends on what else runs (docs/adr/0005-hotline.md, "Intake speed").
    The database server must run on this machine for its share to be read.
    """

    def __init__(self, server_pid: int, env: dict) -> None:
        self.server_pid, self.env = server_pid, env

    def start(self) -> None:
        self.server = {p: cpu_seconds(p) for p in _server_processes(self.server_pid)}
        self.database = {p: cpu_seconds(p) for p in _database_backends(self.env)}
        self.generator = time.process_time()

    def per_request_ms(self, requests: int) -> dict[str, float]:
        generator = time.process_time() - self.generator
        server = sum(cpu_seconds(p) - before for p, before in self.server.items())
        # Backends that connected during the run count from zero (their start-up included).
        database = sum(
            cpu_seconds(p) - self.database.get(p, 0.0) for p in _database_backends(self.env)
        )
        return {
            name: round(seconds * 1000 / requests, 3)
            for name, seconds in (
                ("server", server),
                ("database", database),
                ("load generator", generator),
            )
        }


def _request(i: int, n: int) -> bytes:
    codes = ["road", "water", "heating", "wages", "food_safety", "sanitation", "noise_social"]
    body = urlencode(
        {
            "api_key": "bench-key",
            "service_code": codes[i % len(codes)],
            "lat": "36.18",
            "long": "118.17",
            "description": f"压测工单 {i}：小区门口问题反映，请尽快处理",
            "phone": f"13{n:02d}{i:07d}",
            "first_name": "测",
            "last_name": "试",
        }
    ).encode()
    return (
        b"POST /open311/v2/requests.json HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )


def _intake(env: dict, log) -> tuple[int, float, list[float], int]:
    server_env = {**env, "DATABASE_CONN_MAX_AGE": "600"}
    with serve(server_env, workers=WORKERS, threads=THREADS, ready=None) as server:
        port = server.port
        latencies: list[float] = []
        failures = [0]
        lock = threading.Lock()

        def client_loop(numbers, n: int) -> None:
            connection = _Connection(port)
            try:
                for i in numbers:
                    request = _request(i, n)
                    t = time.perf_counter()
                    try:
                        status, _ = connection.post(request)
                    except OSError:
                        connection.close()
                        status = 0
                    ms = (time.perf_counter() - t) * 1000
                    with lock:
                        latencies.append(ms)
                        if status != 200:
                            failures[0] += 1
            finally:
                connection.close()

        def run(numbers) -> float:
            threads = [
                threading.Thread(target=client_loop, args=(numbers, n)) for n in range(CLIENTS)
            ]
            start = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            return time.perf_counter() - start

        # Warm-up (not counted): every worker thread imports, connects and fills its caches.
        run(iter(range(INTAKE_REQUESTS, INTAKE_REQUESTS + WARMUP_REQUESTS)))
        latencies.clear()
        failures[0] = 0
        log(
            f"Intake: {INTAKE_REQUESTS} Open311 POSTs from {CLIENTS} clients, {WORKERS} gunicorn "
            f"workers × {THREADS} threads …"
        )
        meter = _CpuMeter(server.process.pid, env) if os.path.isdir("/proc") else None
        if meter:
            meter.start()
        seconds = run(iter(range(INTAKE_REQUESTS)))
        if meter:
            cpu = meter.per_request_ms(len(latencies))
            log(
                "Intake CPU per request: "
                + ", ".join(f"{name} {ms:.2f} ms" for name, ms in cpu.items())
                + f" (load average {os.getloadavg()[0]:.2f})"
            )
        return len(latencies), seconds, latencies, failures[0]


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
            records.append(
                latency_record(
                    result[key],
                    scenario="hotline",
                    operation=f"{label} ({result['units']} units, {summary['tickets']:,} tickets)",
                    database=db.label,
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
        records.append(
            latency_record(
                result["suggest"],
                scenario="hotline",
                operation="dispatch suggestion per ticket",
                database=db.label,
            )
        )
        done, seconds, latencies, failures = _intake(db.env, context.log)
        records.append(
            latency_record(
                latencies,
                seconds,
                scenario="hotline",
                operation=f"intake over HTTP, {CLIENTS} clients ({failures} failed)",
                database=db.label,
                volume=done,
            )
        )
    return records
