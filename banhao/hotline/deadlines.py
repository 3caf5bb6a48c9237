"""Deadlines by stage, type and urgency, in hours or working days.

Defaults follow Shandong's 12345 hotline work rules as the county applies them (see
docs/adr/0005-hotline.md): a unit accepts or returns a ticket within 2 working days (2 hours if
urgent, 1 hour if critical), handles it within 5 working days (consultations 2; urgent 24 hours,
critical 2 hours), may be granted at most 10 working days' extension in total, and the centre
calls back within 2 working days of the reply. ``DeadlineRule`` rows override any of these; the
most specific rule (type and urgency, then urgency, then type, then neither) wins.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache

from banhao.core.workdays import add_working_days, is_working_day, working_days_between

from .states import DeadlineStage, DeadlineUnit, TicketType, Urgency

H, WD = DeadlineUnit.HOURS, DeadlineUnit.WORKING_DAYS

# (stage, ticket_type or "", urgency or "") -> (amount, unit)
DEFAULTS: dict[tuple[str, str, str], tuple[int, str]] = {
    (DeadlineStage.RESPOND, "", ""): (2, WD),
    (DeadlineStage.RESPOND, "", Urgency.URGENT): (2, H),
    (DeadlineStage.RESPOND, "", Urgency.CRITICAL): (1, H),
    (DeadlineStage.HANDLE, "", ""): (5, WD),
    (DeadlineStage.HANDLE, TicketType.CONSULTATION, ""): (2, WD),
    (DeadlineStage.HANDLE, "", Urgency.URGENT): (24, H),
    (DeadlineStage.HANDLE, "", Urgency.CRITICAL): (2, H),
    (DeadlineStage.EXTENSION, "", ""): (10, WD),
    (DeadlineStage.CALLBACK, "", ""): (2, WD),
}
_CACHE_KEY = "hotline.deadline_rules.v1"


def _configured() -> dict[tuple[str, str, str], tuple[int, str]]:
    rules = cache.get(_CACHE_KEY)
    if rules is None:
        from .models import DeadlineRule

        rules = {
            (r.stage, r.ticket_type, r.urgency): (r.amount, r.unit)
            for r in DeadlineRule.objects.all()
        }
        cache.set(_CACHE_KEY, rules, 300)
    return rules


def invalidate() -> None:
    cache.delete(_CACHE_KEY)


def rule_for(stage: str, ticket_type: str, urgency: str) -> tuple[int, str]:
    configured = _configured()
    for key in (
        (stage, ticket_type, urgency),
        (stage, "", urgency),
        (stage, ticket_type, ""),
        (stage, "", ""),
    ):
        if key in configured:
            return configured[key]
    for key in ((stage, ticket_type, urgency), (stage, "", urgency), (stage, ticket_type, "")):
        if key in DEFAULTS:
            return DEFAULTS[key]
    return DEFAULTS[(stage, "", "")]


def _local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def end_of_working_day(start: dt.datetime, days: int) -> dt.datetime:
    """The end (23:59:59) of the ``days``-th working day after ``start``'s local date."""
    tz = _local_tz()
    day = add_working_days(start.astimezone(tz).date(), days)
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz)


def due(start: dt.datetime, stage: str, ticket_type: str, urgency: str) -> dt.datetime:
    amount, unit = rule_for(stage, ticket_type, urgency)
    if unit == DeadlineUnit.HOURS:
        return start + dt.timedelta(hours=amount)
    return end_of_working_day(start, amount)


def working_days_late(deadline: dt.datetime | None, now: dt.datetime) -> int | None:
    """None if not late; else working days after the deadline's date (0 = late the same day)."""
    if deadline is None or now <= deadline:
        return None
    tz = _local_tz()
    return working_days_between(deadline.astimezone(tz).date(), now.astimezone(tz).date())


def working_days_open(start: dt.datetime, now: dt.datetime) -> int:
    tz = _local_tz()
    return working_days_between(start.astimezone(tz).date(), now.astimezone(tz).date())


__all__ = ["DEFAULTS", "due", "end_of_working_day", "is_working_day", "rule_for"]
