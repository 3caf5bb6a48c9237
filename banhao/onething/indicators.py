"""Evaluation indicator sources the one-thing app offers the ledger's unit evaluation
(registered from ``OnethingConfig.ready``)."""

import datetime as dt

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext_lazy as _

from banhao.core.registry import IndicatorSource, Value, ratio

from .models import Application, Task
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


def onething_materials_from_records(unit_ids, start: dt.date, end: dt.date) -> dict[int, Value]:
    """Of the materials needed by the one-things a unit leads (county lead department),
    submitted in the period, the share taken from government records instead of uploaded
    (免提交: the 四减一增 "fewer materials" of issue 18)."""

    rows = (
        Application.objects.filter(
            onething__county_lead_id__in=unit_ids,
            submitted_at__date__range=(start, end),
            materials_needed__gt=0,
        )
        .values("onething__county_lead_id")
        .annotate(
            applications=Count("id"),
            needed=Sum("materials_needed"),
            from_records=Sum("materials_from_records"),
        )
        .order_by()
    )
    return {
        r["onething__county_lead_id"]: Value(
            ratio(r["from_records"], r["needed"]),
            {
                "applications": r["applications"],
                "materials_needed": r["needed"],
                "materials_from_records": r["from_records"],
            },
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
    IndicatorSource(
        "onething.materials_from_records",
        _("One-thing materials taken from records"),
        _(
            "Of the materials needed by the one-things the unit leads, submitted in the period, "
            "the share taken from e-licences and records instead of uploaded."
        ),
        compute=onething_materials_from_records,
    ),
]
