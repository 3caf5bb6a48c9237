"""Demo and benchmark volumes for the ledger: tasks with units and years of progress reports.

Deterministic for a given seed. Writes with bulk inserts, then derives every task's and unit's
schedule dates with the same functions the services use (``schedule.py``), so the generated
ledger looks exactly like one built through the services (statuses, late reports, closures).
Needs the seed data (departments) loaded.
"""

import datetime as dt
import random
import time
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from banhao.org.models import Department

from . import schedule
from .models import LedgerTask, ProgressReport, Source, TaskUnit, UnitRole
from .states import Cycle, Stage

CATEGORIES = [
    "推进政务服务提质增效",
    "推进企业群众诉求解决提质增效",
    "推进机关运转提质增效",
    "推进组织保障工作提质增效",
]
VERBS = ["推进", "深化", "完善", "优化", "健全", "强化", "规范"]
OBJECTS = [
    "政务服务事项标准化",
    "“一件事”场景",
    "帮办代办服务",
    "热线诉求办理",
    "数据共享",
    "便民服务站建设",
    "信息公开",
    "文电运转",
    "跨域通办",
    "惠企政策兑现",
]


def generate(
    *, tasks: int, reports: int, seed: int = 2024, today: dt.date | None = None, log=lambda m: None
) -> dict:
    rng = random.Random(seed)
    today = today or timezone.localdate()
    started = time.perf_counter()
    units = list(
        Department.objects.filter(
            level__in=["county", "township"], is_placeholder=False
        ).values_list("id", flat=True)
    )
    if not units:
        raise RuntimeError("Load the seed data first (banhao seed).")
    with transaction.atomic():
        source, _ = Source.objects.get_or_create(
            code=f"generated-{seed}",
            defaults={"title": f"生成的台账 {seed}", "document": "演示数据", "position": 900},
        )
        base = LedgerTask.objects.filter(source=source).count()
        year_start = dt.date(today.year - 1, 1, 1)
        rows = []
        for i in range(tasks):
            starts = year_start + dt.timedelta(days=rng.randrange(0, 300))
            deadline = starts + dt.timedelta(days=rng.randrange(60, 540))
            cycle = rng.choice([Cycle.WEEKLY, Cycle.MONTHLY, Cycle.MONTHLY, Cycle.NONE])
            rows.append(
                LedgerTask(
                    source=source,
                    position=base + i + 1,
                    clause=f"G{base + i + 1}",
                    category=rng.choice(CATEGORIES),
                    name=f"{rng.choice(VERBS)}{rng.choice(OBJECTS)}（{base + i + 1}）",
                    goal="演示目标任务。",
                    deadline=deadline,
                    deadline_as_written=deadline.isoformat(),
                    starts_on=starts,
                    cycle=cycle,
                    cycle_starts_on=starts if cycle != Cycle.NONE else None,
                )
            )
        created = LedgerTask.objects.bulk_create(rows, batch_size=2000)
        log(f"{len(created):,} tasks")
        links = []
        for task in created:
            chosen = rng.sample(units, rng.choice([1, 2, 2, 3, 4]))
            for position, unit_id in enumerate(chosen, start=1):
                role = UnitRole.LEAD if position == 1 else UnitRole.RESPONSIBLE
                links.append(
                    TaskUnit(
                        task=task,
                        department_id=unit_id,
                        role=role,
                        position=position,
                        as_written="",
                    )
                )
        TaskUnit.objects.bulk_create(links, batch_size=5000)
        log(f"{len(links):,} task units")

        # Reports: spread over the links that have a cycle, one per period, in period order.
        by_task = defaultdict(list)
        for link in links:
            by_task[link.task_id].append(link)
        cyclic = [t for t in created if t.cycle != Cycle.NONE]
        periods_of = {}
        for t in cyclic:
            end = min(today, t.deadline)
            periods_of[t.pk] = [
                p for p in schedule.reportable_periods(t.cycle, t.cycle_starts_on, end)
            ]
        slots = [(t, link) for t in cyclic for link in by_task[t.pk]]
        rng.shuffle(slots)
        per_slot = defaultdict(int)
        budget = reports
        report_rows = []
        now = timezone.now()
        while budget > 0 and slots:
            progressed = False
            for t, link in slots:
                if budget <= 0:
                    break
                k = per_slot[(t.pk, link.department_id)]
                periods = periods_of[t.pk]
                if k >= len(periods):
                    continue
                start, end = periods[k]
                due = schedule.due_date(start, end)
                late = rng.random() < 0.15
                submitted_day = (
                    due + dt.timedelta(days=rng.randrange(1, 6))
                    if late
                    else due - dt.timedelta(days=rng.randrange(0, 3))
                )
                submitted_day = min(submitted_day, today)
                percent = min(
                    100, int(100 * (k + 1) / max(len(periods), 1) * rng.uniform(0.6, 1.1))
                )
                report_rows.append(
                    ProgressReport(
                        task_id=t.pk,
                        unit_id=link.department_id,
                        period_start=start,
                        period_end=end,
                        due_on=due,
                        text="本期进展情况（演示）。",
                        percent=percent,
                        submitted_at=min(
                            now,
                            timezone.make_aware(dt.datetime.combine(submitted_day, dt.time(16))),
                        ),
                        is_late=submitted_day > due,
                    )
                )
                per_slot[(t.pk, link.department_id)] = k + 1
                link.last_percent = percent
                link.last_reported_at = report_rows[-1].submitted_at
                budget -= 1
                progressed = True
            if not progressed:
                break
        ProgressReport.objects.bulk_create(report_rows, batch_size=5000)
        log(f"{len(report_rows):,} reports")

        # Derived dates, exactly as schedule.recompute() would set them.
        reported = defaultdict(set)
        for r in report_rows:
            reported[(r.task_id, r.unit_id)].add(r.period_start)
        closed = []
        for t in created:
            t_links = by_task[t.pk]
            for link in t_links:
                link.next_report_due = schedule.first_unreported_due(
                    t.cycle, t.cycle_starts_on, reported[(t.pk, link.department_id)]
                )
            t.progress = round(sum(link.last_percent for link in t_links) / len(t_links))
            # A task past its deadline whose every unit reached 100% was closed on time.
            if t.deadline < today and t.progress >= 95 and rng.random() < 0.9:
                t.stage = Stage.CLOSED
                t.closed_at = timezone.make_aware(
                    dt.datetime.combine(
                        t.deadline - dt.timedelta(days=rng.randrange(0, 20)), dt.time(11)
                    )
                )
                closed.append(t)
            dues = [link.next_report_due for link in t_links if link.next_report_due]
            t.next_report_due = min(dues) if dues and t.stage != Stage.CLOSED else None
            t.at_risk_from = schedule.at_risk_from(t.starts_on, t.deadline, t.progress)
        LedgerTask.objects.bulk_update(
            created,
            ["progress", "next_report_due", "at_risk_from", "stage", "closed_at"],
            batch_size=2000,
        )
        TaskUnit.objects.bulk_update(
            links, ["last_percent", "last_reported_at", "next_report_due"], batch_size=5000
        )
    return {
        "tasks": len(created),
        "task_units": len(links),
        "reports": len(report_rows),
        "closed": len(closed),
        "seconds": round(time.perf_counter() - started, 3),
    }
