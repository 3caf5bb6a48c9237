"""Reads about accounts other apps need."""

from collections.abc import Collection, Iterable

from django.db.models import QuerySet

from .models import User
from .roles import UNIT_ROLES


def unit_staff(department, roles: Collection[str] = UNIT_ROLES) -> QuerySet[User]:
    """The active staff in ``roles`` (by default handlers and the head) of a unit, given as a
    department, its id, or several ids."""
    if isinstance(department, int) or hasattr(department, "pk"):
        scope = {"department_id": getattr(department, "pk", department)}
    else:
        scope = {"department_id__in": list(_ids(department))}
    return User.objects.filter(role__in=sorted(roles), is_active=True, **scope)


def _ids(departments: Iterable) -> Iterable[int]:
    return (getattr(d, "pk", d) for d in departments)
