"""Hotline cards on the role home pages."""

from django.utils.translation import gettext_lazy as _

from banhao.accounts.roles import Role
from banhao.core.registry import HomeCard

from .states import TicketStatus


def _waiting_for_centre(user) -> int | None:
    from .models import Ticket

    return (
        Ticket.objects.filter(
            status__in=[TicketStatus.REGISTERED, TicketStatus.RETURNED, TicketStatus.REPLIED]
        ).count()
        or None
    )


def _unit_open(user) -> int | None:
    from .models import Ticket

    if not user.department_id:
        return None
    return (
        Ticket.objects.filter(
            department_id=user.department_id,
            status__in=[TicketStatus.DISPATCHED, TicketStatus.HANDLING],
        ).count()
        or None
    )


def _unsigned(user) -> int | None:
    from .models import Supervision
    from .states import SupervisionLevel

    return (
        Supervision.objects.filter(
            level=SupervisionLevel.LEADER_SIGNOFF, signed_at__isnull=True
        ).count()
        or None
    )


CENTRE = frozenset({Role.HOTLINE_OPERATOR, Role.HOTLINE_SUPERVISOR})
UNIT = frozenset({Role.DEPT_HANDLER, Role.DEPT_HEAD})
PUBLIC = frozenset({Role.CITIZEN, Role.ENTERPRISE})


CARDS = [
    HomeCard(
        title=_("Take a call"),
        description=_("Register a request or complaint from a caller."),
        url_name="hotline:intake",
        roles=CENTRE,
        order=10,
    ),
    HomeCard(
        title=_("Hotline queue"),
        description=_("Dispatch new and returned tickets; call back after the unit replies."),
        url_name="hotline:queue",
        roles=CENTRE,
        order=11,
        badge=_waiting_for_centre,
    ),
    HomeCard(
        title=_("Supervision"),
        description=_("Overdue tickets, the supervision ladder, extensions and rulings."),
        url_name="hotline:supervision",
        roles=frozenset({Role.HOTLINE_SUPERVISOR}),
        order=12,
    ),
    HomeCard(
        title=_("Duty list"),
        description=_("Which unit handles each matter in each town."),
        url_name="hotline:duty_list",
        roles=frozenset({Role.HOTLINE_SUPERVISOR}),
        order=13,
    ),
    HomeCard(
        title=_("Hotline tickets"),
        description=_("Accept or return, handle and reply within the deadlines."),
        url_name="hotline:unit_queue",
        roles=UNIT,
        order=20,
        badge=_unit_open,
    ),
    HomeCard(
        title=_("Hotline ranking"),
        description=_(
            "Response, resolution and satisfaction rates of every unit; interview flags."
        ),
        url_name="hotline:ranking",
        roles=frozenset({Role.HOTLINE_SUPERVISOR, Role.DEPT_HEAD, Role.COUNTY_LEADER, Role.ADMIN}),
        order=30,
        badge=_unsigned,
    ),
    HomeCard(
        title=_("12345 requests"),
        description=_("Tell the hotline about a problem and follow what happens."),
        url_name="hotline:my_tickets",
        roles=PUBLIC,
        order=40,
    ),
]
