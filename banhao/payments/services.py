"""Every write of the payments register: capabilities, inspections, follow-up tasks, problem
reports and their hand-off to the 12345 hotline, cash-refusal enforcement.

Each function runs in one transaction, checks the current state, and writes its audit record
in the same transaction; notifications go through ``notify`` (sent after commit).
"""

import datetime
import logging
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from banhao.accounts.roles import Role
from banhao.audit.models import AuditAction
from banhao.audit.services import record
from banhao.core.workdays import add_working_days
from banhao.notifications.services import notify

from . import access, errors
from .errors import PaymentsError
from .models import (
    Capability,
    CapabilityFact,
    FactSource,
    FollowUpTask,
    Inspection,
    InspectionFinding,
    Place,
    ProblemKind,
    ProblemReport,
)
from .states import (
    ENFORCEMENT_TRANSITIONS,
    HandoffStatus,
    TaskStatus,
    TransitionRefused,
)
from .states import EnforcementStatus as ES
from .states import check as check_transition

log = logging.getLogger(__name__)

# Working days the responsible unit has to put a finding right.
FOLLOW_UP_WORKING_DAYS = 10


def _today() -> datetime.date:
    return timezone.localdate()


def _lock_place(place_id: int) -> Place:
    return Place.objects.select_for_update().get(pk=place_id)


def _apply_facts(
    place: Place,
    values: Mapping[str, bool],
    *,
    observed_on: datetime.date,
    source: str,
    source_note: str,
    actor,
    inspection: Inspection | None = None,
) -> tuple[list[CapabilityFact], dict, dict]:
    """Append one fact per capability; move the current value only for facts not older than
    the one it rests on (a late-entered old fact goes into the history, not the finder)."""
    facts, before, after = [], {}, {}
    changed_fields = []
    for code, value in values.items():
        capability = Capability(code)
        current = getattr(place, capability.value)
        facts.append(
            CapabilityFact(
                place=place,
                capability=capability.value,
                value=bool(value),
                previous=current,
                observed_on=observed_on,
                source=source,
                source_note=source_note[:200],
                inspection=inspection,
                recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
        )
        as_of = place.capability_dates.get(capability.value)
        if as_of is None or observed_on.isoformat() >= as_of:
            if current != bool(value):
                before[capability.value] = current
                after[capability.value] = bool(value)
                setattr(place, capability.value, bool(value))
                changed_fields.append(capability.value)
            place.capability_dates[capability.value] = observed_on.isoformat()
    CapabilityFact.objects.bulk_create(facts)
    place.version = F("version") + 1
    place.save(update_fields=[*changed_fields, "capability_dates", "version", "updated_at"])
    place.refresh_from_db(fields=["version"])
    return facts, before, after


@transaction.atomic
def record_capabilities(
    *,
    actor,
    place: Place,
    values: Mapping[str, bool],
    observed_on: datetime.date,
    source: str,
    source_note: str = "",
    expected_version: int | None = None,
) -> list[CapabilityFact]:
    """Record dated, sourced facts about what ``place`` accepts (a staff update).

    ``expected_version`` is the version the form was filled in against: if the place changed
    since, the update is refused with a conflict so nobody overwrites what they did not see.
    """
    if not values:
        raise PaymentsError(errors.NO_VALUES)
    if observed_on > _today():
        raise PaymentsError(errors.FUTURE_DATE)
    locked = _lock_place(place.pk)
    if not access.can_edit_place(actor, locked):
        raise PaymentsError(errors.NOT_ALLOWED)
    if expected_version is not None and locked.version != expected_version:
        raise PaymentsError(errors.CONFLICT)
    facts, before, after = _apply_facts(
        locked,
        values,
        observed_on=observed_on,
        source=source,
        source_note=source_note,
        actor=actor,
    )
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        event_type="payments.capabilities.recorded",
        obj=locked,
        summary=f"{locked.code}: {len(facts)} fact(s), {len(after)} change(s)",
        before=before,
        after=after,
        extra={
            "observed_on": observed_on.isoformat(),
            "source": source,
            "source_note": source_note,
            "recorded": {k: bool(v) for k, v in values.items()},
        },
    )
    place.__dict__.update(
        {k: getattr(locked, k) for k in ("version", "capability_dates", *after.keys())}
    )
    return facts


def _unit_staff(department_id: int):
    from banhao.accounts.models import User

    return User.objects.filter(
        department_id=department_id,
        role__in=[Role.DEPT_HANDLER, Role.DEPT_HEAD],
        is_active=True,
    )


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
        due_on=add_working_days(_today(), FOLLOW_UP_WORKING_DAYS),
    )
    for user in _unit_staff(place.department_id):
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
    if visited_on > _today():
        raise PaymentsError(errors.FUTURE_DATE)
    locked = _lock_place(place.pk)
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
    _facts, before, after = _apply_facts(
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


# --- problem reports from the public ---------------------------------------------------------


@transaction.atomic
def submit_report(
    *,
    place: Place,
    kind: str,
    description: str,
    occurred_on: datetime.date | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    language: str = "",
    reporter=None,
) -> ProblemReport:
    """Keep a problem reported from a place's page, then pass it to the 12345 hotline after
    commit. The report is stored first so that it is never lost if the hand-off fails; cash
    refusals also start an enforcement case for the People's Bank office."""
    description = description.strip()
    if not description:
        raise PaymentsError(errors.DESCRIPTION_REQUIRED)
    if not place.is_active:
        raise PaymentsError(errors.PLACE_CLOSED)
    if occurred_on is not None and occurred_on > _today():
        raise PaymentsError(errors.FUTURE_DATE)
    report = ProblemReport.objects.create(
        place=place,
        kind=kind,
        description=description,
        occurred_on=occurred_on,
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
        language=language,
        reporter=reporter if getattr(reporter, "is_authenticated", False) else None,
        enforcement_status=ES.REPORTED if kind == ProblemKind.CASH_REFUSED else "",
    )
    record(
        actor=reporter,
        action=AuditAction.CREATE,
        event_type="payments.report.submitted",
        obj=report,
        summary=f"{place.code}: {kind}",
        after={"kind": kind, "place": place.pk},
    )
    from .tasks import hand_off_report

    transaction.on_commit(lambda: hand_off_report.delay(report.pk))
    return report


def _hotline_intake():
    """The hotline's intake (``banhao.hotline.services.register_ticket``), or None while the
    hotline app does not offer it. Looked up at call time, so reports kept before it existed
    are passed on by the retry once it does."""
    try:
        from banhao.hotline import services as hotline_services
    except ImportError:
        return None
    intake = getattr(hotline_services, "register_ticket", None)
    return intake if callable(intake) else None


def _ticket_ref(ticket) -> str:
    return str(getattr(ticket, "number", "") or ticket.pk)


def hand_off(report_id: int) -> ProblemReport:
    """Pass one kept report to the hotline, once. Without a hotline intake the report stays
    pending (with the reason) and is retried later; nothing is dropped."""
    intake = _hotline_intake()
    with transaction.atomic():
        report = (
            # of=self: PostgreSQL refuses FOR UPDATE on the nullable side of the reporter join.
            ProblemReport.objects.select_for_update(of=("self",))
            .select_related("place", "place__region", "reporter")
            .get(pk=report_id)
        )
        if report.handoff_status == HandoffStatus.HANDED_OFF:
            return report
        report.handoff_attempts = F("handoff_attempts") + 1
        if intake is None:
            report.handoff_error = "hotline intake not available yet"
            report.save(update_fields=["handoff_attempts", "handoff_error"])
            report.refresh_from_db()
            return report
        try:
            with transaction.atomic():
                ticket = intake(**_intake_arguments(report))
        except Exception as exc:  # the hotline refused or failed: keep it pending, retry later
            log.exception("hotline hand-off of payment report %s failed", report_id)
            report.handoff_error = f"{type(exc).__name__}: {exc}"[:300]
            report.save(update_fields=["handoff_attempts", "handoff_error"])
            report.refresh_from_db()
            return report
        report.handoff_status = HandoffStatus.HANDED_OFF
        report.hotline_ticket_ref = _ticket_ref(ticket)
        report.handed_off_at = timezone.now()
        report.handoff_error = ""
        report.save(
            update_fields=[
                "handoff_attempts",
                "handoff_status",
                "hotline_ticket_ref",
                "handed_off_at",
                "handoff_error",
            ]
        )
        record(
            actor=None,
            action=AuditAction.TRANSITION,
            event_type="payments.report.handed_off",
            obj=report,
            after={"hotline_ticket": report.hotline_ticket_ref},
        )
    report.refresh_from_db()
    return report


def _intake_arguments(report: ProblemReport) -> dict:
    """What the hotline needs: the place attached (``related_object``) and located, the
    reporter's contact when given (anonymous otherwise: visitors need not leave one)."""
    place = report.place
    kind = ProblemKind(report.kind)
    description = (
        f"【支付便利化】{kind.label}\n{report.description}\n"
        f"场所: {place.name} ({place.code})"
        + (f"\n日期: {report.occurred_on.isoformat()}" if report.occurred_on else "")
    )
    has_contact = bool(report.contact_phone) or report.reporter_id is not None
    return {
        "actor": None,
        "channel": "payment",
        "title": f"{kind.label} — {place.name}"[:100],
        "description": description,
        "requester": report.reporter,
        "anonymous": not has_contact,
        "contact_name": report.contact_name,
        "contact_phone": report.contact_phone,
        "town": place.region,
        "address": place.address,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "related_object": place,
    }


def hand_off_pending_reports() -> tuple[int, int]:
    """Retry every pending report. Returns (handed off now, still pending)."""
    done = pending = 0
    for pk in ProblemReport.objects.filter(handoff_status=HandoffStatus.PENDING).values_list(
        "pk", flat=True
    ):
        if hand_off(pk).handoff_status == HandoffStatus.HANDED_OFF:
            done += 1
        else:
            pending += 1
    return done, pending


@transaction.atomic
def advance_enforcement(*, actor, report: ProblemReport, status: str, note: str = "") -> None:
    """Move a cash-refusal case along (reported → investigating → penalised/warned/unfounded)."""
    if not access.is_enforcement_staff(actor):
        raise PaymentsError(errors.ENFORCEMENT_NOT_ALLOWED)
    locked = ProblemReport.objects.select_for_update().get(pk=report.pk)
    try:
        check_transition(ENFORCEMENT_TRANSITIONS, locked.enforcement_status, status, "enforce")
    except TransitionRefused as exc:
        raise PaymentsError(
            errors.ENFORCEMENT_REFUSED,
            current=ES(locked.enforcement_status).label if locked.enforcement_status else "—",
            target=ES(status).label,
        ) from exc
    before = {"enforcement_status": locked.enforcement_status}
    locked.enforcement_status = status
    locked.enforcement_note = note.strip()[:300]
    locked.enforcement_updated_at = timezone.now()
    locked.save(update_fields=["enforcement_status", "enforcement_note", "enforcement_updated_at"])
    record(
        actor=actor,
        action=AuditAction.TRANSITION,
        event_type="payments.cash_refusal.enforcement",
        obj=locked,
        before=before,
        after={"enforcement_status": status, "note": locked.enforcement_note},
    )


# --- data exchange -------------------------------------------------------------------------

IMPORTED_FIELDS = [
    "name",
    "name_en",
    "kind",
    "sector",
    "category",
    "is_key",
    "region",
    "address",
    "address_en",
    "latitude",
    "longitude",
    "opening_hours",
    "opening_hours_en",
    "phone",
    "bank",
    "department",
    "supervising_department",
    "is_demo",
]


@transaction.atomic
def import_places(*, actor, rows) -> tuple[int, int]:
    """Create or update places from checked CSV rows (``exchange.parse_csv``), with each given
    capability recorded as a fact (source: import). Returns (created, updated)."""
    if not access.can_exchange_data(actor):
        raise PaymentsError(errors.IMPORT_NOT_ALLOWED)
    created = updated = 0
    existing = {
        p.code: p
        for p in Place.objects.select_for_update().filter(code__in=[r.values["code"] for r in rows])
    }
    for row in rows:
        place = existing.get(row.values["code"])
        if place is None:
            place = Place.objects.create(**row.values)
            created += 1
        else:
            for name in IMPORTED_FIELDS:
                setattr(place, name, row.values[name])
            place.save(update_fields=[*IMPORTED_FIELDS, "updated_at"])
            updated += 1
        if row.capabilities:
            _apply_facts(
                place,
                row.capabilities,
                observed_on=row.as_of,
                source=FactSource.IMPORT,
                source_note=_("CSV import, line %(line)d") % {"line": row.line},
                actor=actor,
            )
    record(
        actor=actor,
        action=AuditAction.CREATE,
        event_type="payments.register.imported",
        summary=f"{created} created, {updated} updated",
        extra={"codes": [r.values["code"] for r in rows][:500]},
    )
    return created, updated


# --- the register itself -----------------------------------------------------------------

PLACE_FIELDS = [
    "name",
    "name_en",
    "kind",
    "sector",
    "category",
    "is_key",
    "region",
    "address",
    "address_en",
    "latitude",
    "longitude",
    "opening_hours",
    "opening_hours_en",
    "phone",
]
BANK_KINDS = {"atm", "bank_branch"}


def _units_for(actor, kind: str, sector: str):
    """(bank, responsible unit, supervising department) for a place a unit registers: a bank's
    staff register their bank's places (supervised by the People's Bank office); a supervising
    department registers places of its own sectors."""
    from banhao.org.selectors import resolve_department

    from .models import Bank, Sector
    from .seed import sector_departments

    if actor.department_id is None:
        raise PaymentsError(errors.NO_UNIT)
    bank = Bank.objects.filter(department_id=actor.department_id).first()
    if bank is not None:
        return bank, actor.department, resolve_department(sector_departments()[Sector.FINANCE])
    if kind in BANK_KINDS:
        raise PaymentsError(errors.BANK_PLACE)
    supervisor = resolve_department(sector_departments()[sector])
    if supervisor.pk != actor.department_id:
        raise PaymentsError(errors.WRONG_SECTOR)
    return None, supervisor, supervisor


@transaction.atomic
def register_place(*, actor, code: str, data: dict) -> Place:
    """A unit adds a place to the register (basic data; capabilities follow as facts)."""
    from banhao.accounts.roles import DEPARTMENT_ROLES

    if not getattr(actor, "is_authenticated", False) or actor.role not in DEPARTMENT_ROLES:
        raise PaymentsError(errors.NOT_ALLOWED)
    bank, department, supervisor = _units_for(actor, data["kind"], data["sector"])
    if bank is not None:
        data = {**data, "sector": "finance"}
    if Place.objects.filter(code=code).exists():
        raise PaymentsError(errors.CODE_TAKEN)
    place = Place.objects.create(
        code=code,
        bank=bank,
        department=department,
        supervising_department=supervisor,
        **{k: data[k] for k in PLACE_FIELDS},
    )
    record(
        actor=actor,
        action=AuditAction.CREATE,
        event_type="payments.place.registered",
        obj=place,
        summary=f"{place.code} {place.name}",
        after={k: str(getattr(place, k)) for k in PLACE_FIELDS},
    )
    return place


@transaction.atomic
def update_place(*, actor, place: Place, data: dict, expected_version: int) -> Place:
    """Change a place's basic data (not its units or bank); refused if it changed meanwhile."""
    locked = _lock_place(place.pk)
    if not access.can_edit_place(actor, locked):
        raise PaymentsError(errors.NOT_ALLOWED)
    if locked.version != expected_version:
        raise PaymentsError(errors.CONFLICT)
    if locked.bank_id is not None:
        data = {**data, "sector": locked.sector}
        if data["kind"] not in BANK_KINDS:
            data["kind"] = locked.kind
    elif data["kind"] in BANK_KINDS:
        raise PaymentsError(errors.BANK_PLACE)
    before, after = {}, {}
    for name in PLACE_FIELDS:
        old = getattr(locked, name)
        if old != data[name]:
            before[name], after[name] = str(old), str(data[name])
            setattr(locked, name, data[name])
    locked.version = F("version") + 1
    locked.save(update_fields=[*PLACE_FIELDS, "version", "updated_at"])
    locked.refresh_from_db(fields=["version"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        event_type="payments.place.updated",
        obj=locked,
        before=before,
        after=after,
    )
    return locked
