"""Disputes over who is responsible: the three-party ruling (三方联动) by the establishment
office, binding on the unit and (by default) written into the duty list, and the referral of
buck-passing to discipline inspection (县纪委监委)."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from banhao.audit.models import AuditAction
from banhao.audit.services import record
from banhao.org.models import Department

from .. import access, errors
from ..errors import HotlineError
from ..models import DisciplineReferral, DutyAssignment, DutySource, EventKind, Ruling, Ticket
from ..states import RequestStatus, TicketStatus, check
from .common import (
    add_event,
    assign,
    audit,
    check_unit,
    lock_ticket,
    notify_unit,
    now_or,
    require_centre,
    save_ticket,
    snapshot,
)


@transaction.atomic
def request_ruling(*, actor, ticket: Ticket, parties: list[Department], question: str, now=None):
    """三方联动: the centre sends a disputed, returned ticket to the establishment office."""
    require_centre(actor)
    now = now_or(now)
    parties = [p for p in dict.fromkeys(parties) if p is not None]
    if len(parties) < 2:
        raise HotlineError(errors.RULING_PARTIES, "parties")
    if not (question or "").strip():
        raise HotlineError(errors.REASON_REQUIRED, "question")
    ticket = lock_ticket(ticket)
    check("request_ruling", ticket.status)
    before = snapshot(ticket)
    ruling = Ruling.objects.create(
        ticket=ticket, requested_by=actor, requested_at=now, question=question.strip()
    )
    ruling.parties.set(parties)
    ticket.status = TicketStatus.IN_RULING
    save_ticket(ticket, "status")
    add_event(
        ticket,
        EventKind.RULING_REQUESTED,
        actor=actor,
        at=now,
        before_status=before["status"],
        note=question,
        data={"ruling": ruling.pk, "parties": [p.pk for p in parties]},
    )
    audit(actor, "ruling.requested", ticket, before, extra={"ruling": ruling.pk})
    office = Department.objects.filter(name=access.ESTABLISHMENT_OFFICE, level="county").first()
    if office:
        notify_unit(ticket, office.pk, f"ruling:{ruling.pk}", _("Three-party ruling: %(number)s"))
    return ruling


@transaction.atomic
def rule(
    *,
    actor,
    ruling: Ruling,
    department: Department,
    basis: str,
    apply_to_duty_list: bool = True,
    now=None,
):
    """The establishment office decides the responsible unit. Binding: the ticket goes to that
    unit, which may not return it, and (by default) the duty list follows the ruling."""
    if not (access.is_establishment_office(actor) or access.is_supervisor(actor)):
        raise HotlineError(errors.NOT_ESTABLISHMENT_OFFICE)
    check_unit(department)
    if not (basis or "").strip():
        raise HotlineError(errors.REASON_REQUIRED, "basis")
    now = now_or(now)
    ticket = lock_ticket(ruling.ticket_id)
    ruling = Ruling.objects.select_for_update().get(pk=ruling.pk)
    if ruling.status != RequestStatus.PENDING:
        raise HotlineError(errors.NOT_PENDING)
    check("rule", ticket.status)
    before = snapshot(ticket)
    ruling.status = RequestStatus.APPROVED
    ruling.decided_department = department
    ruling.decided_by = actor
    ruling.decided_at = now
    ruling.basis = basis.strip()
    if apply_to_duty_list and ticket.category_id:
        town_line = DutyAssignment.objects.filter(
            category_id=ticket.category_id, town=ticket.town
        ).first()
        town = ticket.town if town_line is not None else None
        line, _created = DutyAssignment.objects.update_or_create(
            category_id=ticket.category_id,
            town=town,
            defaults={
                "department": department,
                "source": DutySource.RULING,
                "basis": f"三方联动 #{ruling.pk}: {ruling.basis}"[:300],
            },
        )
        ruling.applied_to_duty_list = True
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            event_type="hotline.duty.ruled",
            obj=line,
            summary=f"{ticket.category} → {department}",
            after={"department_id": department.pk, "town_id": town.pk if town else None},
        )
    ruling.save()
    assign(ticket, department, now)
    save_ticket(
        ticket, "department", "status", "dispatched_at", "accepted_at", "respond_due", "handle_due"
    )
    add_event(
        ticket,
        EventKind.RULED,
        actor=actor,
        at=now,
        before_status=before["status"],
        note=ruling.basis,
        data={"ruling": ruling.pk, "duty_list": ruling.applied_to_duty_list},
    )
    audit(actor, "ruling.decided", ticket, before, extra={"ruling": ruling.pk})
    notify_unit(ticket, department.pk, f"ruled:{ruling.pk}")
    return ruling


def ticket_record(ticket: Ticket) -> dict:
    """The full record of a ticket as plain data (frozen into referrals and exports)."""
    return {
        "number": ticket.number,
        "type": ticket.ticket_type,
        "category": ticket.category.name if ticket.category_id else "",
        "description": ticket.description,
        "created_at": ticket.created_at.isoformat(),
        "status": ticket.status,
        "department": ticket.department.name if ticket.department_id else "",
        "events": [
            {
                "kind": e.kind,
                "at": e.at.isoformat(),
                "actor": e.actor.username if e.actor_id else "",
                "department": e.department.name if e.department_id else "",
                "note": e.note,
            }
            for e in ticket.events.select_related("actor", "department")
        ],
        "rulings": [
            {
                "question": r.question,
                "decided": r.decided_department.name if r.decided_department_id else "",
                "basis": r.basis,
            }
            for r in ticket.rulings.select_related("decided_department")
        ],
    }


@transaction.atomic
def refer_to_discipline(
    *, actor, ticket: Ticket, departments: list[Department], reason: str, now=None
):
    """Refer buck-passing to 县纪委监委, with the ticket's full record frozen at this moment."""
    if not access.is_supervisor(actor):
        raise HotlineError(errors.NOT_CENTRE)
    if not (reason or "").strip():
        raise HotlineError(errors.REASON_REQUIRED, "reason")
    now = now_or(now)
    ticket = lock_ticket(ticket)
    referral = DisciplineReferral.objects.create(
        ticket=ticket,
        referred_by=actor,
        referred_at=now,
        reason=reason.strip(),
        record=ticket_record(ticket),
    )
    referral.departments.set(departments)
    add_event(
        ticket, EventKind.REFERRED, actor=actor, at=now, note=reason, data={"referral": referral.pk}
    )
    audit(actor, "ticket.referred", ticket, snapshot(ticket), extra={"referral": referral.pk})
    commission = Department.objects.filter(name="县纪委监委", level="county").first()
    if commission:
        notify_unit(ticket, commission.pk, f"referral:{referral.pk}")
    return referral
