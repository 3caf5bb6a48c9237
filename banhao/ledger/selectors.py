"""Every read the ledger's pages and API need, with a constant number of queries per page."""

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from banhao.org.models import Department

from . import access, schedule
from .models import (
    Closure,
    Evaluation,
    EvaluationScore,
    LedgerTask,
    ProgressReport,
    Source,
    TaskEvent,
    TaskUnit,
    UnitRole,
)
from .states import Stage, Status

STATUS_ORDER = [Status.OVERDUE, Status.AT_RISK, Status.ON_TRACK, Status.DONE]


def with_status(qs, today: dt.date):
    return qs.annotate(status=schedule.status_expression(today))


def sources():
    return list(Source.objects.all())


def task_list(
    user,
    today: dt.date,
    *,
    source: str = "",
    status: str = "",
    unit: int | None = None,
    q: str = "",
):
    qs = with_status(access.tasks_for(user), today).select_related("source")
    if source:
        qs = qs.filter(source__code=source)
    if status:
        qs = qs.filter(status=status)
    if unit:
        qs = qs.filter(pk__in=TaskUnit.objects.filter(department_id=unit).values("task_id"))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(goal__icontains=q) | Q(category__icontains=q))
    return qs.order_by("source__position", "position")


def task_detail(task: LedgerTask, today: dt.date) -> dict:
    """Everything the task page shows, in a fixed number of queries."""
    links = list(
        TaskUnit.objects.filter(task=task).select_related("department").order_by("role", "position")
    )
    reports = list(
        ProgressReport.objects.filter(task=task)
        .select_related("unit", "submitted_by")
        .prefetch_related("evidence")
        .order_by("-period_start", "-submitted_at")
    )
    closures = list(
        Closure.objects.filter(task=task)
        .select_related("proposed_by", "proposed_unit", "decided_by")
        .prefetch_related("evidence", "confirmations__unit")
        .order_by("-round")
    )
    events = list(
        TaskEvent.objects.filter(task=task)
        .select_related("actor", "unit")
        .order_by("-created_at", "-id")
    )
    return {
        "status": schedule.status_of(task, today),
        "measures": list(task.measures.all()),
        "leads": [link for link in links if link.role == UnitRole.LEAD],
        "responsible": [link for link in links if link.role == UnitRole.RESPONSIBLE],
        "reports": reports,
        "closures": closures,
        "open_closure": next((c for c in closures if c.state in ("proposed", "confirmed")), None),
        "events": events,
    }


def reportable_periods(task: LedgerTask, link: TaskUnit | None, today: dt.date) -> list[tuple]:
    """(start, end, due) of the periods the unit may still report for, latest first."""
    if link is None or task.cycle == "none":
        return []
    done = set(
        ProgressReport.objects.filter(task=task, unit_id=link.department_id).values_list(
            "period_start", flat=True
        )
    )
    periods = schedule.reportable_periods(task.cycle, task.cycle_starts_on, today)
    return [(s, e, schedule.due_date(s, e)) for s, e in reversed(periods) if s not in done]


# --- a unit's own view --------------------------------------------------------------------------


def unit_obligations(
    department_id: int, today: dt.date, *, page: int = 1, per_page: int = 50
) -> dict:
    """What a unit owes, and when: its open tasks, earliest report due first, a page at a time;
    the late and soon-due reports; counts by status."""
    open_links = (
        TaskUnit.objects.filter(department_id=department_id)
        .exclude(task__stage=Stage.CLOSED)
        .select_related("task", "task__source")
        .annotate(status=schedule.status_expression(today, prefix="task__"))
    )
    paginator = Paginator(
        open_links.order_by(F("next_report_due").asc(nulls_last=True), "task__deadline", "task_id"),
        per_page,
    )
    page_obj = paginator.get_page(page)
    late = list(
        open_links.filter(next_report_due__lt=today).order_by("next_report_due", "task_id")[:20]
    )
    due_soon = list(
        open_links.filter(
            next_report_due__gte=today, next_report_due__lte=today + dt.timedelta(days=7)
        ).order_by("next_report_due", "task_id")[:20]
    )
    counts = dict(
        TaskUnit.objects.filter(department_id=department_id)
        .annotate(status=schedule.status_expression(today, prefix="task__"))
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    closed_recently = list(
        TaskUnit.objects.filter(department_id=department_id, task__stage=Stage.CLOSED)
        .select_related("task")
        .order_by("-task__closed_at")[:10]
    )
    return {
        "page": page_obj,
        "links": list(page_obj.object_list),
        "late": late,
        "late_count": open_links.filter(next_report_due__lt=today).count(),
        "due_soon": due_soon,
        "counts": [(s, s.label, counts.get(s.value, 0)) for s in STATUS_ORDER],
        "closed_recently": closed_recently,
    }


# --- the leader dashboard ------------------------------------------------------------------------


@dataclass
class Dashboard:
    status_counts: list
    by_unit: list
    overdue: list
    ranking: list
    evaluation: Evaluation | None
    reports_by_month: list
    closed_by_month: list
    total: int


def _month_starts(today: dt.date, months: int) -> list[dt.date]:
    first = today.replace(day=1)
    out = []
    for _ in range(months):
        out.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return list(reversed(out))


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def dashboard(today: dt.date, *, units: int = 15, months: int = 12) -> Dashboard:
    tasks = with_status(LedgerTask.objects.all(), today)
    counts = dict(tasks.values_list("status").annotate(n=Count("id")).order_by())
    status_counts = [(s.value, s.label, counts.get(s.value, 0)) for s in STATUS_ORDER]

    # From the task side: the LEFT JOIN makes SQLite scan the 10,000 tasks once and seek each
    # one's units in the (task, department) index, instead of one task lookup per unit link.
    per_unit = (
        tasks.values("unit_links__department_id", "status")
        .annotate(n=Count("unit_links"))
        .order_by()
    )
    table: dict[int, dict[str, int]] = {}
    for row in per_unit:
        if row["unit_links__department_id"] is not None:
            table.setdefault(row["unit_links__department_id"], {})[row["status"]] = row["n"]
    # Units with the most unfinished work first.
    ranked = sorted(
        table.items(),
        key=lambda kv: (
            -(kv[1].get("overdue", 0) + kv[1].get("at_risk", 0)),
            -sum(kv[1].values()),
            kv[0],
        ),
    )[:units]
    names = dict(Department.objects.filter(pk__in=[k for k, _ in ranked]).values_list("pk", "name"))
    by_unit = [
        (names.get(pk, str(pk)), [c.get(s.value, 0) for s in STATUS_ORDER]) for pk, c in ranked
    ]

    overdue = list(
        tasks.filter(status=Status.OVERDUE).select_related("source").order_by("deadline", "pk")[:20]
    )
    evaluation = Evaluation.objects.filter(period_kind="month").order_by("-period_start").first()
    ranking = (
        list(
            EvaluationScore.objects.filter(evaluation=evaluation)
            .select_related("unit")
            .order_by("rank")[:15]
        )
        if evaluation
        else []
    )
    month_list = _month_starts(today, months)
    bounds = [_local_midnight(m) for m in month_list] + [
        _local_midnight(_next_month(month_list[-1]))
    ]
    # One index range count per month: grouping 200,000 rows by a truncated timestamp costs
    # seconds on SQLite (a Python function per row); counting an index range costs little.
    reports_by_month = [
        (
            m,
            ProgressReport.objects.filter(
                submitted_at__gte=bounds[i], submitted_at__lt=bounds[i + 1]
            ).count(),
        )
        for i, m in enumerate(month_list)
    ]
    closed = LedgerTask.objects.filter(stage=Stage.CLOSED, closed_at__gte=bounds[0]).aggregate(
        **{
            f"m{i}": Count("id", filter=Q(closed_at__gte=bounds[i], closed_at__lt=bounds[i + 1]))
            for i in range(len(month_list))
        }
    )
    closed_by_month = [(m, closed[f"m{i}"]) for i, m in enumerate(month_list)]

    return Dashboard(
        status_counts=status_counts,
        by_unit=by_unit,
        overdue=overdue,
        ranking=ranking,
        evaluation=evaluation,
        reports_by_month=reports_by_month,
        closed_by_month=closed_by_month,
        total=sum(counts.values()),
    )


def assignable_units():
    """Units the office may name on a task: real county and township units."""
    return list(
        Department.objects.filter(
            level__in=["county", "township"], is_placeholder=False, is_active=True
        )
        .order_by("level", "sort_order", "id")
        .only("id", "name", "level")
    )


DASHBOARD_TTL = 300


def dashboard_version() -> str:
    """Changes with every ledger write: each service writes a task event, and evaluations carry
    their computation time. Read from the database, so every app server (each with its own
    cache in the embedded setup) sees a change at once. Two index lookups."""
    last_event = TaskEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    last_eval = Evaluation.objects.aggregate(m=Max("computed_at"))["m"]
    return f"{last_event}-{last_eval.timestamp() if last_eval else 0}"


def dashboard_cached(today: dt.date) -> Dashboard:
    """The dashboard, computed once per ledger change and day (and at least every 5 minutes,
    for bulk loads that write no events)."""
    key = f"ledger:dashboard:{today.isoformat()}:{dashboard_version()}"
    data = cache.get(key)
    if data is None:
        data = dashboard(today)
        cache.set(key, data, DASHBOARD_TTL)
    return data


def evidence_for(user, pk: int):
    """An evidence file the user may download (of a task they may see)."""
    from .models import Evidence

    return (
        Evidence.objects.filter(pk=pk, task__in=access.tasks_for(user))
        .select_related("task")
        .first()
    )
