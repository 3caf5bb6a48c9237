"""Reads for the hotline's pages and API, with the joins each needs."""

from django.db.models import Count, F, Q, QuerySet

from banhao.audit.services import record_personal_data_view
from banhao.core import masking
from banhao.org.models import Region
from banhao.org.selectors import townships

from . import access
from .models import Category, DispatchModel, DutyAssignment, ExtensionRequest, Ruling, Ticket
from .states import TicketStatus


def ticket_queryset() -> QuerySet:
    return Ticket.objects.select_related(
        "category", "town", "department", "suggested_department", "requester"
    )


def category_by_code(code: str) -> Category:
    from .errors import BAD_CATEGORY, HotlineError

    category = Category.objects.filter(code=code, parent__isnull=False, is_active=True).first()
    if category is None:
        raise HotlineError(BAD_CATEGORY, "category")
    return category


def town_by_id(pk: int) -> Region:
    from .errors import BAD_TOWN, HotlineError

    town = townships().filter(pk=pk).first()
    if town is None:
        raise HotlineError(BAD_TOWN, "town")
    return town


def leaf_categories() -> QuerySet:
    return Category.objects.filter(parent__isnull=False, is_active=True).select_related("parent")


def contact_for(user, ticket: Ticket, *, purpose: str = "") -> dict:
    """The requester's contact as this user may see it: full for the requester, the centre and a
    unit with a callback grant (each staff view audited), masked for other staff, nothing for
    anonymous tickets."""
    if ticket.is_anonymous:
        return {"anonymous": True, "name": "", "phone": "", "email": "", "masked": False}
    if access.may_see_contact(user, ticket):
        if user.is_staff_role and (ticket.contact_phone or ticket.contact_email):
            record_personal_data_view(
                actor=user,
                subject_key=f"phone:{ticket.contact_phone}" if ticket.contact_phone else "",
                obj=ticket,
                fields=["contact_name", "contact_phone", "contact_email"],
                purpose=purpose or "hotline ticket",
            )
        return {
            "anonymous": False,
            "name": ticket.contact_name,
            "phone": ticket.contact_phone,
            "email": ticket.contact_email,
            "masked": False,
        }
    email = ticket.contact_email
    return {
        "anonymous": False,
        "name": masking.mask_name(ticket.contact_name),
        "phone": masking.mask_phone(ticket.contact_phone),
        "email": (email[:1] + "***" + email[email.find("@") :]) if "@" in email else "",
        "masked": True,
    }


def centre_queue(status: str | None = None) -> QuerySet:
    qs = ticket_queryset()
    if status:
        return qs.filter(status=status)
    return qs.filter(
        status__in=[TicketStatus.REGISTERED, TicketStatus.RETURNED, TicketStatus.REPLIED]
    )


def unit_queue(user) -> QuerySet:
    return ticket_queryset().filter(
        department_id=user.department_id,
        status__in=[TicketStatus.DISPATCHED, TicketStatus.HANDLING],
    )


def ticket_detail(user, pk) -> Ticket:
    qs = ticket_queryset().select_related("duplicate_of")
    return access.get_ticket_or_404(user, pk, qs)


def timeline(ticket: Ticket):
    return ticket.events.select_related("actor", "department")


def pending_rulings() -> QuerySet:
    return (
        Ruling.objects.filter(status="pending")
        .select_related("ticket", "ticket__category", "ticket__town")
        .prefetch_related("parties")
    )


def pending_extensions() -> QuerySet:
    return ExtensionRequest.objects.filter(status="pending").select_related(
        "ticket", "department", "requested_by"
    )


def overdue(now) -> QuerySet:
    return ticket_queryset().filter(
        Q(status=TicketStatus.HANDLING, handle_due__lt=now)
        | Q(status=TicketStatus.DISPATCHED, respond_due__lt=now)
    )


def supervised(department_id: int | None = None) -> QuerySet:
    qs = ticket_queryset().filter(supervision_level__gt=0).exclude(status=TicketStatus.CLOSED)
    if department_id:
        qs = qs.filter(department_id=department_id)
    return qs.order_by("-supervision_level", "handle_due")


def duty_list() -> QuerySet:
    return DutyAssignment.objects.select_related(
        "category", "category__parent", "town", "department"
    ).order_by("category__sort_order", "town__sort_order")


def dispatch_accuracy() -> dict:
    """How often the suggestion matched the unit that finally handled the ticket, and the
    latest model's holdout accuracy."""
    qs = Ticket.objects.filter(status=TicketStatus.CLOSED, suggested_department__isnull=False)
    counts = qs.aggregate(
        total=Count("id"),
        matched=Count("id", filter=Q(suggested_department=F("department"))),
    )
    latest = DispatchModel.objects.order_by("-id").defer("blob").first()
    return {
        "handled": counts["total"],
        "matched": counts["matched"],
        "rate": counts["matched"] / counts["total"] if counts["total"] else None,
        "model": latest,
    }
