"""Reads of the service catalogue: one-things and their items."""


def public_onethings():
    from .models import OneThing

    return OneThing.objects.select_related("county_lead").order_by("number")
