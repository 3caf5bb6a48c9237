"""What the payments write families share."""

import datetime

from django.utils import timezone

from ..models import Place


def today() -> datetime.date:
    return timezone.localdate()


def lock_place(place_id: int) -> Place:
    return Place.objects.select_for_update().get(pk=place_id)
