"""The registry of evaluation indicator sources: unit × period → value, with its inputs.

Each source is a function ``(unit_ids, start, end) -> {unit_id: Value}`` that computes the
value of every unit at once (so evaluating all units for a month stays fast) and keeps the
inputs behind each value, so every score can be traced back. An ``Indicator`` row (configured
by the office: name, weight, active) points at a source by its key.

Sources whose data lives in another app (hotline, one-thing, payments) read that app's own
public functions and models; a source that cannot find what it reads reports itself
unavailable ("no data source yet") and evaluation leaves it out rather than inventing figures.
"""

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from . import schedule
from .states import Cycle, Stage


@dataclass
class Value:
    value: float | None  # a percentage 0–100; None when nothing was due for the unit
    inputs: dict = field(default_factory=dict)


@dataclass
class IndicatorSource:
    key: str
    name: object
    description: object
    compute: Callable | None = None
    # For sources in other apps: (module, function) looked up when evaluating.
    provider: tuple[str, str] | None = None
    # What ``compute`` reads from other apps: (module, attribute) pairs that must exist.
    requires: tuple[tuple[str, str], ...] = ()

    def resolve(self) -> Callable | None:
        if self.compute is not None:
            for module_name, attribute in self.requires:
                try:
                    module = importlib.import_module(module_name)
                except ImportError:
                    return None
                if not hasattr(module, attribute):
                    return None
            return self.compute
        module_name, function = self.provider
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            return None
        return getattr(module, function, None)

    @property
    def available(self) -> bool:
        return self.resolve() is not None


REGISTRY: dict[str, IndicatorSource] = {}


def register(source: IndicatorSource) -> IndicatorSource:
    REGISTRY[source.key] = source
    return source


def _ratio(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


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
            _ratio(r["done"], r["due"]), {"tasks_due": r["due"], "closed_on_time": r["done"]}
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
            _ratio(min(on_time.get(unit_id, 0), due), due),
            {"reports_due": due, "reports_on_time": on_time.get(unit_id, 0)},
        )
        for unit_id, due in expected.items()
    }


register(
    IndicatorSource(
        "ledger.completion",
        _("Key tasks completed on time"),
        _(
            "Of the unit's ledger tasks due in the period, the share closed (signed off) by the deadline."
        ),
        compute=ledger_completion,
    )
)
register(
    IndicatorSource(
        "ledger.report_timeliness",
        _("Progress reports on time"),
        _(
            "Of the progress reports due from the unit in the period, the share filed by the due date."
        ),
        compute=ledger_report_timeliness,
    )
)

# --- sources in other apps ---------------------------------------------------------------------
#
# Each reads the other app through its own public functions and models; if the app changes them
# so that the source cannot read them, the source reports "no data source yet" instead of failing.


def hotline_three_rates(unit_ids, start: dt.date, end: dt.date) -> dict[int, Value]:
    """Mean of the unit's response, resolution and satisfaction rates (the rates with data),
    from the hotline's own ranking over its daily facts (``hotline.evaluation.ranking``)."""
    from banhao.hotline.evaluation import ranking

    wanted = set(unit_ids)
    out = {}
    for row in ranking(start, end):
        if row.department_id not in wanted:
            continue
        rates = {
            "response_rate": row.response_rate,
            "resolution_rate": row.resolution_rate,
            "satisfaction_rate": row.satisfaction_rate,
        }
        present = [r for r in rates.values() if r is not None]
        value = round(100 * sum(present) / len(present), 2) if present else None
        keys = (
            "received",
            "responded_on_time",
            "resolution_rated",
            "resolved",
            "rated",
            "satisfied",
        )
        out[row.department_id] = Value(
            value,
            {
                **{k: row.counts.get(k, 0) for k in keys},
                **{k: None if v is None else round(100 * v, 2) for k, v in rates.items()},
            },
        )
    return out


def hotline_timeliness(unit_ids, start: dt.date, end: dt.date) -> dict[int, Value]:
    """Share of the unit's hotline replies given before the handling deadline."""
    from banhao.hotline.evaluation import ranking

    wanted = set(unit_ids)
    return {
        row.department_id: Value(
            None if row.timeliness is None else round(100 * row.timeliness, 2),
            {
                "replied": row.counts.get("replied", 0),
                "replied_on_time": row.counts.get("replied_on_time", 0),
            },
        )
        for row in ranking(start, end)
        if row.department_id in wanted
    }


def onething_completion(unit_ids, start: dt.date, end: dt.date) -> dict[int, Value]:
    """Of the unit's one-thing sub-tasks due in the period (not cancelled), the share decided
    (approved or rejected) by the end of the period."""
    from banhao.onething.models import Task
    from banhao.onething.states import TaskState

    decided = [TaskState.APPROVED, TaskState.REJECTED]
    rows = (
        Task.objects.filter(department_id__in=unit_ids, due_date__range=(start, end))
        .exclude(state=TaskState.CANCELLED)
        .values("department_id")
        .annotate(
            due=Count("id"),
            decided=Count("id", filter=Q(state__in=decided, finished_at__date__lte=end)),
        )
        .order_by()
    )
    return {
        r["department_id"]: Value(
            _ratio(r["decided"], r["due"]), {"subtasks_due": r["due"], "decided": r["decided"]}
        )
        for r in rows
    }


def onething_timeliness(unit_ids, start: dt.date, end: dt.date) -> dict[int, Value]:
    """Of the unit's one-thing sub-tasks decided in the period, the share decided by their due
    date."""
    from banhao.onething.models import Task
    from banhao.onething.states import TaskState

    rows = (
        Task.objects.filter(
            department_id__in=unit_ids,
            state__in=[TaskState.APPROVED, TaskState.REJECTED],
            finished_at__date__range=(start, end),
        )
        .values("department_id")
        .annotate(
            decided=Count("id"),
            on_time=Count(
                "id", filter=Q(due_date__isnull=False, finished_at__date__lte=F("due_date"))
            ),
        )
        .order_by()
    )
    return {
        r["department_id"]: Value(
            _ratio(r["on_time"], r["decided"]), {"decided": r["decided"], "on_time": r["on_time"]}
        )
        for r in rows
    }


def payments_targets(unit_ids, start: dt.date, end: dt.date) -> dict[int, Value]:
    """Of the places a unit keeps that fall under one of the plan's targets, the share meeting
    it, from the payment register as it stands when the evaluation runs (the register keeps no
    history, so a past period is evaluated on today's register; the inputs say so)."""
    from banhao.payments.models import PaymentTarget, Place
    from banhao.payments.selectors import covered_q, population_q

    totals: dict[int, dict] = {}
    for target in PaymentTarget.objects.all():
        rows = (
            Place.objects.filter(population_q(target.rule), department_id__in=unit_ids)
            .values("department_id")
            .annotate(population=Count("id"), covered=Count("id", filter=covered_q(target.rule)))
            .order_by()
        )
        for r in rows:
            entry = totals.setdefault(
                r["department_id"], {"places_in_scope": 0, "places_meeting": 0, "targets": {}}
            )
            entry["places_in_scope"] += r["population"]
            entry["places_meeting"] += r["covered"]
            entry["targets"][target.code] = f"{r['covered']}/{r['population']}"
    return {
        unit_id: Value(
            _ratio(e["places_meeting"], e["places_in_scope"]),
            {
                **{k: v for k, v in e.items() if k != "targets"},
                **e["targets"],
                "register_as_of": "evaluation time",
            },
        )
        for unit_id, e in totals.items()
    }


register(
    IndicatorSource(
        "hotline.three_rates",
        _("Hotline response, resolution and satisfaction (三率)"),
        _("Mean of the unit's response, resolution and satisfaction rates on 12345 tickets."),
        compute=hotline_three_rates,
        requires=(("banhao.hotline.evaluation", "ranking"),),
    )
)
register(
    IndicatorSource(
        "hotline.timeliness",
        _("Hotline tickets handled on time"),
        _("Share of the unit's hotline replies given before the handling deadline."),
        compute=hotline_timeliness,
        requires=(("banhao.hotline.evaluation", "ranking"),),
    )
)
register(
    IndicatorSource(
        "onething.completion",
        _("One-thing sub-tasks decided"),
        _("Of the unit's one-thing sub-tasks due in the period, the share decided by its end."),
        compute=onething_completion,
        requires=(("banhao.onething.models", "Task"), ("banhao.onething.states", "TaskState")),
    )
)
register(
    IndicatorSource(
        "onething.timeliness",
        _("One-thing sub-tasks on time"),
        _(
            "Of the unit's one-thing sub-tasks decided in the period, the share decided by the due date."
        ),
        compute=onething_timeliness,
        requires=(("banhao.onething.models", "Task"), ("banhao.onething.states", "TaskState")),
    )
)
register(
    IndicatorSource(
        "payments.targets",
        _("Payment targets met"),
        _(
            "Of the places the unit keeps under one of the payment plan's targets, the share meeting it."
        ),
        compute=payments_targets,
        requires=(
            ("banhao.payments.selectors", "population_q"),
            ("banhao.payments.selectors", "covered_q"),
        ),
    )
)

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
