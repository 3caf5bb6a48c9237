import datetime as dt

from banhao.hotline import evaluation
from banhao.hotline.models import EvaluationSettings, UnitDayFact
from banhao.org.selectors import resolve_department


def facts(dept, day, **counts):
    UnitDayFact.objects.create(department=dept, day=day, **counts)


def test_period_bounds():
    day = dt.date(2026, 2, 18)  # Wednesday
    assert evaluation.period_bounds("week", day) == (dt.date(2026, 2, 16), dt.date(2026, 2, 22))
    assert evaluation.period_bounds("month", day) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert evaluation.period_bounds("year", day) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def test_ranking_formulas_weights_and_order(seeded):
    a = resolve_department("县人力资源社会保障局")
    b = resolve_department("县市场监管局")
    facts(
        a,
        dt.date(2026, 3, 2),
        received=10,
        responded=10,
        responded_on_time=9,
        replied=8,
        replied_on_time=8,
        rated=8,
        satisfied=6,
        resolution_rated=8,
        resolved=7,
    )
    facts(
        a,
        dt.date(2026, 3, 20),
        received=10,
        responded=10,
        responded_on_time=10,
        replied=2,
        replied_on_time=1,
        rated=2,
        satisfied=2,
        resolution_rated=2,
        resolved=2,
    )
    facts(b, dt.date(2026, 3, 5), received=4, responded=4, responded_on_time=4)
    facts(b, dt.date(2026, 4, 1), received=100, rated=100, satisfied=0)  # next month
    rows = evaluation.ranking(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert [r.department for r in rows] == ["县市场监管局", "县人力资源社会保障局"]
    hrss = rows[1]
    assert hrss.counts["received"] == 20
    assert (hrss.response_rate, hrss.resolution_rate, hrss.satisfaction_rate, hrss.timeliness) == (
        0.95,
        0.9,
        0.8,
        0.9,
    )
    # 20×0.95 + 30×0.9 + 30×0.8 + 20×0.9 = 88.0
    assert hrss.score == 88.0
    # only the response rate has data: its weight alone counts
    assert rows[0].score == 100.0 and rows[0].satisfaction_rate is None
    cfg = EvaluationSettings.objects.get(pk=1)
    cfg.weight_response, cfg.weight_resolution, cfg.weight_satisfaction, cfg.weight_timeliness = (
        0,
        0,
        100,
        0,
    )
    cfg.save()
    rows = evaluation.ranking(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert [(r.department, r.score) for r in rows] == [
        ("县人力资源社会保障局", 80.0),
        ("县市场监管局", 0.0),
    ]


def test_interview_flags(seeded):
    a = resolve_department("县人力资源社会保障局")
    b = resolve_department("县市场监管局")
    c = resolve_department("县教育和体育局")
    for month in (2, 3):
        facts(a, dt.date(2026, month, 3), received=10, responded_on_time=10, rated=10, satisfied=9)
        facts(b, dt.date(2026, month, 3), received=10, responded_on_time=2, rated=10, satisfied=7)
    facts(c, dt.date(2026, 3, 3), received=3, rated=3, satisfied=0)  # too few tickets to count
    flags = evaluation.interview_flags(dt.date(2026, 3, 15))
    assert flags == {b.pk: ["satisfaction_below", "last_place"]}
    # last place only one month running is not enough
    assert evaluation.interview_flags(dt.date(2026, 2, 15)) == {b.pk: ["satisfaction_below"]}
