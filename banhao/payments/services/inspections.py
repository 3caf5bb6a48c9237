"""Inspections (巡检, 明察暗访): what was seen becomes the place's current capability, and
every shortfall opens a follow-up task for the responsible unit, closed once."""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from banhao.accounts.selectors import unit_staff
from banhao.audit.models import AuditAction
from banhao.audit.services import record
from banhao.core.workdays import add_working_days
from banhao.notifications.services import notify

from .. import access, errors
from ..errors import PaymentsError
from ..models import (
    Capability,
    FactSource,
    FollowUpTask,
    Inspection,
    InspectionFinding,
    Place,
    ProblemReport,
)
from ..states import TaskStatus, TransitionRefused
from ..states import check as check_transition
from .capabilities import apply_facts
from .common import lock_place, today

# Working days the responsible unit has to put a finding right.
FOLLOW_UP_WORKING_DAYS = 10


def _open_task(
    *,
    place: Place,
    capability: str,
    description: str,
    inspection: Inspection | None = None,
    report: ProblemReport | None = None,
) -> tuple[FollowUpTask, bool]:
    """The open task for this place and capability, created if there is none."""
    if capability:
        existing = (
            FollowUpTask.objects.select_for_update()
            .filter(place=place, capability=capability, status=TaskStatus.OPEN)
            .first()
        )
        if existing is not None:
            return existing, False
    task = FollowUpTask.objects.create(
        place=place,
        department_id=place.department_id,
        capability=capability,
        description=description[:300],
        inspection=inspection,
        report=report,
        due_on=add_working_days(today(), FOLLOW_UP_WORKING_DAYS),
    )
    for user in unit_staff(place.department_id):
        notify(
            recipient=user,
            event_key=f"payments.task.{task.pk}",
            kind="payments.task",
            title=_("Payment follow-up: %(place)s") % {"place": place.name},
            body=description,
            url=f"/pay/staff/tasks/{task.pk}/",
        )
    return task, True


@transaction.atomic
def record_inspection(
    *,
    actor,
    place: Place,
    kind: str,
    visited_on: datetime.date,
    findings: Iterable[tuple[str, bool, str]],
    notes: str = "",
) -> Inspection:
    """A visit (巡检 or 明察暗访) with what was seen per capability. What was seen becomes the
    place's current capability (source: inspection); every shortfall opens a follow-up task
    for the responsible unit, or joins the task already open for it."""
    findings = list(findings)
    if not findings:
        raise PaymentsError(errors.NO_FINDINGS)
    if visited_on > today():
        raise PaymentsError(errors.FUTURE_DATE)
    locked = lock_place(place.pk)
    if not access.can_edit_place(actor, locked):
        raise PaymentsError(errors.NOT_ALLOWED)
    inspection = Inspection.objects.create(
        place=locked,
        kind=kind,
        visited_on=visited_on,
        inspector=actor,
        inspecting_department_id=actor.department_id,
        notes=notes,
    )
    InspectionFinding.objects.bulk_create(
        InspectionFinding(inspection=inspection, capability=c, observed=o, note=n[:200])
        for c, o, n in findings
    )
    _facts, before, after = apply_facts(
        locked,
        {c: o for c, o, _n in findings},
        observed_on=visited_on,
        source=FactSource.INSPECTION,
        source_note=_("Inspection #%(id)s") % {"id": inspection.pk},
        actor=actor,
        inspection=inspection,
    )
    opened = []
    for capability, observed, note in findings:
        if observed:
            continue
        label = Capability(capability).label
        description = _("Not working at the visit on %(date)s: %(what)s.") % {
            "date": visited_on.isoformat(),
            "what": label,
        }
        if note:
            description = f"{description} {note}"
        task, created = _open_task(
            place=locked, capability=capability, description=description, inspection=inspection
        )
        if created:
            opened.append(task.pk)
    record(
        actor=actor,
        action=AuditAction.CREATE,
        event_type="payments.inspection.recorded",
        obj=inspection,
        summary=f"{locked.code}: {len(findings)} finding(s), {len(opened)} task(s) opened",
        before=before,
        after=after,
        extra={"place": locked.pk, "tasks_opened": opened, "kind": kind},
    )
    return inspection


@transaction.atomic
def close_task(*, actor, task: FollowUpTask, status: str, resolution: str) -> FollowUpTask:
    """Close a follow-up task as done or cancelled, once; the second of two closers is told."""
    if not resolution.strip():
        raise PaymentsError(errors.RESOLUTION_REQUIRED)
    locked = FollowUpTask.objects.select_for_update().select_related("place").get(pk=task.pk)
    if not access.can_edit_place(actor, locked.place):
        raise PaymentsError(errors.NOT_ALLOWED)
    try:
        check_transition(
            {TaskStatus.OPEN: {TaskStatus.DONE, TaskStatus.CANCELLED}},
            locked.status,
            status,
            "close",
        )
    except TransitionRefused as exc:
        raise PaymentsError(errors.TASK_CLOSED) from exc
    before = {"status": locked.status}
    locked.status = status
    locked.resolution = resolution.strip()[:300]
    locked.closed_at = timezone.now()
    locked.closed_by = actor
    locked.save(update_fields=["status", "resolution", "closed_at", "closed_by"])
    record(
        actor=actor,
        action=AuditAction.TRANSITION,
        event_type=f"payments.task.{status}",
        obj=locked,
        before=before,
        after={"status": status, "resolution": locked.resolution},
    )
    return locked
