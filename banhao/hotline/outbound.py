"""What the hotline tells department systems (outbound webhooks, docs/adr/0017): the ticket's
ids, status, deadlines, unit and links, never the requester's name, phone or the text of the
matter. Called inside the services' transactions."""

import datetime as dt

from django.urls import reverse

from banhao.webhooks.services import emit, link
from banhao.webhooks.states import EventType

from .models import Ticket


def _ticket(ticket: Ticket, **extra) -> dict:
    return {
        "ticket": {
            "id": ticket.pk,
            "number": ticket.number,
            "status": ticket.status,
            "type": ticket.ticket_type,
            "urgency": ticket.urgency,
            "category_id": ticket.category_id,
            "town_id": ticket.town_id,
            "supervision_level": ticket.supervision_level,
            "dispatched_at": ticket.dispatched_at,
            "respond_due": ticket.respond_due,
            "handle_due": ticket.handle_due,
        },
        "links": {"ticket": link(reverse("hotline:ticket", args=[ticket.pk]))},
        **extra,
    }


def dispatched(ticket: Ticket, department) -> None:
    emit(
        EventType.TICKET_DISPATCHED,
        region_id=department.region_id,
        unit_id=department.pk,
        subject=f"hotline.ticket:{ticket.pk}",
        payload=_ticket(ticket, reopen_count=ticket.reopen_count),
    )


def due_key(ticket_id: int, stage: str, deadline: dt.datetime) -> str:
    """One "ticket due" event per ticket, stage and deadline: an extension (a new deadline)
    gives a new event, running the job again does not."""
    return f"hotline.ticket_due:{ticket_id}:{stage}:{deadline.timestamp():.0f}"


def due(ticket: Ticket, stage: str, deadline: dt.datetime) -> bool:
    """Report that ``deadline`` passed; False if it was reported already."""
    return (
        emit(
            EventType.TICKET_DUE,
            region_id=None,  # the fan-out takes the unit's region
            unit_id=ticket.department_id,
            subject=f"hotline.ticket:{ticket.pk}",
            payload=_ticket(ticket, stage=stage, deadline=deadline),
            key=due_key(ticket.pk, stage, deadline),
        )
        is not None
    )
