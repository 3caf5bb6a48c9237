"""Who may see and act on hotline tickets.

- The citizen complaint centre (hotline operators and supervisors), county leaders and
  administrators see every ticket.
- Unit staff (handlers, heads) see the tickets their unit holds or held; the establishment
  office (县委编办) also sees tickets waiting for its ruling.
- Requesters see their own tickets. Anonymous tickets have no requester.

Ids from requests are looked up through ``get_ticket_or_404``, so other units' tickets answer
404 like missing ones.
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from banhao.accounts.roles import COUNTY_WIDE_ROLES, PUBLIC_ROLES, Role

from .models import ContactGrant, Ticket

CENTRE_ROLES = frozenset({Role.HOTLINE_OPERATOR, Role.HOTLINE_SUPERVISOR})
UNIT_ROLES = frozenset({Role.DEPT_HANDLER, Role.DEPT_HEAD})
ESTABLISHMENT_OFFICE = "县委编办"


def is_centre(user) -> bool:
    return bool(user and user.is_authenticated and user.role in CENTRE_ROLES)


def is_supervisor(user) -> bool:
    return bool(user and user.is_authenticated and user.role == Role.HOTLINE_SUPERVISOR)


def is_leader(user) -> bool:
    return bool(user and user.is_authenticated and user.role in COUNTY_WIDE_ROLES)


def is_unit_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.role in UNIT_ROLES and user.department_id)


def is_establishment_office(user) -> bool:
    return is_unit_staff(user) and user.department.name == ESTABLISHMENT_OFFICE


def sees_everything(user) -> bool:
    return is_centre(user) or is_leader(user)


def ticket_q(user) -> Q:
    nothing = Q(pk__in=[])
    if user is None or not user.is_authenticated:
        return nothing
    if sees_everything(user):
        return Q()
    if is_unit_staff(user):
        q = Q(department_id=user.department_id)
        if is_establishment_office(user):
            q |= Q(rulings__status="pending")
        return q
    if user.role in PUBLIC_ROLES:
        return Q(requester_id=user.pk)
    return nothing


def visible_tickets(user, qs: QuerySet | None = None) -> QuerySet:
    qs = Ticket.objects.all() if qs is None else qs
    q = ticket_q(user)
    if is_establishment_office(user):
        return qs.filter(q).distinct()
    return qs.filter(q)


def get_ticket_or_404(user, pk, qs: QuerySet | None = None) -> Ticket:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    ticket = visible_tickets(user, qs).filter(pk=pk).first()
    if ticket is None:
        raise Http404
    return ticket


def holds(user, ticket: Ticket) -> bool:
    """The user works for the unit holding the ticket."""
    return is_unit_staff(user) and ticket.department_id == user.department_id


def may_see_contact(user, ticket: Ticket, *, now=None) -> bool:
    """Full contact: the requester, the centre, or a unit the centre granted access for a
    callback (until the grant expires). Anonymous tickets have nothing to show."""
    if ticket.is_anonymous or user is None or not user.is_authenticated:
        return False
    if ticket.requester_id == user.pk or is_centre(user):
        return True
    if is_unit_staff(user):
        return ContactGrant.objects.filter(
            ticket=ticket, department_id=user.department_id, expires_at__gt=now or timezone.now()
        ).exists()
    return False
