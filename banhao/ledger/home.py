"""The ledger's cards on role home pages."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from banhao.accounts.roles import COUNTY_WIDE_ROLES, UNIT_ROLES
from banhao.core.registry import HomeCard


def _late_for_unit(user) -> int | None:
    from .models import TaskUnit

    if not user.department_id:
        return None
    n = (
        TaskUnit.objects.filter(
            department_id=user.department_id, next_report_due__lt=timezone.localdate()
        )
        .exclude(task__stage="closed")
        .count()
    )
    return n or None


CARDS = [
    HomeCard(
        title=_("My unit's key tasks"),
        description=_("What your unit owes on the key-task ledger, and when."),
        url_name="ledger:mine",
        roles=UNIT_ROLES,
        order=40,
        badge=_late_for_unit,
    ),
    HomeCard(
        title=_("Key-task dashboard"),
        description=_("Tasks by status and unit, overdue tasks, evaluation ranking and trends."),
        url_name="ledger:dashboard",
        roles=COUNTY_WIDE_ROLES,
        order=10,
    ),
    HomeCard(
        title=_("Key-task ledger"),
        description=_("Every task with its source, measures, deadline, units and progress."),
        url_name="ledger:index",
        roles=COUNTY_WIDE_ROLES | UNIT_ROLES,
        order=41,
    ),
    HomeCard(
        title=_("Comprehensive evaluation"),
        description=_("Each unit's score and rank per period, traceable to its inputs."),
        url_name="ledger:evaluation",
        roles=COUNTY_WIDE_ROLES,
        order=11,
    ),
]
