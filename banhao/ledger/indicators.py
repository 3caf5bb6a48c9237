"""The ledger's own evaluation indicator sources, and the default weighting.

Sources are registered with ``banhao.core.registry.indicators`` from each app's
``AppConfig.ready`` (the ledger's here; the hotline's, one-thing's and payments' in their own
``indicators.py``), so the evaluation reads them without importing the apps that own the data.
An ``Indicator`` row (configured by the office: name, weight, active) points at a source by its
key; a key no installed app registers is reported as "no data source yet" and left out.
"""

import datetime as dt
from functools import lru_cache

from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from banhao.core.registry import IndicatorSource, Value, ratio

from . import schedule
from .states import Cycle, Stage

# --- ledger sources ------------------------------------------------------------------------------


def ledger_completion(unit_ids, start: dt.date, end: dt.date) -> dict[int, Value]:
    """Share of the unit's tasks due in the period that were closed by their deadline."""
    from .models import TaskUnit

    rows = (
        TaskUnit.objects.filter(department_id__in=unit_ids, task__deadline__range=(start, end))
        .values("department_id")
        .annotate(
            due=Count("id"),
            done=Count(
                "id",
                filter=Q(task__stage=Stage.CLOSED, task__closed_at__date__lte=F("task__deadline")),
            ),
        )
    )
    return {
        r["department_id"]: Value(
            ratio(r["done"], r["due"]), {"tasks_due": r["due"], "closed_on_time": r["done"]}
        )
        for r in rows
    }


@lru_cache(maxsize=4096)
def _due(start: dt.date, end: dt.date) -> dt.date:
    return schedule.due_date(start, end)


def _dues_in(cycle: str, first_day: dt.date, start: dt.date, end: dt.date) -> int:
    """How many reports of a cycle begun on ``first_day`` fall due within [start, end]."""
    # A cycle begun well before the window counts like any other begun then: clip the start so
    # that one cache entry serves thousands of links.
    return _count_dues(cycle, max(first_day, start - dt.timedelta(days=40)), start, end)


@lru_cache(maxsize=65536)
def _count_dues(cycle: str, first_day: dt.date, start: dt.date, end: dt.date) -> int:
    out = []
    p_start, p_end = schedule.period_containing(
        cycle, max(first_day, start - dt.timedelta(days=10))
    )
    while p_start <= end:
        due = _due(p_start, p_end)
        if start <= due <= end and p_end >= first_day:
            out.append(due)
        p_start, p_end = schedule.period_containing(cycle, p_end + dt.timedelta(days=1))
    return len(out)


def ledger_report_timeliness(unit_ids, start: dt.date, end: dt.date) -> dict[int, Value]:
    """Share of the progress reports due from the unit in the period that came in on time."""
    from django.utils import timezone

    from .models import ProgressReport, TaskUnit

    start_at = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    after_end = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    early = start - dt.timedelta(days=40)
    # Links owing reports in the window: a cycle begun by its end, on a task not closed before it.
    base = (
        TaskUnit.objects.filter(department_id__in=unit_ids, task__cycle_starts_on__lte=end)
        .exclude(task__cycle=Cycle.NONE)
        .filter(Q(task__closed_at__isnull=True) | Q(task__closed_at__gte=start_at))
    )
    still_open = Q(task__closed_at__isnull=True) | Q(task__closed_at__gte=after_end)
    expected: dict[int, int] = {}
    # Most links began long before the window and stay open through it: they all owe the same
    # reports, so count them per unit and cycle in the database.
    grouped = (
        base.filter(still_open, task__cycle_starts_on__lte=early)
        .values_list("department_id", "task__cycle")
        .annotate(n=Count("id"))
        .order_by()
    )
    for unit_id, cycle, n in grouped:
        expected[unit_id] = expected.get(unit_id, 0) + n * _dues_in(cycle, early, start, end)
    # The rest (begun recently, or closed within the window) one by one.
    rest = base.exclude(Q(still_open) & Q(task__cycle_starts_on__lte=early)).values_list(
        "department_id", "task__cycle", "task__cycle_starts_on", "task__closed_at"
    )
    for unit_id, cycle, first_day, closed_at in rest:
        last = min(end, timezone.localdate(closed_at)) if closed_at else end
        n = _dues_in(cycle, first_day, start, last) if last >= start else 0
        expected[unit_id] = expected.get(unit_id, 0) + n
    expected = {unit_id: n for unit_id, n in expected.items() if n}
    on_time = dict(
        ProgressReport.objects.filter(
            unit_id__in=unit_ids, due_on__range=(start, end), is_late=False
        )
        .values_list("unit_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {
        unit_id: Value(
            ratio(min(on_time.get(unit_id, 0), due), due),
            {"reports_due": due, "reports_on_time": on_time.get(unit_id, 0)},
        )
        for unit_id, due in expected.items()
    }


SOURCES = [
    IndicatorSource(
        "ledger.completion",
        _("Key tasks completed on time"),
        _(
            "Of the unit's ledger tasks due in the period, the share closed (signed off) by the deadline."
        ),
        compute=ledger_completion,
    ),
    IndicatorSource(
        "ledger.report_timeliness",
        _("Progress reports on time"),
        _(
            "Of the progress reports due from the unit in the period, the share filed by the due date."
        ),
        compute=ledger_report_timeliness,
    ),
]

DEFAULT_INDICATORS = [
    # code, source, name, weight
    ("ledger-completion", "ledger.completion", "重点任务按期完成率", 30),
    ("ledger-reports", "ledger.report_timeliness", "进展报送及时率", 20),
    ("hotline-three-rates", "hotline.three_rates", "12345热线“三率”", 20),
    ("hotline-timeliness", "hotline.timeliness", "12345热线按时办结率", 10),
    ("onething-completion", "onething.completion", "“一件事”办结率", 10),
    ("onething-timeliness", "onething.timeliness", "“一件事”按时办结率", 5),
    ("payments-targets", "payments.targets", "支付便利化目标完成率", 5),
]
