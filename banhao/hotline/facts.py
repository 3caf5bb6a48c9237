"""Rebuilding the per-unit daily facts (UnitDayFact) from the tickets with a few GROUP BYs."""

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncDate

from .models import Ticket, UnitDayFact
from .states import Resolution, Satisfaction

FIELDS = [f.name for f in UnitDayFact._meta.fields if f.name not in ("id", "department", "day")]


def _grouped(date_field: str, start, end, **aggregates):
    tz = ZoneInfo(settings.TIME_ZONE)
    qs = Ticket.objects.filter(department__isnull=False, **{f"{date_field}__isnull": False})
    if start:
        qs = qs.filter(**{f"{date_field}__gte": dt.datetime.combine(start, dt.time(), tz)})
    if end:
        qs = qs.filter(
            **{f"{date_field}__lt": dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tz)}
        )
    return (
        qs.annotate(day=TruncDate(date_field, tzinfo=tz))
        .values("department_id", "day")
        .annotate(**aggregates)
        .order_by()
    )


def _count_if(q: Q):
    return Coalesce(Sum(Value(1), filter=q, output_field=IntegerField()), 0)


@transaction.atomic
def rebuild(*, start: dt.date | None = None, end: dt.date | None = None) -> int:
    counts: dict[tuple[int, dt.date], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(FIELDS, 0)
    )
    satisfied = [Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED]
    rated = [*satisfied, Satisfaction.UNSATISFIED]
    resolved = [Resolution.RESOLVED, Resolution.BASICALLY_RESOLVED]
    passes = [
        ("dispatched_at", {"received": Count("id"), "reopened": Coalesce(Sum("reopen_count"), 0)}),
        (
            "accepted_at",
            {
                "responded": Count("id"),
                "responded_on_time": _count_if(Q(accepted_at__lte=F("respond_due"))),
            },
        ),
        (
            "replied_at",
            {
                "replied": Count("id"),
                "replied_on_time": _count_if(Q(replied_at__lte=F("handle_due"))),
            },
        ),
        (
            "callback_at",
            {
                "rated": _count_if(Q(satisfaction__in=rated)),
                "satisfied": _count_if(Q(satisfaction__in=satisfied)),
                "resolution_rated": _count_if(~Q(resolution="")),
                "resolved": _count_if(Q(resolution__in=resolved)),
            },
        ),
    ]
    for date_field, aggregates in passes:
        for row in _grouped(date_field, start, end, **aggregates):
            key = (row["department_id"], row["day"])
            for name in aggregates:
                counts[key][name] += row[name] or 0
    stale = UnitDayFact.objects.all()
    if start:
        stale = stale.filter(day__gte=start)
    if end:
        stale = stale.filter(day__lte=end)
    stale.delete()
    UnitDayFact.objects.bulk_create(
        [UnitDayFact(department_id=d, day=day, **values) for (d, day), values in counts.items()],
        batch_size=2000,
    )
    return len(counts)
