"""What the hotline's write families share: the ticket lock and version, events, audit, the
per-unit daily facts, and the notifications to a unit or to the requester."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from banhao.accounts.services import notify_unit_staff
from banhao.audit.models import AuditAction
from banhao.audit.services import record
from banhao.core import rows
from banhao.notifications.services import notify
from banhao.org.models import Department

from .. import access, deadlines, errors, outbound
from ..errors import HotlineError
from ..models import Ticket, TicketEvent, UnitDayFact
from ..states import DeadlineStage, TicketStatus

# Intake inserts tickets and every step its events through lean statements; the repeat check
# reads recent tickets through one (intake._recent_sql).
rows.use(Ticket, TicketEvent, writes="insert")


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def local_day(at: dt.datetime) -> dt.date:
    return at.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def snapshot(ticket: Ticket) -> dict:
    return {
        "status": ticket.status,
        "department_id": ticket.department_id,
        "supervision_level": ticket.supervision_level,
        "handle_due": ticket.handle_due.isoformat() if ticket.handle_due else None,
    }


def add_event(ticket, kind, *, actor, at, before_status="", note="", data=None, department=None):
    # rows.insert: the INSERT statement built once instead of compiled per event (TicketEvent
    # has no save() override and no signal receivers).
    rows.insert(
        [
            TicketEvent(
                ticket=ticket,
                kind=kind,
                at=at,
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                department_id=department.pk if department else ticket.department_id,
                from_status=before_status,
                to_status=ticket.status,
                note=note,
                data=data or {},
            )
        ]
    )


def audit(actor, event_type, ticket, before, summary="", extra=None, action=None):
    record(
        actor=actor,
        action=action or (AuditAction.TRANSITION if before else AuditAction.CREATE),
        event_type=f"hotline.{event_type}",
        obj=ticket,
        summary=summary or ticket.number,
        before=before,
        after=snapshot(ticket),
        extra=extra,
    )


def count_in_facts(department_id: int | None, at: dt.datetime, **increments: int) -> None:
    """Add to the unit's counts for the local day of ``at`` (created on first use)."""
    if not department_id or not increments:
        return
    day = local_day(at)
    updates = {k: F(k) + v for k, v in increments.items()}
    if UnitDayFact.objects.filter(department_id=department_id, day=day).update(**updates):
        return
    try:
        with transaction.atomic():
            UnitDayFact.objects.create(department_id=department_id, day=day, **increments)
    except IntegrityError:  # created by a concurrent transaction a moment ago
        UnitDayFact.objects.filter(department_id=department_id, day=day).update(**updates)


def lock_ticket(ticket: Ticket | int, version: int | None = None) -> Ticket:
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    locked = Ticket.objects.select_for_update(of=("self",)).select_related("department").get(pk=pk)
    if version is not None and locked.version != version:
        raise HotlineError(errors.CONFLICT)
    return locked


def save_ticket(ticket: Ticket, *fields: str) -> None:
    ticket.version += 1
    ticket.save(update_fields=[*fields, "version"])


def require_centre(actor) -> None:
    if actor is not None and not access.is_centre(actor):
        raise HotlineError(errors.NOT_CENTRE)


def require_holder(actor, ticket: Ticket) -> None:
    if not access.holds(actor, ticket):
        raise HotlineError(errors.NOT_YOUR_UNIT)


def check_unit(department: Department) -> None:
    if department is None or department.is_placeholder or not department.is_active:
        raise HotlineError(errors.BAD_DEPARTMENT, "department")


def assign(ticket: Ticket, department: Department, now: dt.datetime) -> None:
    ticket.department = department
    ticket.status = TicketStatus.DISPATCHED
    ticket.dispatched_at = now
    ticket.accepted_at = None
    ticket.respond_due = deadlines.due(
        now, DeadlineStage.RESPOND, ticket.ticket_type, ticket.urgency
    )
    ticket.handle_due = None
    count_in_facts(department.pk, now, received=1)
    # Every way a ticket reaches a unit (dispatch, ruling, reopening) passes here.
    outbound.dispatched(ticket, department)


UNIT_TITLE = _("12345: %(number)s")


def notify_unit(
    ticket: Ticket, department_id: int, key: str, title=UNIT_TITLE, body: str = "", **params
) -> None:
    """Tell a unit's handlers and head; ``title`` (a lazy message with ``%(number)s`` and
    ``params``, which may be lazy too) is written in each recipient's language."""
    notify_unit_staff(
        department_id,
        event_key=f"hotline:{ticket.pk}:{key}",
        kind="hotline",
        title=title,
        body=body,
        url=f"/hotline/tickets/{ticket.pk}/",
        params={"number": ticket.number, **params},
    )


def notify_requester(ticket: Ticket, key: str, title: str, body: str = "") -> None:
    if ticket.requester_id:
        notify(
            recipient=ticket.requester,
            event_key=f"hotline:{ticket.pk}:{key}",
            kind="hotline",
            title=title,
            body=body,
            url=f"/hotline/my/{ticket.pk}/",
            channels=("sms",),
        )
