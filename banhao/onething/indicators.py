"""Evaluation indicator sources the one-thing app offers the ledger's unit evaluation
(registered from ``OnethingConfig.ready``)."""

import datetime as dt

from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from banhao.core.registry import IndicatorSource, Value, ratio

from .models import Task
from .states import TaskState


def onething_completion(unit_ids, start: dt.date, end: dt.date) -> dict[int, Value]:
    """Of the unit's one-thing sub-tasks due in the period (not cancelled), the share decided
    (approved or rejected) by the end of the period."""

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
            ratio(r["decided"], r["due"]), {"subtasks_due": r["due"], "decided": r["decided"]}
        )
        for r in rows
    }


def onething_timeliness(unit_ids, start: dt.date, end: dt.date) -> dict[int, Value]:
    """Of the unit's one-thing sub-tasks decided in the period, the share decided by their due
    date."""

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
            ratio(r["on_time"], r["decided"]), {"decided": r["decided"], "on_time": r["on_time"]}
        )
        for r in rows
    }


SOURCES = [
    IndicatorSource(
        "onething.completion",
        _("One-thing sub-tasks decided"),
        _("Of the unit's one-thing sub-tasks due in the period, the share decided by its end."),
        compute=onething_completion,
    ),
    IndicatorSource(
        "onething.timeliness",
        _("One-thing sub-tasks on time"),
        _(
            "Of the unit's one-thing sub-tasks decided in the period, the share decided by the due date."
        ),
        compute=onething_timeliness,
    ),
]
