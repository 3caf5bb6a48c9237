"""Who may see which application and task. Rows outside the caller's reach answer 404."""

from django.db.models import Q, QuerySet
from django.http import Http404

from banhao.accounts.access import get_scoped_or_404, scope_to_unit
from banhao.accounts.roles import COUNTY_WIDE_ROLES, DEPARTMENT_ROLES, PUBLIC_ROLES, VENUE_ROLES

from .models import Application, Task


def applications_q(user) -> Q:
    """Applicants see their own (and what a clerk filed for them); clerks their venue's;
    department staff applications with a task of their department; leaders and admins all."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    if user.role in COUNTY_WIDE_ROLES:
        return Q()
    if user.role in PUBLIC_ROLES:
        return Q(applicant=user) | Q(created_by=user)
    if user.role in VENUE_ROLES and user.venue_id:
        return Q(receiving_venue_id=user.venue_id)
    if user.role in DEPARTMENT_ROLES and user.department_id:
        return Q(
            pk__in=Task.objects.filter(department_id=user.department_id).values("application_id")
        )
    return Q(pk__in=[])


def scoped_applications(qs: QuerySet, user) -> QuerySet:
    return qs.filter(applications_q(user))


def application_or_404(qs: QuerySet, user, pk) -> Application:
    obj = scoped_applications(qs, user).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def scoped_tasks(qs: QuerySet, user) -> QuerySet:
    """Department staff see their department's tasks; clerks the tasks of applications received
    at their venue (跨域通办: both sides see their part)."""
    return scope_to_unit(
        qs,
        user,
        department_field="department",
        venue_field="application__receiving_venue",
        owner_field="application__applicant",
    )


def task_or_404(qs: QuerySet, user, pk) -> Task:
    return get_scoped_or_404(
        qs,
        user,
        pk,
        department_field="department",
        venue_field="application__receiving_venue",
        owner_field="application__applicant",
    )


def is_handler_of(user, task: Task) -> bool:
    return user.role in DEPARTMENT_ROLES and user.department_id == task.department_id
