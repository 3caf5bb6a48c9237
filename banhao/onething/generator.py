"""Past one-thing applications at volume, for demos and benchmarks.

Applications of every published bundle are written with ``bulk_create`` in large batches (one
transaction per batch), each with its tasks and two timeline entries, from one seeded
``random.Random``. Most are finished (every task approved with a result in the item's format);
a share is still open, with tasks in the departments' queues, some due soon and some overdue,
so queue pages are measured against realistic work in progress.

The rows are written directly rather than through ``services`` (a million audited transactions
would take hours): this is history, as a migration from a previous system would load it.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from stdnum.cn import ric

from banhao.accounts.roles import Role
from banhao.catalog import definitions
from banhao.catalog.models import BundleVersion
from banhao.core.workdays import add_working_days
from banhao.org.models import Department, Venue

from .models import Application, Event, Task
from .states import ApplicationState, Channel, EventKind, TaskState

GENERATOR_USERNAME = "onething_history"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰春梅海燕鹏飞宇浩然子涵欣怡"
# Newborn and social security bundles are the most common; weights per bundle number.
WEIGHTS = {9: 30, 11: 15, 13: 10, 10: 10, 3: 6, 12: 5, 1: 5, 8: 4, 4: 4, 2: 3, 5: 3, 6: 2, 7: 3}
OPEN_SHARE = 0.02  # still in progress
REJECTED_SHARE = 0.01  # one item refused
BATCH = 2000


@dataclass
class Summary:
    applications: int = 0
    tasks: int = 0
    events: int = 0
    seconds: float = 0.0


@dataclass
class _Variant:
    version_id: int
    onething_id: int
    answers: dict
    positions: list[int]
    items: dict[int, dict]
    deps: dict[int, list[int]]
    departments: dict[int, int]
    days: int


@contextmanager
def _historic_timestamps():
    """Let bulk_create keep the given created_at (history, not now)."""
    field = Application._meta.get_field("created_at")
    field.auto_now_add = False
    try:
        yield
    finally:
        field.auto_now_add = True


def _variants(rng: random.Random) -> list[tuple[_Variant, int]]:
    latest: dict[int, BundleVersion] = {}
    for version in BundleVersion.objects.select_related("onething").order_by("number"):
        latest[version.onething_id] = version
    by_name = {d.name: d.pk for d in Department.objects.filter(is_placeholder=False)}
    out = []
    for version in latest.values():
        d = version.definition
        number = d["onething"]["number"]
        for _ in range(6):
            answers = {}
            for q in d["questions"]:
                if q["kind"] == "yes_no":
                    answers[q["key"]] = "yes" if rng.random() < 0.75 else "no"
                else:
                    answers[q["key"]] = rng.choice(q["choices"])["value"]
            positions = definitions.applicable_positions(d, answers)
            if not positions:
                continue
            items = definitions.items_by_position(d)
            departments = {}
            for p in positions:
                item = items[p]
                if item["department_question"]:
                    departments[p] = by_name[answers[item["department_question"]]]
                else:
                    departments[p] = item["department_id"]
            out.append(
                (
                    _Variant(
                        version_id=version.pk,
                        onething_id=version.onething_id,
                        answers=answers,
                        positions=positions,
                        items={p: items[p] for p in positions},
                        deps={
                            p: definitions.effective_deps(items[p], positions) for p in positions
                        },
                        departments=departments,
                        days=definitions.critical_path_days(d["items"], positions),
                    ),
                    WEIGHTS.get(number, 1),
                )
            )
    return out


def _id_number(rng: random.Random) -> str:
    birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 45))
    first17 = f"370323{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + ric.calc_check_digit(first17 + "0")


def generate(count: int, *, seed: int = 2024, log=lambda message: None) -> Summary:
    """Write ``count`` past applications (needs the seed data: bundles, departments)."""
    rng = random.Random(seed)
    started = time.perf_counter()
    variants = _variants(rng)
    if not variants:
        raise RuntimeError("No published bundle: run `banhao seed` first.")
    population = [v for v, _ in variants]
    weights = [w for _, w in variants]
    user_model = get_user_model()
    creator, _ = user_model.objects.get_or_create(
        username=GENERATOR_USERNAME,
        defaults={"role": Role.ADMIN, "full_name": "历史数据导入", "is_active": False},
    )
    venues = list(Venue.objects.values_list("pk", flat=True)) or [None]
    today = timezone.localdate()
    now = timezone.now()
    summary = Summary()
    with _historic_timestamps():
        done = 0
        while done < count:
            size = min(BATCH, count - done)
            apps: list[Application] = []
            plans = []
            for _ in range(size):
                variant = rng.choices(population, weights)[0]
                roll = rng.random()
                state = (
                    ApplicationState.IN_PROGRESS
                    if roll < OPEN_SHARE
                    else ApplicationState.PARTLY_COMPLETED
                    if roll < OPEN_SHARE + REJECTED_SHARE
                    else ApplicationState.COMPLETED
                )
                if state == ApplicationState.IN_PROGRESS:
                    submitted = today - dt.timedelta(days=rng.randrange(0, 20))
                else:
                    submitted = today - dt.timedelta(days=rng.randrange(20, 730))
                created = timezone.make_aware(
                    dt.datetime.combine(submitted, dt.time(8 + rng.randrange(9), rng.randrange(60)))
                )
                window = rng.random() < 0.4
                name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
                finished = (
                    None
                    if state == ApplicationState.IN_PROGRESS
                    else created + dt.timedelta(days=max(1, variant.days))
                )
                apps.append(
                    Application(
                        onething_id=variant.onething_id,
                        version_id=variant.version_id,
                        state=state,
                        channel=Channel.WINDOW if window else Channel.ONLINE,
                        applicant=None,
                        applicant_name=name,
                        applicant_identifier=_id_number(rng),
                        applicant_phone=f"13{rng.randrange(10**9):09d}",
                        created_by=creator,
                        receiving_venue_id=rng.choice(venues) if window else None,
                        answers=variant.answers,
                        data={},
                        positions=variant.positions,
                        created_at=created,
                        submitted_at=created,
                        finished_at=finished,
                        due_date=add_working_days(submitted, variant.days),
                    )
                )
                plans.append((variant, state, submitted, created, finished))
            with transaction.atomic():
                Application.objects.bulk_create(apps, batch_size=BATCH)
                tasks: list[Task] = []
                events: list[Event] = []
                for app, (variant, state, submitted, _created, finished) in zip(
                    apps, plans, strict=True
                ):
                    tasks.extend(_tasks(rng, app, variant, state, submitted, finished, now))
                    events.append(Event(application=app, kind=EventKind.SUBMITTED))
                    if finished:
                        events.append(Event(application=app, kind=EventKind.FINISHED, note=state))
                Task.objects.bulk_create(tasks, batch_size=BATCH)
                Event.objects.bulk_create(events, batch_size=BATCH)
            done += size
            summary.applications += size
            summary.tasks += len(tasks)
            summary.events += len(events)
            if done % (BATCH * 25) == 0 or done == count:
                log(f"{done:,} applications, {summary.tasks:,} tasks")
    summary.seconds = time.perf_counter() - started
    return summary


def _tasks(rng, app, variant: _Variant, state, submitted, finished, now) -> list[Task]:
    out = []
    rejected = rng.choice(variant.positions) if state == ApplicationState.PARTLY_COMPLETED else None
    blocked: set[int] = set()
    finished_positions: set[int] = set()
    ordered = definitions.topological_order(
        [{"position": p, "depends_on": variant.deps[p]} for p in variant.positions]
    )
    for position in ordered:
        item = variant.items[position]
        deps = variant.deps[position]
        task = Task(
            application=app,
            position=position,
            item_id=item["item_id"],
            department_id=variant.departments[position],
            depends_on=deps,
            committed_days=item["committed_days"],
        )
        if state == ApplicationState.IN_PROGRESS:
            if all(d in finished_positions for d in deps) and rng.random() < 0.5 and deps:
                # Some dependencies done, this one started later.
                task.state = TaskState.READY
            elif not deps:
                task.state = rng.choice([TaskState.READY, TaskState.ACCEPTED, TaskState.APPROVED])
            else:
                task.state = TaskState.WAITING
            if task.state != TaskState.WAITING:
                task.started_on = submitted
                task.due_date = add_working_days(submitted, item["committed_days"])
            if task.state == TaskState.APPROVED:
                task.result = item["result_example"]
                task.finished_at = now
                finished_positions.add(position)
        elif position == rejected or blocked & set(deps):
            task.state = TaskState.REJECTED if position == rejected else TaskState.CANCELLED
            task.reason = "材料不符合要求" if position == rejected else "所需事项未获批准"
            task.finished_at = finished
            blocked.add(position)
        else:
            task.state = TaskState.APPROVED
            task.result = item["result_example"]
            task.started_on = submitted
            task.due_date = add_working_days(submitted, item["committed_days"])
            task.finished_at = finished
        out.append(task)
    return out
