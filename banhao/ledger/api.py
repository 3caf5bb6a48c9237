"""The ledger's HTTP API (/api/v1/ledger/): thin handlers over selectors and services."""

import datetime as dt

from django.http import Http404
from django.utils import timezone
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from banhao.core.errors import Forbidden

from . import access, errors, schedule, selectors, services
from .errors import LedgerError
from .models import EvaluationScore

router = Router(tags=["ledger"])


class UnitOut(Schema):
    department_id: int
    name: str
    role: str
    as_written: str
    last_percent: int
    next_report_due: dt.date | None


class TaskOut(Schema):
    id: int
    source: str
    document: str
    clause: str
    category: str
    name: str
    deadline: dt.date | None
    deadline_as_written: str
    lead_units_as_written: str
    responsible_units_as_written: str
    cycle: str
    stage: str
    status: str
    progress: int
    next_report_due: dt.date | None


class TaskDetailOut(TaskOut):
    goal: str
    measures: list[str]
    units: list[UnitOut]


class ReportOut(Schema):
    id: int
    task_id: int
    unit_id: int
    period_start: dt.date
    period_end: dt.date
    due_on: dt.date
    percent: int
    is_late: bool
    evidence: list[str]


class ScoreOut(Schema):
    unit_id: int
    unit: str
    score: float
    rank: int
    breakdown: list[dict]


def _task_out(task, status: str) -> dict:
    return {
        "id": task.pk,
        "source": task.source.code,
        "document": task.source.document,
        "clause": task.clause,
        "category": task.category,
        "name": task.name,
        "deadline": task.deadline,
        "deadline_as_written": task.deadline_as_written,
        "lead_units_as_written": task.lead_units_as_written,
        "responsible_units_as_written": task.responsible_units_as_written,
        "cycle": task.cycle,
        "stage": task.stage,
        "status": status,
        "progress": task.progress,
        "next_report_due": task.next_report_due,
    }


def _require_ledger(request) -> None:
    if not access.may_use_ledger(request.user):
        raise Forbidden()


@router.get("/tasks/", response=list[TaskOut])
def list_tasks(request, source: str = "", status: str = "", limit: int = 100, offset: int = 0):
    """Ledger tasks the caller may see (every task for the office and leaders, otherwise the
    tasks of the caller's unit), with their derived status."""
    _require_ledger(request)
    qs = selectors.task_list(request.user, timezone.localdate(), source=source, status=status)
    limit = max(1, min(limit, 500))
    return [_task_out(t, t.status) for t in qs[offset : offset + limit]]


@router.get("/tasks/{task_id}/", response=TaskDetailOut)
def task_detail(request, task_id: int):
    _require_ledger(request)
    task = access.get_task_or_404(request.user, task_id)
    detail = selectors.task_detail(task, timezone.localdate())
    units = [
        {
            "department_id": link.department_id,
            "name": link.department.name,
            "role": link.role,
            "as_written": link.as_written,
            "last_percent": link.last_percent,
            "next_report_due": link.next_report_due,
        }
        for link in detail["leads"] + detail["responsible"]
    ]
    return {
        **_task_out(task, detail["status"]),
        "goal": task.goal,
        "measures": [m.text for m in detail["measures"]],
        "units": units,
    }


@router.post("/tasks/{task_id}/reports/", response={201: ReportOut})
def file_report(
    request,
    task_id: int,
    text: Form[str],
    percent: Form[int],
    period_start: Form[dt.date | None] = None,
    files: File[list[UploadedFile]] = None,
):
    """File the caller's unit's progress report (multipart form, evidence files optional)."""
    _require_ledger(request)
    task = access.get_task_or_404(request.user, task_id)
    report = services.file_report(
        actor=request.user,
        task_id=task.pk,
        text=text,
        percent=percent,
        period_start=period_start,
        files=files or [],
    )
    return Status(
        201,
        {
            "id": report.pk,
            "task_id": task.pk,
            "unit_id": report.unit_id,
            "period_start": report.period_start,
            "period_end": report.period_end,
            "due_on": report.due_on,
            "percent": report.percent,
            "is_late": report.is_late,
            "evidence": [e.original_name for e in report.evidence.all()],
        },
    )


@router.get("/mine/", response=list[TaskOut])
def mine(request):
    """The open tasks of the caller's unit, earliest report due first."""
    if not access.is_unit_staff(request.user):
        raise LedgerError(errors.UNIT_STAFF_ONLY)
    data = selectors.unit_obligations(
        request.user.department_id, timezone.localdate(), per_page=500
    )
    return [_task_out(link.task, link.status) for link in data["links"]]


@router.get("/dashboard/")
def dashboard(request):
    """Counts by status, by unit, the overdue list and monthly trends (leaders and the office)."""
    if not access.sees_all(request.user):
        raise Forbidden()
    today = timezone.localdate()
    d = selectors.dashboard(today)
    return {
        "date": today,
        "total": d.total,
        "by_status": {value: n for value, _label, n in d.status_counts},
        "by_unit": [
            {
                "unit": name,
                "counts": dict(zip([s.value for s in selectors.STATUS_ORDER], values, strict=True)),
            }
            for name, values in d.by_unit
        ],
        "overdue": [{"id": t.pk, "name": t.name, "deadline": t.deadline} for t in d.overdue],
        "reports_by_month": [{"month": m, "count": n} for m, n in d.reports_by_month],
        "closed_by_month": [{"month": m, "count": n} for m, n in d.closed_by_month],
        "status_rule": {"lag_points": schedule.LAG_POINTS, "final_days": schedule.FINAL_DAYS},
    }


@router.get("/evaluations/{evaluation_id}/scores/", response=list[ScoreOut])
def scores(request, evaluation_id: int):
    """Every unit's score, rank and the inputs behind each indicator value."""
    if not access.sees_all(request.user):
        raise Forbidden()
    rows = (
        EvaluationScore.objects.filter(evaluation_id=evaluation_id)
        .select_related("unit")
        .order_by("rank", "unit_id")
    )
    if not rows.exists():
        raise Http404
    return [
        {
            "unit_id": s.unit_id,
            "unit": s.unit.name,
            "score": float(s.score),
            "rank": s.rank,
            "breakdown": s.breakdown,
        }
        for s in rows
    ]
