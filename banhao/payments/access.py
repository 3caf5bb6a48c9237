"""Who may see and change what in the payments register.

A place is kept by its responsible unit (``Place.department``: the bank's county branch for bank
places, else the sector's supervising department) and also by its supervising department.
Department-role staff of either see and change it; county leaders see all and change nothing;
administrators see and change all. Cash-refusal enforcement belongs to the People's Bank office.
"""

from django.db.models import Q, QuerySet

from banhao.accounts.access import unit_q
from banhao.accounts.roles import COUNTY_WIDE_ROLES, DEPARTMENT_ROLES, Role
from banhao.org.models import Department
from banhao.org.selectors import resolve_department

from .models import Place, ProblemReport

# The plan gives cash-refusal enforcement to the People's Bank office (任务 (二)2, (二)4).
ENFORCEMENT_UNIT = "中国人民银行淄博市分行沂源营业管理部"
# Import and export for the province's payment service platform (任务 (五)1).
EXCHANGE_UNITS = (ENFORCEMENT_UNIT, "国家外汇管理局淄博市分局沂源营业管理部")


def place_q(user, prefix: str = "") -> Q:
    """Places (or rows of places, with ``prefix`` = "place__") the user may see as staff."""
    return unit_q(user, department_field=f"{prefix}department", venue_field=None) | unit_q(
        user, department_field=f"{prefix}supervising_department", venue_field=None
    )


def staff_places(user) -> QuerySet[Place]:
    return Place.objects.filter(place_q(user))


def can_edit_place(user, place: Place) -> bool:
    if not user.is_authenticated:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role in DEPARTMENT_ROLES and user.department_id in {
        place.department_id,
        place.supervising_department_id,
    }


def _unit_named(name: str) -> Department | None:
    try:
        return resolve_department(name)
    except Department.DoesNotExist:
        return None


def is_enforcement_staff(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.role == Role.ADMIN:
        return True
    unit = _unit_named(ENFORCEMENT_UNIT)
    return user.role in DEPARTMENT_ROLES and unit is not None and user.department_id == unit.pk


def can_exchange_data(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role not in DEPARTMENT_ROLES:
        return False
    units = [u.pk for u in map(_unit_named, EXCHANGE_UNITS) if u is not None]
    return user.department_id in units


def staff_reports(user) -> QuerySet[ProblemReport]:
    """Reports about places the user keeps; all cash refusals for the enforcement unit."""
    qs = ProblemReport.objects.all()
    if user.is_authenticated and user.role in COUNTY_WIDE_ROLES:
        return qs  # (Q() | x would drop the empty Q and narrow the view to x)
    if is_enforcement_staff(user):
        return qs.filter(place_q(user, "place__") | Q(kind="cash_refused"))
    return qs.filter(place_q(user, "place__"))
