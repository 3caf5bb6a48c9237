"""Working-day arithmetic following China's statutory holidays and make-up workdays.

Statutory schedules come from the chinese-calendar library; WorkdayOverride rows (set by an
administrator) win over it, and cover years the library does not know yet. For such a year
without overrides, weekends alone are used and a warning is logged, since deadlines must still be
computed.
"""

import datetime as dt
import logging
from functools import lru_cache

import chinese_calendar
from django.core.cache import cache

logger = logging.getLogger(__name__)
_OVERRIDES_CACHE_KEY = "core.workday_overrides.v1"


def _overrides() -> dict[dt.date, bool]:
    data = cache.get(_OVERRIDES_CACHE_KEY)
    if data is None:
        from .models import WorkdayOverride

        data = {o.date: o.is_workday for o in WorkdayOverride.objects.all()}
        cache.set(_OVERRIDES_CACHE_KEY, data, 300)
    return data


def invalidate_overrides() -> None:
    cache.delete(_OVERRIDES_CACHE_KEY)


@lru_cache(maxsize=8192)
def _statutory_is_workday(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        logger.warning("No statutory holiday data for %s; using weekends only.", day.year)
        return day.weekday() < 5


def is_working_day(day: dt.date) -> bool:
    override = _overrides().get(day)
    if override is not None:
        return override
    return _statutory_is_workday(day)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (start itself is not counted).

    Deadlines in Chinese administrative law run from the day after acceptance, so a matter
    accepted on a Friday with 1 working day is due on the next working day. ``days=0`` returns
    ``start`` if it is a working day, else the next working day.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    overrides = _overrides()

    def working(day: dt.date) -> bool:
        flag = overrides.get(day)
        return _statutory_is_workday(day) if flag is None else flag

    day = start
    if days == 0:
        while not working(day):
            day += dt.timedelta(days=1)
        return day
    remaining = days
    while remaining:
        day += dt.timedelta(days=1)
        if working(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if end is before)."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
