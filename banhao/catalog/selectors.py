"""Reads of the service catalogue: one-things and their items."""

from django.db.models import Prefetch, QuerySet

from .models import OneThing, OneThingItem


def public_onethings() -> QuerySet[OneThing]:
    """All one-things in gazette order, with their county lead (landing page, API list)."""
    return OneThing.objects.select_related("county_lead").order_by("number")


def onething_rows() -> QuerySet[OneThingItem]:
    """Annex rows with their item and responsible units, in position order."""
    return OneThingItem.objects.select_related(
        "item", "city_responsible", "county_responsible"
    ).order_by("position")


def onething_with_items(number: int) -> OneThing | None:
    """One one-thing by its number, its leads and its rows prefetched; None if there is none."""
    return (
        OneThing.objects.select_related("province_lead", "city_lead", "county_lead")
        .prefetch_related(Prefetch("items", queryset=onething_rows()))
        .filter(number=number)
        .first()
    )
