"""Every write to the ledger: scheduling, progress reports, closing, reopening, chasing.

Each function runs in one transaction, locks the task row first (so two people acting at once
are serialised and the second sees the first's result), checks the task's stage, writes an
audit record and a history event, refreshes the derived schedule, and notifies after commit.
"""

import datetime as dt
import os
import uuid
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from banhao.accounts.models import User
from banhao.accounts.roles import UNIT_HEAD_ROLES, Role
from banhao.accounts.selectors import unit_staff
from banhao.accounts.services import notify_unit_staff
from banhao.audit.models import AuditAction
from banhao.audit.services import record
from banhao.core.states import check_transition
from banhao.notifications.services import notify

from . import access, errors, schedule
from .models import (
    Closure,
    ClosureConfirmation,
    ClosureState,
    Evidence,
    LedgerTask,
    ProgressReport,
    TaskEvent,
    TaskUnit,
    UnitRole,
)
from .states import STAGE_TRANSITIONS, Cycle, Stage

MAX_FILE_BYTES = 20 * 1024 * 1024
ALLOWED_EXTENSIONS = frozenset(
    {
        ".pdf",
        ".jpg",
        ".jpeg",
        ".png",
        ".gif",
        ".webp",
        ".doc",
        ".docx",
        ".xls",
        ".xlsx",
        ".wps",
        ".et",
        ".ofd",
        ".zip",
        ".txt",
    }
)
REMIND_DAYS_BEFORE_REPORT = 2
REMIND_DAYS_BEFORE_DEADLINE = 7


# --- helpers ---------------------------------------------------------------------------------


def _lock(task_id: int) -> LedgerTask:
    task = LedgerTask.objects.select_for_update().filter(pk=task_id).first()
    if task is None:
        raise LedgerTask.DoesNotExist
    return task


def _event(task, kind: str, actor=None, unit=None, note: str = "", **data) -> TaskEvent:
    return TaskEvent.objects.create(
        task=task,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        unit=unit,
        note=note,
        data=data,
        created_at=timezone.now(),
    )


def _move(task, target: str) -> str:
    before = task.stage
    check_transition(
        task.stage,
        target,
        STAGE_TRANSITIONS,
        error=errors.WRONG_STAGE,
        refused=errors.TransitionRefused,
    )
    task.stage = target
    return before


def _check_files(files: Iterable) -> list:
    files = [f for f in files if f]
    for f in files:
        if f.size > MAX_FILE_BYTES:
            raise errors.LedgerError(errors.FILE_TOO_LARGE, "files")
        if os.path.splitext(f.name)[1].lower() not in ALLOWED_EXTENSIONS:
            raise errors.LedgerError(errors.FILE_TYPE, "files")
    return files


def _save_evidence(task, files, actor, *, report=None, closure=None) -> list[Evidence]:
    saved = []
    for f in files:
        ext = os.path.splitext(f.name)[1].lower()
        evidence = Evidence(
            task=task,
            report=report,
            closure=closure,
            original_name=os.path.basename(f.name)[:200],
            size=f.size,
            content_type=(getattr(f, "content_type", "") or "")[:100],
            uploaded_by=actor,
            uploaded_at=timezone.now(),
        )
        # A random stored name: the original may hold anything; it is kept for display only.
        evidence.file.save(f"{uuid.uuid4().hex}{ext}", f, save=False)
        evidence.save()
        saved.append(evidence)
    return saved


def _office_heads():
    return User.objects.filter(
        department__name=access.OFFICE_NAME, role=Role.DEPT_HEAD, is_active=True
    )


def _task_url(task) -> str:
    return reverse("ledger:task", args=[task.pk])


def _require_office(actor) -> None:
    if not access.can_manage(actor):
        raise errors.LedgerError(errors.OFFICE_ONLY)


def _require_link(actor, task) -> TaskUnit:
    link = access.unit_link(actor, task)
    if link is None:
        raise errors.LedgerError(errors.NOT_YOUR_TASK)
    return link


# --- scheduling ------------------------------------------------------------------------------


@transaction.atomic
def set_schedule(
    *,
    actor,
    task_id: int,
    cycle: str,
    cycle_starts_on: dt.date | None = None,
    deadline: dt.date | None = None,
    starts_on: dt.date | None = None,
) -> LedgerTask:
    """The office sets the reporting cycle, the deadline and the start of a task."""
    _require_office(actor)
    task = _lock(task_id)
    if task.stage == Stage.CLOSED:
        raise errors.LedgerError(errors.TASK_CLOSED)
    cycle = Cycle(cycle)
    starts_on = starts_on or task.starts_on
    if deadline is not None and deadline < starts_on:
        raise errors.LedgerError(errors.DEADLINE_BEFORE_START, "deadline")
    before = {
        "cycle": task.cycle,
        "cycle_starts_on": str(task.cycle_starts_on or ""),
        "deadline": str(task.deadline or ""),
        "starts_on": str(task.starts_on),
    }
    task.cycle = cycle
    task.cycle_starts_on = (
        (cycle_starts_on or timezone.localdate()) if cycle != Cycle.NONE else None
    )
    task.deadline = deadline
    task.starts_on = starts_on
    task.save(update_fields=["cycle", "cycle_starts_on", "deadline", "starts_on", "updated_at"])
    after = {
        "cycle": task.cycle,
        "cycle_starts_on": str(task.cycle_starts_on or ""),
        "deadline": str(task.deadline or ""),
        "starts_on": str(task.starts_on),
    }
    schedule.recompute(task)
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        event_type="ledger.schedule_set",
        obj=task,
        summary=task.name,
        before=before,
        after=after,
    )
    _event(task, "schedule_set", actor, note="", before=before, after=after)
    return task


@transaction.atomic
def add_unit(*, actor, task_id: int, department, role: str) -> TaskUnit:
    """The office names another lead or responsible unit for a task."""
    _require_office(actor)
    task = _lock(task_id)
    if department.is_placeholder:
        raise errors.LedgerError(errors.NOT_YOUR_TASK)
    if TaskUnit.objects.filter(task=task, department=department).exists():
        raise errors.LedgerError(errors.UNIT_ALREADY_ON_TASK, "department")
    role = UnitRole(role)
    position = TaskUnit.objects.filter(task=task, role=role).count() + 1
    link = TaskUnit.objects.create(
        task=task, department=department, role=role, position=position, as_written=""
    )
    schedule.recompute(task)
    record(
        actor=actor,
        action=AuditAction.CREATE,
        event_type="ledger.unit_added",
        obj=task,
        summary=f"{department.name} ({role})",
        after={"department": department.pk, "role": role},
    )
    _event(task, "unit_added", actor, unit=department, role=role)
    return link


# --- progress reports ------------------------------------------------------------------------


def _period_for(task, period_start: dt.date | None, today: dt.date) -> tuple[dt.date, dt.date]:
    if task.cycle == Cycle.NONE:
        return today, today  # an ad-hoc report covers the day it is filed
    periods = schedule.reportable_periods(task.cycle, task.cycle_starts_on, today)
    if not periods:
        raise errors.LedgerError(errors.PERIOD_INVALID, "period")
    if period_start is None:
        return periods[-1]
    for start, end in periods:
        if start == period_start:
            return start, end
    raise errors.LedgerError(errors.PERIOD_INVALID, "period")


@transaction.atomic
def file_report(
    *,
    actor,
    task_id: int,
    text: str,
    percent,
    period_start: dt.date | None = None,
    files: Iterable = (),
) -> ProgressReport:
    """A lead or responsible unit reports its progress for a period, with evidence files."""
    task = _lock(task_id)
    link = _require_link(actor, task)
    if task.stage == Stage.CLOSED:
        raise errors.LedgerError(errors.TASK_CLOSED)
    text = (text or "").strip()
    if not text:
        raise errors.LedgerError(errors.TEXT_REQUIRED, "text")
    try:
        percent = int(percent)
    except (TypeError, ValueError):
        raise errors.LedgerError(errors.PERCENT_RANGE, "percent") from None
    if not 0 <= percent <= 100:
        raise errors.LedgerError(errors.PERCENT_RANGE, "percent")
    files = _check_files(files)
    today = timezone.localdate()
    start, end = _period_for(task, period_start, today)
    due = schedule.due_date(start, end) if task.cycle != Cycle.NONE else today
    if ProgressReport.objects.filter(
        task=task, unit_id=link.department_id, period_start=start
    ).exists():
        raise errors.LedgerError(errors.PERIOD_REPORTED, "period")
    now = timezone.now()
    try:
        with transaction.atomic():
            report = ProgressReport.objects.create(
                task=task,
                unit_id=link.department_id,
                period_start=start,
                period_end=end,
                due_on=due,
                text=text,
                percent=percent,
                submitted_by=actor,
                submitted_at=now,
                is_late=today > due,
            )
    except IntegrityError:
        raise errors.LedgerError(errors.PERIOD_REPORTED, "period") from None
    evidence = _save_evidence(task, files, actor, report=report)
    # The unit's latest percentage is that of its most recent period, not of a late catch-up.
    latest = (
        ProgressReport.objects.filter(task=task, unit_id=link.department_id)
        .order_by("-period_start", "-submitted_at")
        .values_list("percent", flat=True)
        .first()
    )
    TaskUnit.objects.filter(pk=link.pk).update(last_percent=latest, last_reported_at=now)
    schedule.recompute(task)
    record(
        actor=actor,
        action=AuditAction.CREATE,
        event_type="ledger.report_filed",
        obj=report,
        summary=f"{task.name}: {percent}%",
        after={
            "task": task.pk,
            "unit": link.department_id,
            "period": [str(start), str(end)],
            "percent": percent,
            "late": report.is_late,
            "evidence": [e.original_name for e in evidence],
        },
    )
    _event(task, "report_filed", actor, unit=link.department, percent=percent, report=report.pk)
    return report


# --- closing ---------------------------------------------------------------------------------


def _lead_ids(task) -> set[int]:
    return set(
        TaskUnit.objects.filter(task=task, role=UnitRole.LEAD).values_list(
            "department_id", flat=True
        )
    )


def _open_closure(task) -> Closure:
    closure = (
        Closure.objects.select_for_update()
        .filter(task=task, state__in=[ClosureState.PROPOSED, ClosureState.CONFIRMED])
        .first()
    )
    if closure is None:
        raise errors.LedgerError(errors.WRONG_STAGE)
    return closure


def _maybe_confirmed(task, closure, actor) -> None:
    confirmed = set(closure.confirmations.values_list("unit_id", flat=True))
    if _lead_ids(task) <= confirmed:
        _move(task, Stage.LEAD_CONFIRMED)
        task.save(update_fields=["stage", "updated_at"])
        closure.state = ClosureState.CONFIRMED
        closure.save(update_fields=["state"])
        _event(task, "closure_confirmed_by_leads", actor, round=closure.round)
        for user in _office_heads():
            notify(
                recipient=user,
                event_key=f"ledger.signoff.{task.pk}.{closure.round}",
                kind="ledger.signoff_requested",
                title=_("Task awaiting your sign-off: %(name)s") % {"name": task.name},
                url=_task_url(task),
            )


@transaction.atomic
def propose_closure(*, actor, task_id: int, summary: str, files: Iterable = ()) -> Closure:
    """A unit of the task proposes closing it, with the evidence of the results. A lead unit's
    head proposing counts as that lead unit's confirmation."""
    task = _lock(task_id)
    link = _require_link(actor, task)
    summary = (summary or "").strip()
    if not summary:
        raise errors.LedgerError(errors.TEXT_REQUIRED, "summary")
    files = _check_files(files)
    if not files:
        raise errors.LedgerError(errors.EVIDENCE_REQUIRED, "files")
    leads = _lead_ids(task)
    if not leads:
        raise errors.LedgerError(errors.NO_LEAD_UNIT)
    before = _move(task, Stage.CLOSURE_PROPOSED)
    task.save(update_fields=["stage", "updated_at"])
    round_ = Closure.objects.filter(task=task).count() + 1
    try:
        with transaction.atomic():
            closure = Closure.objects.create(
                task=task,
                round=round_,
                state=ClosureState.PROPOSED,
                summary=summary,
                proposed_by=actor,
                proposed_unit_id=link.department_id,
                proposed_at=timezone.now(),
            )
    except IntegrityError:
        raise errors.LedgerError(errors.CONCURRENT) from None
    evidence = _save_evidence(task, files, actor, closure=closure)
    record(
        actor=actor,
        action=AuditAction.TRANSITION,
        event_type="ledger.closure_proposed",
        obj=task,
        summary=task.name,
        before={"stage": before},
        after={
            "stage": task.stage,
            "round": round_,
            "evidence": [e.original_name for e in evidence],
        },
    )
    _event(task, "closure_proposed", actor, unit=link.department, note=summary, round=round_)
    if access.can_confirm(actor, link):
        ClosureConfirmation.objects.create(
            closure=closure,
            unit_id=link.department_id,
            confirmed_by=actor,
            confirmed_at=timezone.now(),
        )
        _event(task, "closure_lead_confirmed", actor, unit=link.department, round=round_)
    others = leads - {link.department_id} if access.can_confirm(actor, link) else leads
    for unit_id in others:
        notify_unit_staff(
            unit_id,
            roles=UNIT_HEAD_ROLES,
            event_key=f"ledger.confirm.{task.pk}.{round_}.{unit_id}",
            kind="ledger.confirmation_requested",
            title=gettext_lazy("Confirm the closure of: %(name)s"),
            params={"name": task.name},
            url=_task_url(task),
        )
    _maybe_confirmed(task, closure, actor)
    return closure


@transaction.atomic
def confirm_closure(*, actor, task_id: int) -> Closure:
    """The head of a lead unit confirms the proposed closure."""
    task = _lock(task_id)
    link = _require_link(actor, task)
    if not access.can_confirm(actor, link):
        raise errors.LedgerError(errors.LEAD_HEAD_ONLY)
    if task.stage != Stage.CLOSURE_PROPOSED:
        raise errors.LedgerError(errors.WRONG_STAGE)
    closure = _open_closure(task)
    try:
        with transaction.atomic():
            ClosureConfirmation.objects.create(
                closure=closure,
                unit_id=link.department_id,
                confirmed_by=actor,
                confirmed_at=timezone.now(),
            )
    except IntegrityError:
        raise errors.LedgerError(errors.ALREADY_CONFIRMED) from None
    record(
        actor=actor,
        action=AuditAction.TRANSITION,
        event_type="ledger.closure_confirmed",
        obj=task,
        summary=task.name,
        after={"round": closure.round, "unit": link.department_id},
    )
    _event(task, "closure_lead_confirmed", actor, unit=link.department, round=closure.round)
    _maybe_confirmed(task, closure, actor)
    return closure


@transaction.atomic
def send_back(*, actor, task_id: int, note: str) -> Closure:
    """A lead unit's head (before confirmation) or an office head sends the closure back."""
    task = _lock(task_id)
    note = (note or "").strip()
    if not note:
        raise errors.LedgerError(errors.REASON_REQUIRED, "note")
    link = access.unit_link(actor, task)
    by_office = access.can_sign_off(actor)
    if not by_office and not (
        access.can_confirm(actor, link) and task.stage == Stage.CLOSURE_PROPOSED
    ):
        raise errors.LedgerError(errors.LEAD_HEAD_ONLY if link else errors.SIGN_OFF_ONLY)
    closure = _open_closure(task)
    before = _move(task, Stage.OPEN)
    task.save(update_fields=["stage", "updated_at"])
    closure.state = ClosureState.REJECTED
    closure.decided_by = actor
    closure.decided_at = timezone.now()
    closure.decision_note = note
    closure.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    record(
        actor=actor,
        action=AuditAction.TRANSITION,
        event_type="ledger.closure_sent_back",
        obj=task,
        summary=note,
        before={"stage": before},
        after={"stage": task.stage, "round": closure.round},
    )
    _event(
        task,
        "closure_sent_back",
        actor,
        unit=getattr(link, "department", None),
        note=note,
        round=closure.round,
    )
    notify_unit_staff(
        closure.proposed_unit_id,
        event_key=f"ledger.sentback.{task.pk}.{closure.round}",
        kind="ledger.closure_sent_back",
        title=gettext_lazy("Closure sent back: %(name)s"),
        params={"name": task.name},
        body=note,
        url=_task_url(task),
    )
    return closure


@transaction.atomic
def sign_off(*, actor, task_id: int, note: str = "") -> LedgerTask:
    """An office head signs off a closure the lead units confirmed: the task is done."""
    if not access.can_sign_off(actor):
        raise errors.LedgerError(errors.SIGN_OFF_ONLY)
    task = _lock(task_id)
    if task.stage != Stage.LEAD_CONFIRMED:
        raise errors.LedgerError(errors.WRONG_STAGE)
    closure = _open_closure(task)
    before = _move(task, Stage.CLOSED)
    now = timezone.now()
    task.closed_at = now
    task.save(update_fields=["stage", "closed_at", "updated_at"])
    closure.state = ClosureState.SIGNED_OFF
    closure.decided_by = actor
    closure.decided_at = now
    closure.decision_note = (note or "").strip()
    closure.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    schedule.recompute(task)
    record(
        actor=actor,
        action=AuditAction.TRANSITION,
        event_type="ledger.signed_off",
        obj=task,
        summary=task.name,
        before={"stage": before},
        after={"stage": task.stage, "round": closure.round},
    )
    _event(task, "signed_off", actor, note=closure.decision_note, round=closure.round)
    unit_ids = TaskUnit.objects.filter(task=task).values_list("department_id", flat=True)
    notify_unit_staff(
        list(unit_ids),
        roles=UNIT_HEAD_ROLES,
        event_key=f"ledger.closed.{task.pk}.{closure.round}",
        kind="ledger.task_closed",
        title=gettext_lazy("Task closed: %(name)s"),
        params={"name": task.name},
        url=_task_url(task),
    )
    return task


@transaction.atomic
def reopen(*, actor, task_id: int, reason: str) -> LedgerTask:
    """An office head reopens a closed task; its reports, closures and events all stay."""
    if not access.can_sign_off(actor):
        raise errors.LedgerError(errors.SIGN_OFF_ONLY)
    task = _lock(task_id)
    reason = (reason or "").strip()
    if not reason:
        raise errors.LedgerError(errors.REASON_REQUIRED, "reason")
    before = _move(task, Stage.OPEN)
    task.closed_at = None
    task.reopened_count += 1
    task.save(update_fields=["stage", "closed_at", "reopened_count", "updated_at"])
    schedule.recompute(task)
    record(
        actor=actor,
        action=AuditAction.TRANSITION,
        event_type="ledger.reopened",
        obj=task,
        summary=reason,
        before={"stage": before},
        after={"stage": task.stage, "reopened_count": task.reopened_count},
    )
    _event(task, "reopened", actor, note=reason, count=task.reopened_count)
    unit_ids = TaskUnit.objects.filter(task=task).values_list("department_id", flat=True)
    notify_unit_staff(
        list(unit_ids),
        roles=UNIT_HEAD_ROLES,
        event_key=f"ledger.reopened.{task.pk}.{task.reopened_count}",
        kind="ledger.task_reopened",
        title=gettext_lazy("Task reopened: %(name)s"),
        params={"name": task.name},
        body=reason,
        url=_task_url(task),
    )
    return task


# --- chasing and reminders (run daily by tasks.py) --------------------------------------------


@transaction.atomic
def chase_late_reports(*, today: dt.date | None = None) -> int:
    """Tell every unit whose report is overdue, once per missed period. Returns units chased."""
    today = today or timezone.localdate()
    late = list(
        TaskUnit.objects.select_for_update()
        .filter(next_report_due__lt=today)
        .exclude(task__stage=Stage.CLOSED)
        .exclude(last_chased_on=today)
        .select_related("task")
    )
    if not late:
        return 0
    recipients: dict[int, list] = {}
    for user in unit_staff({link.department_id for link in late}):
        recipients.setdefault(user.department_id, []).append(user)
    for link in late:
        for user in recipients.get(link.department_id, []):
            notify(
                recipient=user,
                event_key=f"ledger.chase.{link.task_id}.{link.department_id}.{link.next_report_due}",
                kind="ledger.report_late",
                title=_("Progress report overdue: %(name)s") % {"name": link.task.name},
                body=_("The report was due on %(date)s.") % {"date": link.next_report_due},
                url=_task_url(link.task),
                channels=("sms",),
            )
    TaskUnit.objects.filter(pk__in=[link.pk for link in late]).update(last_chased_on=today)
    record(
        actor=None,
        action=AuditAction.UPDATE,
        event_type="ledger.late_reports_chased",
        summary=f"{len(late)} late unit reports chased",
        extra={"links": [link.pk for link in late][:1000], "date": str(today)},
    )
    return len(late)


def send_reminders(*, today: dt.date | None = None) -> int:
    """Remind units of a report due within two days and of a task deadline within seven."""
    today = today or timezone.localdate()
    sent = 0
    soon = today + dt.timedelta(days=REMIND_DAYS_BEFORE_REPORT)
    links = list(
        TaskUnit.objects.filter(next_report_due__gte=today, next_report_due__lte=soon)
        .exclude(task__stage=Stage.CLOSED)
        .select_related("task")
    )
    deadline_soon = today + dt.timedelta(days=REMIND_DAYS_BEFORE_DEADLINE)
    deadline_links = list(
        TaskUnit.objects.filter(task__deadline__gte=today, task__deadline__lte=deadline_soon)
        .exclude(task__stage=Stage.CLOSED)
        .select_related("task")
    )
    staff: dict[int, list] = {}
    for user in unit_staff({link.department_id for link in links + deadline_links}):
        staff.setdefault(user.department_id, []).append(user)
    with transaction.atomic():
        for link in links:
            for user in staff.get(link.department_id, []):
                sent += bool(
                    notify(
                        recipient=user,
                        event_key=f"ledger.remind.report.{link.task_id}.{link.department_id}.{link.next_report_due}",
                        kind="ledger.report_due",
                        title=_("Progress report due on %(date)s: %(name)s")
                        % {"date": link.next_report_due, "name": link.task.name},
                        url=_task_url(link.task),
                    )
                )
        for link in deadline_links:
            for user in staff.get(link.department_id, []):
                sent += bool(
                    notify(
                        recipient=user,
                        event_key=f"ledger.remind.deadline.{link.task_id}.{link.department_id}.{link.task.deadline}",
                        kind="ledger.deadline_near",
                        title=_("Task deadline on %(date)s: %(name)s")
                        % {"date": link.task.deadline, "name": link.task.name},
                        url=_task_url(link.task),
                    )
                )
    return sent
