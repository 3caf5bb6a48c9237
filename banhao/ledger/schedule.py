"""Reporting periods and the derived status of a ledger task.

A task's status is a function of its stage, its deadline and three dates kept on the row:
``progress`` (the mean of its units' latest percentages), ``next_report_due`` (the earliest due
date of a period some unit has not reported) and ``at_risk_from`` (the day its progress starts
lagging). ``recompute()`` refreshes them from the reports whenever a report, a unit, a deadline
or the cycle changes; the status itself is then a comparison with today, done in SQL by
``status_expression()`` (so pages can count and filter by status) and in Python by
``status_of()`` for one task. Neither is ever typed by anyone.
"""

import calendar
import datetime as dt
import math
from collections.abc import Iterator

from django.db.models import Case, CharField, Q, Value, When

from banhao.core.workdays import is_working_day

from .states import Cycle, Stage, Status

# Progress lagging the share of time elapsed by this many points or more puts a task at risk.
LAG_POINTS = 25
# A task whose deadline is this close and is not complete is at risk.
FINAL_DAYS = 7


# --- periods ----------------------------------------------------------------------------------


def period_containing(cycle: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The reporting period (first day, last day) that contains ``day``."""
    if cycle == Cycle.WEEKLY:
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    if cycle == Cycle.MONTHLY:
        last = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=1), day.replace(day=last)
    raise ValueError(f"No periods for cycle {cycle!r}")


def due_date(start: dt.date, end: dt.date) -> dt.date:
    """A period's report is due on its last working day (the next one if it has none, e.g. the
    National Day week)."""
    day = end
    while day >= start:
        if is_working_day(day):
            return day
        day -= dt.timedelta(days=1)
    day = end + dt.timedelta(days=1)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def periods_from(cycle: str, first_day: dt.date) -> Iterator[tuple[dt.date, dt.date]]:
    """Consecutive periods from the one containing ``first_day`` onwards (endless)."""
    start, end = period_containing(cycle, first_day)
    while True:
        yield start, end
        start, end = period_containing(cycle, end + dt.timedelta(days=1))


def reportable_periods(cycle: str, first_day: dt.date, today: dt.date) -> list[tuple]:
    """Periods a unit may report for today: every period that has started."""
    if cycle == Cycle.NONE or first_day is None:
        return []
    result = []
    for start, end in periods_from(cycle, first_day):
        if start > today:
            break
        result.append((start, end))
    return result


def first_unreported_due(cycle: str, first_day, reported_starts: set[dt.date]) -> dt.date | None:
    """The due date of the earliest period without a report (``None`` without a cycle)."""
    if cycle == Cycle.NONE or first_day is None:
        return None
    for start, end in periods_from(cycle, first_day):
        if start not in reported_starts:
            return due_date(start, end)
    return None  # unreachable: the periods are endless


# --- derived status ---------------------------------------------------------------------------


def at_risk_from(starts_on: dt.date, deadline: dt.date | None, progress: int) -> dt.date | None:
    """The first day on which the task counts as at risk if its progress stays as it is."""
    if deadline is None or progress >= 100:
        return None
    candidates = [deadline - dt.timedelta(days=FINAL_DAYS)]
    span = (deadline - starts_on).days
    if span > 0 and progress + LAG_POINTS <= 100:
        # elapsed% = days / span * 100 reaches progress + LAG_POINTS on this day.
        days = math.ceil((progress + LAG_POINTS) * span / 100)
        candidates.append(starts_on + dt.timedelta(days=days))
    return min(candidates)


def status_of(task, today: dt.date) -> str:
    if task.stage == Stage.CLOSED:
        return Status.DONE
    if task.deadline is not None and task.deadline < today:
        return Status.OVERDUE
    if (task.at_risk_from is not None and task.at_risk_from <= today) or (
        task.next_report_due is not None and task.next_report_due < today
    ):
        return Status.AT_RISK
    return Status.ON_TRACK


def status_expression(today: dt.date, prefix: str = "") -> Case:
    """The same rule as ``status_of`` as a database expression (``prefix`` e.g. "task__")."""
    p = prefix
    return Case(
        When(**{f"{p}stage": Stage.CLOSED}, then=Value(Status.DONE)),
        When(**{f"{p}deadline__lt": today}, then=Value(Status.OVERDUE)),
        When(
            Q(**{f"{p}at_risk_from__lte": today}) | Q(**{f"{p}next_report_due__lt": today}),
            then=Value(Status.AT_RISK),
        ),
        default=Value(Status.ON_TRACK),
        output_field=CharField(),
    )


def recompute(task) -> list[str]:
    """Refresh the task's and its units' derived dates from the reports; save what changed.

    Call inside the transaction that changed the inputs, with the task row locked.
    """
    from .models import ProgressReport, TaskUnit

    links = list(TaskUnit.objects.filter(task=task))
    reported: dict[int, set[dt.date]] = {}
    if task.cycle != Cycle.NONE and links:
        rows = ProgressReport.objects.filter(task=task).values_list("unit_id", "period_start")
        for unit_id, start in rows:
            reported.setdefault(unit_id, set()).add(start)
    for link in links:
        due = first_unreported_due(
            task.cycle, task.cycle_starts_on, reported.get(link.department_id, set())
        )
        if due != link.next_report_due:
            link.next_report_due = due
            link.save(update_fields=["next_report_due"])
    progress = round(sum(link.last_percent for link in links) / len(links)) if links else 0
    dues = [link.next_report_due for link in links if link.next_report_due is not None]
    values = {
        "progress": progress,
        "next_report_due": min(dues) if dues and task.stage != Stage.CLOSED else None,
        "at_risk_from": at_risk_from(task.starts_on, task.deadline, progress),
    }
    changed = [name for name, value in values.items() if getattr(task, name) != value]
    for name in changed:
        setattr(task, name, values[name])
    if changed:
        task.save(update_fields=[*changed, "updated_at"])
    return changed
