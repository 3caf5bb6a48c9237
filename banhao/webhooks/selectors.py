"""Every read the webhook pages need."""

from django.db.models import Count, Q, QuerySet

from .models import Attempt, Delivery, Subscriber
from .states import DeliveryState


def subscribers() -> QuerySet[Subscriber]:
    """Subscribers with their deliveries counted by state, for the overview."""
    counts = {
        state: Count("deliveries", filter=Q(deliveries__state=state))
        for state in DeliveryState.values
    }
    return Subscriber.objects.select_related("region", "unit").annotate(**counts).order_by("name")


def delivery_log(subscriber: Subscriber, state: str = "") -> QuerySet[Delivery]:
    """A subscriber's deliveries, newest first, with their events."""
    qs = Delivery.objects.filter(subscriber=subscriber).select_related("event")
    if state in DeliveryState.values:
        qs = qs.filter(state=state)
    return qs.order_by("-id")


def attempts_of(deliveries: list[Delivery]) -> dict[int, list[Attempt]]:
    """The attempts of a page of deliveries, newest first, by delivery id."""
    found: dict[int, list[Attempt]] = {d.pk: [] for d in deliveries}
    for attempt in Attempt.objects.filter(delivery__in=deliveries).order_by("-id"):
        found[attempt.delivery_id].append(attempt)
    return found
