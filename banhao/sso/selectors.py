"""Reads the unified login needs: the local account a provider identity maps to."""

from django.db.models import Q

from banhao.accounts.models import User
from banhao.accounts.roles import STAFF_ROLES
from banhao.org.models import Department, Venue

from .models import ProviderLink


def link_for(issuer: str, subject: str) -> ProviderLink | None:
    return (
        ProviderLink.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )


def verified_account(*, role: str, field: str, identifier: str) -> User | None:
    """The account already verified with this identity (e.g. in person at a window)."""
    return (
        User.objects.filter(identity_verified_at__isnull=False, role=role, **{field: identifier})
        .order_by("pk")
        .first()
    )


def staff_account(username: str) -> User | None:
    return User.objects.filter(
        username=username, role__in=sorted(STAFF_ROLES), is_active=True
    ).first()


def unit_named(unit: str, region: str) -> Department | Venue | None:
    """The county's unit the provider names: a department (by its gazette name or an alias
    of it) or a venue, in the region given by division code or name."""
    in_region = Q(region__code=region) | Q(region__name=region)
    department = (
        Department.objects.filter(in_region)
        .filter(Q(name=unit) | Q(aliases__name=unit))
        .order_by("pk")
        .first()
    )
    if department is not None:
        return department
    return Venue.objects.filter(in_region, name=unit).first()
