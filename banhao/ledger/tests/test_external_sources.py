"""Evaluation sources fed by the hotline, one-thing and payment apps' own data."""

import datetime as dt

import pytest
from django.db.models import Count

from banhao.core import registry
from banhao.hotline import indicators as hotline_indicators
from banhao.onething import indicators as onething_indicators
from banhao.org.models import Department
from banhao.payments import indicators as payments_indicators

pytestmark = pytest.mark.django_db
OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))


def test_hotline_rates_come_from_the_hotlines_daily_facts(seeded):
    from banhao.hotline.models import UnitDayFact

    police = Department.objects.get(name="县公安局")
    town = Department.objects.get(name="悦庄镇人民政府")
    for (
        day,
        unit,
        received,
        on_time,
        res_rated,
        resolved,
        rated,
        satisfied,
        replied,
        replied_on_time,
    ) in [
        (dt.date(2026, 10, 3), police, 10, 9, 8, 6, 8, 7, 10, 8),
        (dt.date(2026, 10, 20), police, 10, 10, 2, 2, 2, 1, 10, 10),
        (dt.date(2026, 11, 2), police, 50, 0, 0, 0, 0, 0, 0, 0),  # outside October
        (dt.date(2026, 10, 5), town, 4, 4, 0, 0, 0, 0, 4, 2),
    ]:
        UnitDayFact.objects.create(
            department=unit,
            day=day,
            received=received,
            responded=received,
            responded_on_time=on_time,
            resolution_rated=res_rated,
            resolved=resolved,
            rated=rated,
            satisfied=satisfied,
            replied=replied,
            replied_on_time=replied_on_time,
        )
    ids = [police.pk, town.pk]
    rates = hotline_indicators.hotline_three_rates(ids, *OCT)
    # Police: response 19/20 = 95%, resolution 8/10 = 80%, satisfaction 8/10 = 80% → 85.
    assert rates[police.pk].value == 85.0
    assert (
        rates[police.pk].inputs["received"] == 20
        and rates[police.pk].inputs["resolution_rate"] == 80.0
    )
    # The town has no callbacks yet: only its response rate (100%) counts.
    assert rates[town.pk].value == 100.0
    timely = hotline_indicators.hotline_timeliness(ids, *OCT)
    assert (timely[police.pk].value, timely[police.pk].inputs) == (
        90.0,
        {"replied": 20, "replied_on_time": 18},
    )
    assert timely[town.pk].value == 50.0
    assert (
        registry.indicators.get("hotline.three_rates").compute
        is hotline_indicators.hotline_three_rates
    )


def test_onething_sources_count_the_units_subtasks(seeded):
    from banhao.onething.generator import generate
    from banhao.onething.models import Task

    generate(60, seed=5)
    tasks = Task.objects.exclude(due_date=None)
    first = tasks.order_by("due_date").values_list("due_date", flat=True).first()
    last = tasks.order_by("-due_date").values_list("due_date", flat=True).first()
    ids = list(Department.objects.values_list("id", flat=True))
    completion = onething_indicators.onething_completion(ids, first, last)
    timeliness = onething_indicators.onething_timeliness(ids, first, last)
    assert completion, "the generated applications give some unit sub-tasks due"
    for unit_id, value in completion.items():
        own = Task.objects.filter(department_id=unit_id, due_date__range=(first, last)).exclude(
            state="cancelled"
        )
        decided = own.filter(
            state__in=["approved", "rejected"], finished_at__date__lte=last
        ).count()
        assert value.inputs == {"subtasks_due": own.count(), "decided": decided}
        assert value.value == round(100 * decided / own.count(), 2)
    for value in timeliness.values():
        assert 0 <= value.value <= 100
        assert value.inputs["on_time"] <= value.inputs["decided"]


def test_payment_targets_per_unit(seeded):
    from banhao.payments.generator import load_demo_register
    from banhao.payments.models import PaymentTarget, Place
    from banhao.payments.selectors import covered_q, population_q

    load_demo_register()
    ids = list(Department.objects.values_list("id", flat=True))
    values = payments_indicators.payments_targets(ids, *OCT)
    assert values
    for unit_id, value in values.items():
        population = covered = 0
        for target in PaymentTarget.objects.all():
            agg = Place.objects.filter(population_q(target.rule), department_id=unit_id).aggregate(
                p=Count("id"), c=Count("id", filter=covered_q(target.rule))
            )
            population += agg["p"]
            covered += agg["c"]
        assert (value.inputs["places_in_scope"], value.inputs["places_meeting"]) == (
            population,
            covered,
        )
        assert value.value == round(100 * covered / population, 2)
