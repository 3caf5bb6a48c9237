"""The platform's roles and what kind of unit each belongs to."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    ENTERPRISE = "enterprise", _("Enterprise")
    WINDOW_CLERK = "window_clerk", _("Window clerk")  # 综合窗口
    DEPT_HANDLER = "dept_handler", _("Department handler")  # 承办人
    DEPT_HEAD = "dept_head", _("Department head")
    HOTLINE_OPERATOR = "hotline_operator", _("Hotline operator")
    HOTLINE_SUPERVISOR = "hotline_supervisor", _("Hotline supervisor")
    COUNTY_LEADER = "county_leader", _("County leader")
    ADMIN = "admin", _("Administrator")


PUBLIC_ROLES = frozenset({Role.CITIZEN, Role.ENTERPRISE})
# Staff who work for one department: they see only that department's work.
DEPARTMENT_ROLES = frozenset(
    {Role.DEPT_HANDLER, Role.DEPT_HEAD, Role.HOTLINE_OPERATOR, Role.HOTLINE_SUPERVISOR}
)
# A unit's own staff: they do its work and receive its notices (the head alone:
# ``UNIT_HEAD_ROLES``). Hotline operators and supervisors belong to the centre's department but
# act for the whole county, so they are not told of a unit's work.
UNIT_ROLES = frozenset({Role.DEPT_HANDLER, Role.DEPT_HEAD})
UNIT_HEAD_ROLES = frozenset({Role.DEPT_HEAD})
# Staff who work at one venue (service hall window).
VENUE_ROLES = frozenset({Role.WINDOW_CLERK})
# Staff with a county-wide view (still audited on every personal-data view).
COUNTY_WIDE_ROLES = frozenset({Role.COUNTY_LEADER, Role.ADMIN})
STAFF_ROLES = DEPARTMENT_ROLES | VENUE_ROLES | COUNTY_WIDE_ROLES
