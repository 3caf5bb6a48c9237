"""The ticket's way through a unit: the centre dispatches it, the unit accepts or returns it,
asks for more time and replies; the centre calls the requester back, closes or reopens it."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from banhao.org.models import Department

from .. import access, deadlines, errors, tasks
from ..errors import HotlineError
from ..models import EventKind, ExtensionRequest, Ticket
from ..states import (
    DeadlineStage,
    RequestStatus,
    Resolution,
    Satisfaction,
    TicketStatus,
    check,
)
from .common import (
    add_event,
    assign,
    audit,
    check_unit,
    count_in_facts,
    lock_ticket,
    notify_requester,
    notify_unit,
    now_or,
    require_centre,
    require_holder,
    save_ticket,
    snapshot,
)


@transaction.atomic
def dispatch(
    *, actor, ticket: Ticket, department: Department, note: str = "", version=None, now=None
):
    """The centre sends a registered or returned ticket to a unit."""
    require_centre(actor)
    check_unit(department)
    now = now_or(now)
    ticket = lock_ticket(ticket, version)
    check("dispatch", ticket.status)
    if ticket.status == TicketStatus.RETURNED and ticket.department_id == department.pk:
        raise HotlineError(errors.SAME_DEPARTMENT, "department")
    before = snapshot(ticket)
    assign(ticket, department, now)
    save_ticket(
        ticket, "department", "status", "dispatched_at", "accepted_at", "respond_due", "handle_due"
    )
    add_event(
        ticket,
        EventKind.DISPATCHED,
        actor=actor,
        at=now,
        before_status=before["status"],
        note=note,
        data={
            "suggested": ticket.suggested_department_id,
            "confidence": ticket.suggestion_confidence,
        },
    )
    audit(actor, "ticket.dispatched", ticket, before)
    notify_unit(ticket, department.pk, f"dispatch:{ticket.version}")
    return ticket


@transaction.atomic
def accept(*, actor, ticket: Ticket, version=None, now=None):
    """The unit signs for the ticket (签收); the handling deadline starts."""
    now = now_or(now)
    ticket = lock_ticket(ticket, version)
    check("accept", ticket.status)
    require_holder(actor, ticket)
    before = snapshot(ticket)
    ticket.status = TicketStatus.HANDLING
    ticket.accepted_at = now
    ticket.handle_due = deadlines.due(now, DeadlineStage.HANDLE, ticket.ticket_type, ticket.urgency)
    save_ticket(ticket, "status", "accepted_at", "handle_due")
    on_time = int(ticket.respond_due is None or now <= ticket.respond_due)
    count_in_facts(ticket.department_id, now, responded=1, responded_on_time=on_time)
    add_event(ticket, EventKind.ACCEPTED, actor=actor, at=now, before_status=before["status"])
    audit(actor, "ticket.accepted", ticket, before)
    return ticket


def _bound_by_ruling(ticket: Ticket) -> bool:
    return ticket.rulings.filter(
        status=RequestStatus.APPROVED, decided_department_id=ticket.department_id
    ).exists()


@transaction.atomic
def return_ticket(*, actor, ticket: Ticket, reason: str, version=None, now=None):
    """The unit returns a wrongly assigned ticket (退回) within the respond window, with a reason."""
    now = now_or(now)
    reason = (reason or "").strip()
    if not reason:
        raise HotlineError(errors.REASON_REQUIRED, "reason")
    ticket = lock_ticket(ticket, version)
    check("return", ticket.status)
    require_holder(actor, ticket)
    if ticket.respond_due and now > ticket.respond_due:
        raise HotlineError(errors.RETURN_WINDOW_PASSED)
    if _bound_by_ruling(ticket):
        raise HotlineError(errors.RULING_BINDING)
    before = snapshot(ticket)
    ticket.status = TicketStatus.RETURNED
    ticket.return_count += 1
    save_ticket(ticket, "status", "return_count")
    count_in_facts(ticket.department_id, now, responded=1, responded_on_time=1, returned=1)
    add_event(
        ticket, EventKind.RETURNED, actor=actor, at=now, before_status=before["status"], note=reason
    )
    audit(actor, "ticket.returned", ticket, before, extra={"reason": reason})
    return ticket


@transaction.atomic
def request_extension(*, actor, ticket: Ticket, days: int, reason: str, plan: str = "", now=None):
    """计划性办结: the handling unit asks for more working days, within the configured maximum."""
    now = now_or(now)
    if not (reason or "").strip():
        raise HotlineError(errors.REASON_REQUIRED, "reason")
    ticket = lock_ticket(ticket)
    check("request_extension", ticket.status)
    require_holder(actor, ticket)
    limit, _unit = deadlines.rule_for(DeadlineStage.EXTENSION, ticket.ticket_type, ticket.urgency)
    if days < 1 or ticket.extension_days + days > limit:
        raise HotlineError(errors.EXTENSION_TOO_LONG, "days", limit=limit)
    if ticket.extensions.filter(status=RequestStatus.PENDING).exists():
        raise HotlineError(errors.EXTENSION_PENDING)
    request = ExtensionRequest.objects.create(
        ticket=ticket,
        department_id=ticket.department_id,
        requested_by=actor,
        days=days,
        reason=reason.strip(),
        plan=(plan or "").strip(),
        requested_at=now,
    )
    add_event(
        ticket, EventKind.EXTENSION_REQUESTED, actor=actor, at=now, note=reason, data={"days": days}
    )
    audit(actor, "extension.requested", ticket, snapshot(ticket), extra={"days": days})
    return request


@transaction.atomic
def decide_extension(*, actor, request: ExtensionRequest, approve: bool, note: str = "", now=None):
    """The centre approves (the handling deadline moves by the days asked) or rejects."""
    if not access.is_supervisor(actor):
        raise HotlineError(errors.NOT_CENTRE)
    now = now_or(now)
    ticket = lock_ticket(request.ticket_id)
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RequestStatus.PENDING:
        raise HotlineError(errors.NOT_PENDING)
    before = snapshot(ticket)
    request.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    request.decided_by = actor
    request.decided_at = now
    request.decision_note = (note or "").strip()
    request.save()
    if approve and ticket.status == TicketStatus.HANDLING:
        ticket.handle_due = deadlines.end_of_working_day(ticket.handle_due or now, request.days)
        ticket.extension_days += request.days
        save_ticket(ticket, "handle_due", "extension_days")
    add_event(
        ticket,
        EventKind.EXTENSION_DECIDED,
        actor=actor,
        at=now,
        note=request.decision_note,
        data={"approved": approve, "days": request.days},
    )
    audit(actor, "extension.decided", ticket, before, extra={"approved": approve})
    notify_unit(ticket, request.department_id, f"extension:{request.pk}")
    return request


@transaction.atomic
def reply(*, actor, ticket: Ticket, text: str, version=None, now=None):
    """The unit reports how it handled the matter (办结答复); the centre calls back next."""
    now = now_or(now)
    text = (text or "").strip()
    if not text:
        raise HotlineError(errors.REASON_REQUIRED, "text")
    ticket = lock_ticket(ticket, version)
    check("reply", ticket.status)
    require_holder(actor, ticket)
    before = snapshot(ticket)
    ticket.status = TicketStatus.REPLIED
    ticket.reply = text
    ticket.replied_at = now
    save_ticket(ticket, "status", "reply", "replied_at")
    on_time = int(ticket.handle_due is None or now <= ticket.handle_due)
    count_in_facts(ticket.department_id, now, replied=1, replied_on_time=on_time)
    add_event(
        ticket, EventKind.REPLIED, actor=actor, at=now, before_status=before["status"], note=text
    )
    audit(actor, "ticket.replied", ticket, before)
    notify_requester(ticket, f"replied:{ticket.version}", f"12345: {ticket.number}", text[:60])
    return ticket


@transaction.atomic
def callback(
    *,
    actor,
    ticket: Ticket,
    satisfaction: str,
    resolution: str = "",
    note: str = "",
    reopen: bool | None = None,
    version=None,
    now=None,
):
    """The centre calls the requester back (回访) and records satisfaction and resolution.

    Unsatisfied or unresolved tickets are reopened (续报) to the same unit unless ``reopen`` is
    False; otherwise the ticket closes. 无法回访 closes without rating the unit.
    """
    require_centre(actor)
    now = now_or(now)
    if satisfaction not in Satisfaction.values:
        raise HotlineError(errors.BAD_SATISFACTION, "satisfaction")
    if resolution and resolution not in Resolution.values:
        raise HotlineError(errors.BAD_SATISFACTION, "resolution")
    reachable = satisfaction != Satisfaction.UNREACHABLE
    if reachable and not resolution:
        raise HotlineError(errors.BAD_SATISFACTION, "resolution")
    ticket = lock_ticket(ticket, version)
    check("callback", ticket.status)
    before = snapshot(ticket)
    facts = {}
    if reachable:
        satisfied = satisfaction in (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)
        resolved = resolution in (Resolution.RESOLVED, Resolution.BASICALLY_RESOLVED)
        facts = {
            "rated": 1,
            "satisfied": int(satisfied),
            "resolution_rated": 1,
            "resolved": int(resolved),
        }
        if reopen is None:
            reopen = not (satisfied and resolved)
    count_in_facts(ticket.department_id, now, **facts)
    ticket.satisfaction = satisfaction
    ticket.resolution = resolution if reachable else ""
    ticket.callback_at = now
    add_event(
        ticket,
        EventKind.CALLBACK,
        actor=actor,
        at=now,
        before_status=before["status"],
        note=note,
        data={"satisfaction": satisfaction, "resolution": ticket.resolution},
    )
    if reopen:
        ticket.save(update_fields=["callback_at"])
        _reopen(ticket, actor, now, note or str(Satisfaction(satisfaction).label), before)
        return ticket
    ticket.status = TicketStatus.CLOSED
    ticket.closed_at = now
    save_ticket(ticket, "satisfaction", "resolution", "callback_at", "status", "closed_at")
    add_event(ticket, EventKind.CLOSED, actor=actor, at=now, before_status=before["status"])
    audit(actor, "ticket.callback", ticket, before, extra={"satisfaction": satisfaction})
    tasks.ticket_closed()
    return ticket


@transaction.atomic
def reopen(*, actor, ticket: Ticket, reason: str, version=None, now=None):
    """续报: the requester calls again about a replied or closed ticket; it goes back to the unit."""
    require_centre(actor)
    now = now_or(now)
    if not (reason or "").strip():
        raise HotlineError(errors.REASON_REQUIRED, "reason")
    ticket = lock_ticket(ticket, version)
    check("reopen", ticket.status)
    if ticket.department_id is None:  # answered at intake: dispatch it as a new matter
        raise HotlineError(errors.BAD_DEPARTMENT, "department")
    _reopen(ticket, actor, now, reason.strip(), snapshot(ticket))
    return ticket


def _reopen(ticket: Ticket, actor, now, reason: str, before: dict) -> None:
    department = ticket.department
    ticket.reopen_count += 1
    ticket.satisfaction = ""
    ticket.resolution = ""
    ticket.closed_at = None
    assign(ticket, department, now)
    count_in_facts(department.pk, now, reopened=1)
    save_ticket(
        ticket,
        "reopen_count",
        "satisfaction",
        "resolution",
        "closed_at",
        "department",
        "status",
        "dispatched_at",
        "accepted_at",
        "respond_due",
        "handle_due",
    )
    add_event(
        ticket, EventKind.REOPENED, actor=actor, at=now, before_status=before["status"], note=reason
    )
    audit(actor, "ticket.reopened", ticket, before, extra={"reason": reason})
    notify_unit(ticket, department.pk, f"reopen:{ticket.reopen_count}", _("Reopened: %(number)s"))
