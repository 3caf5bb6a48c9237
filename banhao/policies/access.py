"""Who may see and change policies and grants.

Staff of the issuing department (handlers and heads) write, activate and close its policies and
decide its grants; administrators may do so for any department; county leaders see everything.
Every staff member who works with enterprises may read active and closed policies (they are
public); drafts stay within their department. Enterprises see their own explanation only.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from banhao.accounts.roles import COUNTY_WIDE_ROLES, UNIT_ROLES, Role

from .models import Grant, Policy
from .states import PolicyState

WRITER_ROLES = UNIT_ROLES
POLICY_STAFF_ROLES = WRITER_ROLES | COUNTY_WIDE_ROLES


def is_policy_staff(user) -> bool:
    return user.is_authenticated and user.role in POLICY_STAFF_ROLES


def can_write(user, department_id: int | None) -> bool:
    """May write policies for ``department_id`` (and approve its grants)."""
    if not user.is_authenticated:
        return False
    if user.role == Role.ADMIN:
        return True
    return (
        user.role in WRITER_ROLES
        and department_id is not None
        and (user.department_id == department_id)
    )


def can_create(user) -> bool:
    return user.is_authenticated and (
        user.role == Role.ADMIN or (user.role in WRITER_ROLES and user.department_id)
    )


def staff_policies(user) -> QuerySet[Policy]:
    qs = Policy.objects.all()
    if not is_policy_staff(user):
        return qs.none()
    if user.role in COUNTY_WIDE_ROLES:
        return qs
    return qs.filter(Q(department_id=user.department_id) | ~Q(state=PolicyState.DRAFT))


def staff_policy_or_404(user, pk: int) -> Policy:
    policy = staff_policies(user).select_related("department").filter(pk=pk).first()
    if policy is None:
        raise Http404
    return policy


def staff_grants(user) -> QuerySet[Grant]:
    qs = Grant.objects.all()
    if not is_policy_staff(user):
        return qs.none()
    if user.role in COUNTY_WIDE_ROLES:
        return qs
    return qs.filter(policy__department_id=user.department_id)


def staff_grant_or_404(user, pk: int) -> Grant:
    grant = (
        staff_grants(user).select_related("policy__department", "enterprise").filter(pk=pk).first()
    )
    if grant is None:
        raise Http404
    return grant
