"""The platform's roles and what kind of unit each belongs to."""

from banhao.core.roles import Role

__all__ = ["Role"]


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
