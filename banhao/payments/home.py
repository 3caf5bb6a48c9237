"""Cards on the role home pages for the payments register."""

from django.utils.translation import gettext_lazy as _

from banhao.accounts.roles import Role
from banhao.core.registry import HomeCard

UNIT_ROLES = frozenset({Role.DEPT_HANDLER, Role.DEPT_HEAD, Role.ADMIN})
OVERSIGHT_ROLES = frozenset({Role.DEPT_HANDLER, Role.DEPT_HEAD, Role.COUNTY_LEADER, Role.ADMIN})


def _open_tasks(user) -> int | None:
    from .selectors import open_task_count

    return open_task_count(user) or None


CARDS = [
    HomeCard(
        title=_("Payment register"),
        description=_("Places, ATMs and what they accept; record updates and inspections."),
        url_name="payments:staff_places",
        roles=UNIT_ROLES | {Role.COUNTY_LEADER},
        order=60,
    ),
    HomeCard(
        title=_("Payment follow-up tasks"),
        description=_("Shortfalls found at places your unit is responsible for."),
        url_name="payments:tasks",
        roles=UNIT_ROLES,
        order=61,
        badge=_open_tasks,
    ),
    HomeCard(
        title=_("Payment targets"),
        description=_("Live coverage of the plan's four targets and who still falls short."),
        url_name="payments:targets",
        roles=OVERSIGHT_ROLES,
        order=62,
    ),
    HomeCard(
        title=_("Where to pay"),
        description=_("Cards, cash, foreign-card ATMs and money exchange near you."),
        url_name="payments:finder",
        roles=frozenset({Role.CITIZEN, Role.ENTERPRISE}),
        order=90,
    ),
]
