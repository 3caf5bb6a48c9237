"""Row-level scoping: staff see only their own unit's work.

Every queryset of unit-owned work that a staff page or API returns goes through
``scope_to_unit``. County-wide roles (leaders, administrators) see all; department staff see
rows whose department is theirs; window clerks rows whose venue is theirs; the public only rows
they own.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from .roles import COUNTY_WIDE_ROLES, DEPARTMENT_ROLES, PUBLIC_ROLES, VENUE_ROLES


def unit_q(
    user,
    *,
    department_field: str | None = "department",
    venue_field: str | None = "venue",
    owner_field: str | None = None,
) -> Q:
    """The filter that limits rows to what ``user`` may see. Q(pk__in=[]) means nothing."""
    nothing = Q(pk__in=[])
    if user is None or not user.is_authenticated:
        return nothing
    if user.role in COUNTY_WIDE_ROLES:
        return Q()
    if user.role in DEPARTMENT_ROLES and department_field and user.department_id:
        return Q(**{f"{department_field}_id": user.department_id})
    if user.role in VENUE_ROLES and venue_field and user.venue_id:
        return Q(**{f"{venue_field}_id": user.venue_id})
    if user.role in PUBLIC_ROLES and owner_field:
        return Q(**{f"{owner_field}_id": user.pk})
    return nothing


def scope_to_unit(qs: QuerySet, user, **fields) -> QuerySet:
    return qs.filter(unit_q(user, **fields))


def get_scoped_or_404(qs: QuerySet, user, pk, **fields):
    """Look up one row the user may see. Rows of other units answer 404 like missing ones, so
    ids cannot be probed across units."""
    obj = scope_to_unit(qs, user, **fields).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj
