"""Scenario ``ledger``: the key-task ledger at county scale.

In a throwaway database: the gazette seed, then ``volume`` ledger tasks and 20 × ``volume``
progress reports from ``banhao ledger_generate`` (default 10,000 and 200,000). Then, through
HTTP against gunicorn (2 workers, like a small installation), the leader dashboard and the
unit view of the unit with the most tasks, each timed request by request; and the
comprehensive evaluation of every unit for last month, timed inside the process. The dashboard's
figures are cached per ledger change (``selectors.dashboard_cached``), so the HTTP figure is
mostly cache hits; the scenario also times computing them from scratch, in process.
Targets (issue 5): both pages p95 under 200 ms; the evaluation under 1 s.
"""

import json
import os

import httpx

from bench import (
    Context,
    latency_record,
    login,
    record,
    scenario,
    serve,
    throughput,
    throwaway_database,
    time_page,
)

SEED = 2024
WARMUP = 5
REQUESTS = 60
EVALUATIONS = 5
PASSWORD = "Bench-ledger-2024!"  # noqa: S105 (throwaway benchmark accounts)

SETUP = f"""
import json
from django.db.models import Count
from banhao.accounts.roles import Role
from banhao.ledger.models import TaskUnit
from banhao.org.models import Department
from banhao.testing import make_user
busiest = TaskUnit.objects.values("department_id").annotate(n=Count("id")).order_by("-n", "department_id").first()
unit = Department.objects.get(pk=busiest["department_id"])
leader = make_user(Role.COUNTY_LEADER, username="bench_leader")
handler = make_user(Role.DEPT_HANDLER, username="bench_unit", department=unit)
for user in (leader, handler):
    user.set_password({PASSWORD!r})
    user.save(update_fields=["password"])
print(json.dumps({{"unit": unit.name, "unit_tasks": busiest["n"]}}))
"""

EVALUATE = f"""
import datetime as dt, json, time
from django.utils import timezone
from banhao.accounts.roles import Role
from banhao.ledger import evaluation
from banhao.testing import department, make_user
office = make_user(Role.DEPT_HEAD, username="bench_office", department=department("县政府办公室"))
today = timezone.localdate()
start = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
times = []
for _ in range({EVALUATIONS}):
    t = time.perf_counter()
    ev = evaluation.evaluate(actor=office, period_kind="month", period_start=start)
    times.append(time.perf_counter() - t)
print(json.dumps({{"seconds": times, "units": ev.scores.count(), "start": str(start)}}))
"""


UNCACHED = """
import json, time
from django.utils import timezone
from banhao.ledger import selectors
today = timezone.localdate()
selectors.dashboard(today)
times = []
for _ in range(20):
    t = time.perf_counter()
    selectors.dashboard(today)
    times.append(time.perf_counter() - t)
print(json.dumps({"seconds": times}))
"""


@scenario(
    "ledger",
    default_volume=10_000,
    description="ledger of volume tasks and 20 × volume reports: dashboard and unit view p95 "
    "through HTTP, evaluation of all units for a month",
)
def run(context: Context) -> list[dict]:
    tasks, reports = context.volume, context.volume * 20
    records = []
    with throwaway_database(keep=context.keep, log=context.log) as db:
        context.log(f"Throwaway {db.label} database: {db.location}")
        db.manage("migrate", "--verbosity", "0")
        db.manage("seed")
        db.manage("collectstatic", "--noinput", "--verbosity", "0")
        context.log(f"Generating {tasks:,} tasks and {reports:,} reports …")
        summary = json.loads(
            db.manage(
                "ledger_generate",
                "--tasks",
                str(tasks),
                "--reports",
                str(reports),
                "--seed",
                str(SEED),
                "--json",
            )
            .strip()
            .splitlines()[-1]
        )
        records.append(
            record(
                scenario="ledger",
                operation="generate tasks and reports",
                database=db.label,
                volume=summary["tasks"] + summary["reports"],
                seconds=summary["seconds"],
                throughput_per_s=throughput(
                    summary["tasks"] + summary["reports"], summary["seconds"]
                ),
            )
        )
        users = json.loads(
            db.manage("shell", "--verbosity", "0", "--command", SETUP).strip().splitlines()[-1]
        )
        context.log(f"Unit view of {users['unit']} ({users['unit_tasks']} tasks)")

        env = {
            **db.env,
            "DJANGO_SETTINGS_MODULE": os.environ.get(
                "BANHAO_BENCH_SETTINGS", "banhao.settings.embedded"
            ),
        }
        with serve(env, workers=2) as server:
            for username, path, operation in (
                ("bench_leader", "/ledger/dashboard/", "leader dashboard (HTTP)"),
                ("bench_unit", "/ledger/mine/", "unit view (HTTP)"),
            ):
                with httpx.Client(base_url=server.base_url, timeout=30) as client:
                    login(client, username, PASSWORD)
                    records.append(
                        time_page(
                            client,
                            path,
                            REQUESTS,
                            warm_up=WARMUP,
                            scenario="ledger",
                            operation=operation,
                            database=db.label,
                            log=context.log,
                        )
                    )

        uncached = json.loads(
            db.manage("shell", "--verbosity", "0", "--command", UNCACHED).strip().splitlines()[-1]
        )
        records.append(
            latency_record(
                [s * 1000 for s in uncached["seconds"]],
                scenario="ledger",
                operation="dashboard figures without cache (in process)",
                database=db.label,
                log=context.log,
            )
        )

        result = json.loads(
            db.manage("shell", "--verbosity", "0", "--command", EVALUATE).strip().splitlines()[-1]
        )
        records.append(
            latency_record(
                [s * 1000 for s in result["seconds"]],
                scenario="ledger",
                operation=f"evaluate all units for a month ({result['units']} scored)",
                database=db.label,
                volume=EVALUATIONS,
                log=context.log,
            )
        )
    return records
