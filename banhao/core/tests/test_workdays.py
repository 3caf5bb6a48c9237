"""Working-day arithmetic on real 2024 and 2025 holiday schedules (State Council notices)."""

import datetime as dt

import pytest

from banhao.core.models import WorkdayOverride
from banhao.core.workdays import (
    add_working_days,
    invalidate_overrides,
    is_working_day,
    working_days_between,
)

D = dt.date
pytestmark = pytest.mark.django_db


def test_spring_festival_2024():
    # Holiday 10–17 Feb 2024; Sunday 4 Feb and Sunday 18 Feb were make-up working days.
    assert is_working_day(D(2024, 2, 4))
    assert all(not is_working_day(D(2024, 2, d)) for d in range(10, 18))
    assert is_working_day(D(2024, 2, 18))
    # Accepted Friday 9 Feb (a working day) with 1 working day: due on make-up Sunday 18 Feb.
    assert add_working_days(D(2024, 2, 9), 1) == D(2024, 2, 18)
    # 5 working days from Thursday 8 Feb: 9, 18, 19, 20, 21 Feb.
    assert add_working_days(D(2024, 2, 8), 5) == D(2024, 2, 21)


def test_national_day_2024_with_make_up_days():
    # Holiday 1–7 Oct 2024; Sunday 29 Sep and Saturday 12 Oct were working days.
    assert is_working_day(D(2024, 9, 29))
    assert not is_working_day(D(2024, 9, 28))  # ordinary Saturday
    assert all(not is_working_day(D(2024, 10, d)) for d in range(1, 8))
    assert is_working_day(D(2024, 10, 12))
    # From Friday 27 Sep: 29 Sep, 30 Sep, 8, 9, 10, 11, 12 Oct.
    assert add_working_days(D(2024, 9, 27), 7) == D(2024, 10, 12)
    assert add_working_days(D(2024, 9, 30), 1) == D(2024, 10, 8)


def test_2025_holidays():
    # Spring Festival 2025: 28 Jan–4 Feb off; Sunday 26 Jan and Saturday 8 Feb worked.
    assert is_working_day(D(2025, 1, 26))
    assert not is_working_day(D(2025, 1, 28))
    assert not is_working_day(D(2025, 2, 4))
    assert is_working_day(D(2025, 2, 8))
    assert add_working_days(D(2025, 1, 27), 1) == D(2025, 2, 5)
    # National Day 2025: 1–8 Oct off; Sunday 28 Sep and Saturday 11 Oct worked.
    assert is_working_day(D(2025, 9, 28))
    assert not is_working_day(D(2025, 10, 8))
    assert is_working_day(D(2025, 10, 11))
    assert add_working_days(D(2025, 9, 30), 2) == D(2025, 10, 10)


def test_zero_days_and_counting_back():
    assert add_working_days(D(2024, 10, 1), 0) == D(2024, 10, 8)
    assert add_working_days(D(2024, 10, 8), 0) == D(2024, 10, 8)
    assert working_days_between(D(2024, 9, 27), D(2024, 10, 12)) == 7
    assert working_days_between(D(2024, 10, 12), D(2024, 9, 27)) == -7
    with pytest.raises(ValueError):
        add_working_days(D(2024, 1, 1), -1)


@pytest.mark.django_db
def test_override_wins_and_covers_unknown_years():
    # 2027 is not in the library yet: weekends only, until the county records its schedule.
    assert is_working_day(D(2027, 1, 1))  # a Friday
    WorkdayOverride.objects.create(date=D(2027, 1, 1), is_workday=False, name="元旦")
    WorkdayOverride.objects.create(date=D(2027, 1, 2), is_workday=True, name="调休上班")
    invalidate_overrides()
    try:
        assert not is_working_day(D(2027, 1, 1))
        assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 2)
    finally:
        WorkdayOverride.objects.all().delete()
        invalidate_overrides()
