"""Scenario ``onething``: newborn bundles carried from submission to one result, at volume.

In a throwaway database: migrate, seed, and ``generate_applications`` writes ``volume`` past
applications (default 1,000,000). Then, with ``bundles = min(10,000, max(100, volume / 100))``:

1. **service layer** (in a subprocess, like every Django command here): prepare that many
   complete newborn drafts through the services (answers, form, eight uploads), then submit
   each and approve its seven tasks as they become ready — every step its own audited
   transaction. Figures: drafts per second, and completed bundles per second for submit +
   approvals. On SQLite (one writer at a time) one process completes them; on PostgreSQL,
   where each commit waits for the disk, one process per CPU shares them, as several
   handlers do (the figure is all bundles over first start to last end;
   ``BANHAO_BENCH_STREAMS=N`` sets the number of processes, to compare).
2. **HTTP**: gunicorn (sync workers: one per CPU on SQLite, two on PostgreSQL;
   ``BANHAO_BENCH_WORKERS=N`` to compare) on loopback; 20 concurrent clients, each logged in as a
   citizen and using one session per handler of each of the four departments, carry ``bundles / 10`` newborn
   bundles (at least 40) through the JSON API: start, answers, form, eight uploads, submit,
   then the handlers approve. Figures: completed bundles per second, p50/p95 of the submit
   call, and a handler's queue page (``/services/queue/``) loaded by a 21st client during the
   run and again on a quiet server afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

from bench import (
    BenchError,
    Context,
    cpu_seconds,
    latency_record,
    login,
    record,
    scenario,
    serve,
    throughput,
    throwaway_database,
)

SEED = 2024
CLIENTS = 20
PASSWORD = "Bench-onething-2024"  # noqa: S105 (throwaway accounts in a throwaway database)
DEPARTMENTS = ["县卫生健康局", "县公安局", "县人力资源社会保障局", "市医疗保障局沂源分局"]
NEWBORN = {
    "born_in_city": "yes",
    "in_wedlock": "yes",
    "parent_local_hukou": "yes",
    "under_one": "yes",
    "mother_employee_insured": "yes",
    "parenting_guidance": "yes",
}


# --- run inside the throwaway database's Django (``banhao shell --command``) ---------------


def _users():
    """Citizens and handlers for the run (created once; fast hasher, throwaway accounts)."""
    from django.contrib.auth.hashers import make_password

    from banhao.accounts.models import User
    from banhao.accounts.roles import Role
    from banhao.accounts.services import register_citizen
    from banhao.org.models import Department
    from banhao.testing import verify

    hashed = make_password(PASSWORD)
    citizens = []
    for n in range(CLIENTS):
        user = User.objects.filter(username=f"bench_citizen_{n}").first()
        if user is None:
            # The typed ID number is a claim; a clerk verifies it in person (ADR 0014).
            # They hold no archive, so their materials are all uploaded.
            user = register_citizen(
                username=f"bench_citizen_{n}", password=PASSWORD, full_name="李芳", id_number=_id(n)
            )
            user = verify(user, _id(n))
        citizens.append(user)
    handlers = {}
    for name in DEPARTMENTS:
        dept = Department.objects.get(name=name, level="county")
        handlers[dept.pk], _ = User.objects.get_or_create(
            username=f"bench_handler_{dept.pk}",
            defaults={
                "role": Role.DEPT_HANDLER,
                "department": dept,
                "full_name": "刘建国",
                "password": hashed,
            },
        )
    return citizens, handlers


def _id(n: int) -> str:
    from stdnum.cn import ric

    first17 = f"37032319950312{n:03d}"
    return first17 + ric.calc_check_digit(first17 + "0")


def _newborn_data() -> dict:
    import datetime as dt

    from django.utils import timezone

    return {
        "child_name": "王小宝",
        "child_sex": "m",
        "child_birth_date": (timezone.localdate() - dt.timedelta(days=20)).isoformat(),
        "birth_hospital": "沂源县人民医院",
        "mother_name": "李芳",
        "mother_id_number": _id(900),
        "father_name": "王强",
        "father_id_number": _id(901),
        "contact_mobile": "13905331234",
        "vaccination_clinic": "county_cdc",
        "marriage_cert_number": "J370323-2021-000123",
        "hukou_address": "沂源县南麻街道振兴路12号",
        "mailing_address": "沂源县南麻街道振兴路12号",
        "maternity_cost": "6850.50",
        "bank_name": "中国农业银行沂源支行",
        "bank_account": "6228480000000000001",
    }


def _file(code: str, types: list[str]):
    from django.core.files.uploadedfile import SimpleUploadedFile

    if "pdf" in types:
        return SimpleUploadedFile(f"{code}.pdf", b"%PDF-1.4\n" + b"0" * 2000, "application/pdf")
    return SimpleUploadedFile(f"{code}.jpg", b"\xff\xd8\xff" + b"0" * 2000, "image/jpeg")


def prepare_phase(bundles: int, path: str) -> None:
    """Prepare ``bundles`` complete drafts through the services; write their (actor, id) pairs
    to ``path`` and print the seconds it took as one JSON line."""
    from banhao.catalog import definitions
    from banhao.catalog.models import OneThing
    from banhao.onething import services

    citizens, _handlers = _users()
    onething = OneThing.objects.get(number=9)
    data = _newborn_data()
    started = time.perf_counter()
    drafts = []
    for n in range(bundles):
        actor = citizens[n % len(citizens)]
        app = services.start_application(actor=actor, onething=onething)
        app = services.save_answers(actor=actor, application_id=app.pk, answers=NEWBORN)
        services.save_form(actor=actor, application_id=app.pk, data=data)
        for m in definitions.merged_materials(app.version.definition, app.positions):
            services.attach_material(
                actor=actor,
                application_id=app.pk,
                code=m["code"],
                upload=_file(m["code"], m["file_types"]),
            )
        drafts.append((actor.pk, app.pk))
    prepared = time.perf_counter() - started
    with open(path, "w") as out:
        json.dump(drafts, out)
    print(json.dumps({"bundles": bundles, "prepare_seconds": prepared}))


def complete_phase(path: str, together: bool = False) -> None:
    """Submit each draft listed in ``path`` and approve its tasks as they become ready, every
    step its own audited transaction; print wall-clock start and end (epoch seconds), steps and
    submit latencies as one JSON line, with the CPU seconds this process and its PostgreSQL
    backend spent (the backend's only when the server runs on this machine). With
    ``together``, print "ready" once set up and start when a line arrives on standard input, so
    that several streams start at once."""
    from django.urls import reverse

    from banhao.catalog.models import OneThing
    from banhao.catalog.services import latest_version
    from banhao.core import rows
    from banhao.onething import services
    from banhao.onething.models import Application, Task
    from banhao.onething.states import ApplicationState, TaskState

    with open(path) as source:
        drafts = json.load(source)
    citizens, handlers = _users()
    actors = {u.pk: u for u in citizens}
    definition = latest_version(OneThing.objects.get(number=9)).definition
    # A running server has its URLconf loaded; the first result notification would otherwise
    # import every app's URLs (~0.8 s) inside the timed loop.
    reverse("portal:home")
    results = {i["position"]: i["result_example"] for i in definition["items"]}
    # The harness reads an application's tasks once, after submitting it, and then follows the
    # definition's dependencies itself to know which tasks each approval makes ready (a
    # handler's queue is measured separately), so what is timed is the services' own work.
    # Should it ever disagree with the services, approve() refuses a task that is not ready
    # and the run fails; every application is checked to be completed at the end.
    table = rows.connection().ops.quote_name(Task._meta.db_table)
    tasks_sql = (
        f"SELECT id, position, department_id, state, depends_on FROM {table} "  # noqa: S608
        "WHERE application_id = %s"
    )
    submit_ms = []
    steps = 0
    backend = _local_backend(rows.connection())
    if together:
        print("ready", flush=True)
        sys.stdin.readline()
    start = time.time()
    cpu_start, backend_start = time.process_time(), backend and cpu_seconds(backend)
    for actor_id, app_id in drafts:
        t0 = time.perf_counter()
        services.submit(actor=actors[actor_id], application_id=app_id)
        submit_ms.append((time.perf_counter() - t0) * 1000)
        steps += 1
        with rows.cursor(rows.connection()) as cursor:
            cursor.execute(tasks_sql, [app_id])
            tasks = cursor.fetchall()
        waiting = {
            position: (pk, department_id, set(json.loads(deps) if isinstance(deps, str) else deps))
            for pk, position, department_id, state, deps in tasks
            if state != TaskState.READY
        }
        ready = [
            (pk, position, dept)
            for pk, position, dept, state, _ in tasks
            if state == TaskState.READY
        ]
        done = set()
        while ready:
            for pk, position, department_id in ready:
                services.approve(
                    actor=handlers[department_id], task_id=pk, result=results[position]
                )
                done.add(position)
                steps += 1
            ready = [(pk, p, dept) for p, (pk, dept, deps) in waiting.items() if deps <= done]
            for _pk, position, _dept in ready:
                del waiting[position]
    end = time.time()
    client_cpu = time.process_time() - cpu_start
    database_cpu = cpu_seconds(backend) - backend_start if backend else None
    completed = Application.objects.filter(
        pk__in=[app_id for _, app_id in drafts], state=ApplicationState.COMPLETED
    ).count()
    if completed != len(drafts):
        raise RuntimeError(f"only {completed} of {len(drafts)} bundles were completed")
    print(
        json.dumps(
            {
                "start": start,
                "end": end,
                "steps": steps,
                "submit_ms": submit_ms,
                "client_cpu": client_cpu,
                "database_cpu": database_cpu,
            }
        )
    )


def _local_backend(conn) -> int | None:
    """The process id of this connection's PostgreSQL backend, if the server runs here."""
    host = conn.settings_dict["HOST"]
    if conn.vendor != "postgresql" or not (host in _LOCAL_HOSTS or host.startswith("/")):
        return None  # SQLite runs in the stream's own process; a remote server is not ours
    conn.ensure_connection()
    return conn.connection.info.backend_pid


_LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}


def service_phase(db, bundles: int, streams: int, folder: str, log) -> dict:
    """Prepare the drafts, then complete them in ``streams`` processes at once (each its own
    share of the drafts, as several handlers work at once); the figure is all bundles over the
    time from the first stream's start to the last one's end."""
    path = os.path.join(folder, "drafts.json")
    prepared = json.loads(
        db.manage(
            "shell",
            "--command",
            f"from bench.scenarios.onething import prepare_phase; prepare_phase({bundles}, {path!r})",
        )
        .strip()
        .splitlines()[-1]
    )
    with open(path) as source:
        drafts = json.load(source)
    log(f"Service layer: completing {bundles:,} bundles in {streams} stream(s) …")
    workers = []
    for n in range(streams):
        share = os.path.join(folder, f"drafts-{n}.json")
        with open(share, "w") as out:
            json.dump(drafts[n::streams], out)
        workers.append(
            subprocess.Popen(  # noqa: S603 - our own command
                [
                    sys.executable,
                    "-m",
                    "banhao.cli",
                    "shell",
                    "--command",
                    "from bench.scenarios.onething import complete_phase; "
                    f"complete_phase({share!r}, together=True)",
                ],
                env=db.env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    # Start the streams together once each has started Django and loaded its accounts (a
    # stream still importing would otherwise slow the others down inside their timed loop).
    for worker in workers:
        for line in worker.stdout:  # the shell may print a line of its own first
            if line.strip() == "ready":
                break
        else:
            worker.kill()
            _out, err = worker.communicate()
            raise BenchError(f"service stream failed to start:\n{err[-3000:]}")
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    outputs = []
    for worker in workers:
        out, err = worker.communicate()
        if worker.returncode:
            raise BenchError(f"service stream failed (exit {worker.returncode}):\n{err[-3000:]}")
        outputs.append(json.loads(out.strip().splitlines()[-1]))
    return {
        "bundles": bundles,
        "streams": streams,
        "prepare_seconds": prepared["prepare_seconds"],
        "complete_seconds": max(o["end"] for o in outputs) - min(o["start"] for o in outputs),
        "steps": sum(o["steps"] for o in outputs),
        "submit_ms": [ms for o in outputs for ms in o["submit_ms"]],
        "client_cpu": sum(o["client_cpu"] for o in outputs),
        "database_cpu": (
            sum(o["database_cpu"] for o in outputs)
            if all(o["database_cpu"] is not None for o in outputs)
            else None
        ),
    }


def setup_http() -> None:
    """Accounts for the HTTP phase (printed as JSON: usernames)."""
    citizens, handlers = _users()
    print(
        json.dumps(
            {
                "citizens": [u.username for u in citizens],
                "handlers": {str(k): u.username for k, u in handlers.items()},
            }
        )
    )


# --- HTTP clients -------------------------------------------------------------------------


def _http_bundle(citizen, handlers, materials, data, results, key: str) -> float:
    api = "/api/v1/onething"
    r = citizen.post(f"{api}/applications/", json={"number": 9}, headers={"Idempotency-Key": key})
    r.raise_for_status()
    app_id = r.json()["id"]
    citizen.put(
        f"{api}/applications/{app_id}/answers/", json={"answers": NEWBORN}
    ).raise_for_status()
    citizen.put(f"{api}/applications/{app_id}/form/", json={"data": data}).raise_for_status()
    for code, types in materials:
        name, body, kind = (
            (f"{code}.pdf", b"%PDF-1.4\n" + b"0" * 2000, "application/pdf")
            if "pdf" in types
            else (f"{code}.jpg", b"\xff\xd8\xff" + b"0" * 2000, "image/jpeg")
        )
        citizen.post(
            f"{api}/applications/{app_id}/materials/{code}/", files={"file": (name, body, kind)}
        ).raise_for_status()
    t0 = time.perf_counter()
    r = citizen.post(f"{api}/applications/{app_id}/submit/")
    submit_ms = (time.perf_counter() - t0) * 1000
    r.raise_for_status()
    detail = r.json()
    while detail["state"] not in ("completed", "partly_completed", "rejected"):
        ready = [t for t in detail["tasks"] if t["state"] == "ready"]
        if not ready:
            raise BenchError(f"application {app_id} stuck in {detail['state']}")
        for t in ready:
            handler = handlers[t["department"]]
            handler.post(
                f"{api}/tasks/{t['id']}/approve/",
                json={"result": results[t["position"]], "revision": t["revision"]},
            ).raise_for_status()
        detail = citizen.get(f"{api}/applications/{app_id}/").json()
    return submit_ms


def http_phase(db, bundles: int, log) -> dict:
    import httpx

    accounts = json.loads(
        db.manage(
            "shell", "--command", "from bench.scenarios.onething import setup_http; setup_http()"
        )
        .strip()
        .splitlines()[-1]
    )
    db.manage("collectstatic", "--noinput", "--verbosity", "0")
    # Sync workers, CPU-bound: on SQLite one per CPU, since more only adds writers waiting for
    # its one write lock (each wait sleeps in growing steps; 4 workers gave a p95 about 1.5
    # times that of 2 here); on PostgreSQL two per CPU, to overlap commits waiting for the disk.
    # BANHAO_BENCH_WORKERS overrides it, to compare.
    cpus = os.cpu_count() or 1
    workers = int(
        os.environ.get("BANHAO_BENCH_WORKERS") or (cpus if db.vendor == "sqlite" else 2 * cpus)
    )
    with serve(db.env, workers=workers, ready="/services/") as server:
        base = server.base_url
        bundle = httpx.get(base + "/api/v1/onething/bundles/9/").json()
        materials = [(m["code"], m["file_types"]) for m in bundle["materials"]]
        results = {i["position"]: i["result_example"] for i in bundle["item_list"]}
        dept_names = {
            str(pk): name for pk, name in zip(accounts["handlers"], DEPARTMENTS, strict=True)
        }
        data = json.loads(
            db.manage(
                "shell",
                "--command",
                "import json; from bench.scenarios.onething import _newborn_data; "
                "print(json.dumps(_newborn_data()))",
            )
            .strip()
            .splitlines()[-1]
        )
        log(f"HTTP: logging in {CLIENTS} clients …")
        # Each handler logs in once (password hashing is slow by design and not what is
        # measured); every client thread gets its own connection carrying that session.
        handler_logins = {}
        for pk, handler_name in accounts["handlers"].items():
            handler_logins[dept_names[pk]] = httpx.Client(base_url=base, timeout=60)
            login(handler_logins[dept_names[pk]], handler_name, PASSWORD, api=True)

        def copy(client):
            twin = httpx.Client(base_url=base, timeout=60, headers=client.headers)
            twin.cookies.update(client.cookies)
            return twin

        sessions = []
        for username in accounts["citizens"]:
            citizen = httpx.Client(base_url=base, timeout=60)
            login(citizen, username, PASSWORD, api=True)
            sessions.append((citizen, {name: copy(c) for name, c in handler_logins.items()}))
        queue_client = copy(next(iter(handler_logins.values())))

        submit_ms: list[float] = []
        queue_busy_ms: list[float] = []
        errors: list[str] = []
        counter = iter(range(bundles))
        lock = threading.Lock()
        running = threading.Event()
        running.set()

        def work(index: int) -> None:
            citizen, handlers = sessions[index]
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                try:
                    ms = _http_bundle(citizen, handlers, materials, data, results, f"b{n}")
                except Exception as exc:  # noqa: BLE001 - reported, not hidden
                    errors.append(repr(exc))
                    return
                with lock:
                    submit_ms.append(ms)

        def poll_queue() -> None:
            while running.is_set():
                t0 = time.perf_counter()
                queue_client.get("/services/queue/").raise_for_status()
                queue_busy_ms.append((time.perf_counter() - t0) * 1000)
                time.sleep(0.2)

        log(f"HTTP: {bundles:,} bundles with {CLIENTS} clients …")
        poller = threading.Thread(target=poll_queue)
        poller.start()
        threads = [threading.Thread(target=work, args=(i,)) for i in range(CLIENTS)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - started
        running.clear()
        poller.join()
        if errors:
            raise BenchError(f"{len(errors)} HTTP bundles failed, first: {errors[0]}")
        queue_quiet_ms = []
        for _ in range(100):
            t0 = time.perf_counter()
            queue_client.get("/services/queue/").raise_for_status()
            queue_quiet_ms.append((time.perf_counter() - t0) * 1000)
        return {
            "bundles": len(submit_ms),
            "seconds": seconds,
            "submit_ms": submit_ms,
            "queue_busy_ms": queue_busy_ms,
            "queue_quiet_ms": queue_quiet_ms,
        }


@scenario(
    "onething",
    default_volume=1_000_000,
    description="past applications (volume), then min(10k, volume/100) newborn bundles "
    "submitted and completed via services, and a tenth of them via HTTP with 20 clients",
)
def run(context: Context) -> list[dict]:
    past = context.volume
    bundles = min(10_000, max(100, past // 100))
    http_bundles = max(40, bundles // 10)
    media = tempfile.mkdtemp(prefix="banhao-bench-media-")
    with throwaway_database(keep=context.keep, log=context.log) as db:
        db.env["BANHAO_MEDIA_ROOT"] = media
        # PostgreSQL runs get a scratch folder too (static files, secret key), never ./var.
        db.env.setdefault("BANHAO_VAR_DIR", os.path.join(media, "var"))
        context.log(f"Throwaway {db.label} database: {db.location}")
        db.manage("migrate", "--verbosity", "0")
        db.manage("seed")
        context.log(f"Generating {past:,} past applications …")
        generated = json.loads(
            db.manage("generate_applications", "--count", str(past), "--seed", str(SEED), "--json")
            .strip()
            .splitlines()[-1]
        )
        context.log(f"Service layer: preparing {bundles:,} newborn drafts …")
        # SQLite has one writer at a time: one stream. PostgreSQL takes concurrent writers: one
        # stream per CPU, as several handlers work at once (on 2 quiet CPUs, 800 bundles over
        # the Unix socket: 2 streams 124-130/s, 3 streams 107/s, 4 streams 112/s — the steps
        # are CPU-bound). BANHAO_BENCH_STREAMS overrides it, to compare.
        streams = int(
            os.environ.get("BANHAO_BENCH_STREAMS")
            or (1 if db.vendor == "sqlite" else (os.cpu_count() or 1))
        )
        service = service_phase(db, bundles, streams, media, context.log)
        # CPU per bundle moves far less than wall clock when other work shares the machine.
        per_bundle = f"{service['client_cpu'] * 1000 / bundles:.2f} ms in the stream(s)"
        if service["database_cpu"] is not None:
            per_bundle += f", {service['database_cpu'] * 1000 / bundles:.2f} ms in PostgreSQL"
        context.log(f"Service layer: CPU per bundle {per_bundle}")
        http = http_phase(db, http_bundles, context.log)
    shutil.rmtree(media, ignore_errors=True)
    common = {"scenario": "onething", "database": db.label}
    return [
        record(
            **common,
            operation="generate past applications",
            volume=generated["applications"],
            seconds=generated["seconds"],
            throughput_per_s=throughput(generated["applications"], generated["seconds"]),
        ),
        record(
            **common,
            operation="prepare newborn drafts (services)",
            volume=service["bundles"],
            seconds=service["prepare_seconds"],
            throughput_per_s=throughput(service["bundles"], service["prepare_seconds"]),
        ),
        latency_record(
            service["submit_ms"],
            service["complete_seconds"],
            **common,
            operation=f"submit + complete newborn (services, {service['streams']} stream(s))",
            volume=service["bundles"],
        ),
        latency_record(
            http["submit_ms"],
            http["seconds"],
            **common,
            operation="newborn bundles via HTTP, 20 clients (p = submit)",
            volume=http["bundles"],
        ),
        latency_record(
            http["queue_busy_ms"], **common, operation="handler queue page during HTTP load"
        ),
        latency_record(
            http["queue_quiet_ms"], **common, operation="handler queue page, quiet server"
        ),
    ]
