"""Reporting periods, due dates and the derived status."""

import datetime as dt

import pytest

from banhao.ledger import schedule
from banhao.ledger.models import LedgerTask
from banhao.ledger.states import Status

D = dt.date


@pytest.mark.parametrize(
    ("cycle", "day", "period"),
    [
        ("weekly", D(2026, 11, 26), (D(2026, 11, 23), D(2026, 11, 29))),
        ("weekly", D(2026, 11, 23), (D(2026, 11, 23), D(2026, 11, 29))),
        ("monthly", D(2026, 2, 14), (D(2026, 2, 1), D(2026, 2, 28))),
        ("monthly", D(2024, 2, 29), (D(2024, 2, 1), D(2024, 2, 29))),
    ],
)
def test_period_containing(cycle, day, period):
    assert schedule.period_containing(cycle, day) == period


@pytest.mark.django_db
def test_due_date_is_the_last_working_day_of_the_period():
    assert schedule.due_date(D(2026, 11, 23), D(2026, 11, 29)) == D(2026, 11, 27)  # Friday
    # September 2024 ended on a Monday (30th), a working day.
    assert schedule.due_date(D(2024, 9, 1), D(2024, 9, 30)) == D(2024, 9, 30)
    # The National Day week of 2024 (30 Sep – 6 Oct) had no working day from 1 to 6 October:
    # a week of holidays is due on the next working day, Tuesday 8 October (Sat 12th is a
    # make-up day, but 8 October comes first).
    assert schedule.due_date(D(2024, 10, 1), D(2024, 10, 6)) == D(2024, 10, 8)
    # Sunday 29 September 2024 was a make-up working day, so that week is due that Sunday.
    assert schedule.due_date(D(2024, 9, 23), D(2024, 9, 29)) == D(2024, 9, 29)


@pytest.mark.django_db
def test_first_unreported_due():
    starts = {D(2026, 11, 2), D(2026, 11, 9)}
    assert schedule.first_unreported_due("weekly", D(2026, 11, 4), starts) == D(2026, 11, 20)
    assert schedule.first_unreported_due("none", D(2026, 11, 4), starts) is None


def test_at_risk_from():
    start, deadline = D(2026, 1, 1), D(2026, 12, 31)  # 364 days
    # 0% progress: at risk once 25% of the time has passed (day 91).
    assert schedule.at_risk_from(start, deadline, 0) == D(2026, 4, 2)
    # 80%: the lag rule can no longer trigger; the final week does.
    assert schedule.at_risk_from(start, deadline, 80) == D(2026, 12, 24)
    assert schedule.at_risk_from(start, deadline, 100) is None
    assert schedule.at_risk_from(start, None, 0) is None


@pytest.mark.parametrize(
    ("fields", "today", "expected"),
    [
        ({"stage": "closed"}, D(2027, 1, 1), Status.DONE),
        ({"deadline": D(2026, 6, 30)}, D(2026, 7, 1), Status.OVERDUE),
        ({"deadline": D(2026, 6, 30)}, D(2026, 6, 30), Status.ON_TRACK),
        ({"at_risk_from": D(2026, 5, 1)}, D(2026, 5, 1), Status.AT_RISK),
        ({"next_report_due": D(2026, 5, 1)}, D(2026, 5, 2), Status.AT_RISK),
        ({"next_report_due": D(2026, 5, 1)}, D(2026, 5, 1), Status.ON_TRACK),
        ({}, D(2026, 5, 1), Status.ON_TRACK),
    ],
)
@pytest.mark.django_db
def test_status_in_python_and_in_sql_agree(fields, today, expected):
    from banhao.ledger.tests.factories import task

    obj = task()
    defaults = {"deadline": None, "at_risk_from": None, "next_report_due": None, "stage": "open"}
    values = {**defaults, **fields}
    if values["stage"] == "closed":
        values["closed_at"] = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    LedgerTask.objects.filter(pk=obj.pk).update(**values)
    obj.refresh_from_db()
    assert schedule.status_of(obj, today) == expected
    annotated = LedgerTask.objects.annotate(s=schedule.status_expression(today)).get(pk=obj.pk)
    assert annotated.s == expected
