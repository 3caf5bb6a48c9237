"""Comprehensive evaluation: scores from the ledger's own data, weights, ranks, traceability."""

import datetime as dt
import types
from decimal import Decimal

import pytest
from django.utils import timezone

from banhao.accounts.roles import Role
from banhao.audit.models import AuditRecord
from banhao.ledger import evaluation, indicators, services
from banhao.ledger.errors import LedgerError
from banhao.ledger.models import Evaluation, EvaluationScore, Indicator
from banhao.ledger.tests.factories import office, task, unit_staff
from banhao.testing import department

pytestmark = pytest.mark.django_db
OCT = dt.date(2026, 10, 1)


@pytest.fixture
def clock(monkeypatch):
    """Run the ledger services at a chosen moment (Asia/Shanghai)."""

    def set_to(day: dt.date, hour: int = 10):
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
        fake = types.SimpleNamespace(now=lambda: moment, localdate=lambda *a: day)
        monkeypatch.setattr(services, "timezone", fake)

    return set_to


@pytest.fixture
def indicator_rows(db):
    for position, (code, source, name, weight) in enumerate(indicators.DEFAULT_INDICATORS, start=1):
        Indicator.objects.create(
            code=code, source=source, name=name, weight=weight, position=position
        )


def scenario(clock):
    """October 2026: the approval bureau closes its task on time and reports weekly on time;
    the police bureau misses its deadline and reports late once."""
    approval, police = unit_staff(role=Role.DEPT_HEAD), unit_staff("县公安局", Role.DEPT_HEAD)
    office_handler, office_head = office(Role.DEPT_HANDLER), office()
    a = task(
        "甲",
        leads=("县行政审批服务局",),
        deadline=dt.date(2026, 10, 20),
        starts_on=dt.date(2026, 9, 1),
    )
    b = task(
        "乙", leads=("县公安局",), deadline=dt.date(2026, 10, 25), starts_on=dt.date(2026, 9, 1)
    )
    clock(dt.date(2026, 9, 30))
    for t in (a, b):
        services.set_schedule(
            actor=office_handler,
            task_id=t.pk,
            cycle="weekly",
            cycle_starts_on=dt.date(2026, 10, 5),
            deadline=t.deadline,
            starts_on=t.starts_on,
        )
    # Week 5–11 Oct is due Friday 9 Oct (Sat 10 Oct 2026 is no make-up day); 12–18 Oct on 16 Oct.
    clock(dt.date(2026, 10, 9))
    services.file_report(actor=approval, task_id=a.pk, text="一", percent=50)
    services.file_report(actor=police, task_id=b.pk, text="一", percent=30)
    clock(dt.date(2026, 10, 16))
    services.file_report(actor=approval, task_id=a.pk, text="二", percent=100)
    clock(dt.date(2026, 10, 19))
    services.file_report(
        actor=police,
        task_id=b.pk,
        text="二（迟报）",
        percent=40,
        period_start=dt.date(2026, 10, 12),
    )
    services.propose_closure(actor=approval, task_id=a.pk, summary="完成", files=[_pdf()])
    services.sign_off(actor=office_head, task_id=a.pk)
    return office_head


def _pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("a.pdf", b"%PDF", content_type="application/pdf")


def test_ledger_indicators_for_a_month(clock):
    scenario(clock)
    ids = [department("县行政审批服务局").pk, department("县公安局").pk]
    start, end = OCT, dt.date(2026, 10, 31)
    completion = indicators.ledger_completion(ids, start, end)
    assert {k: (v.value, v.inputs) for k, v in completion.items()} == {
        ids[0]: (100.0, {"tasks_due": 1, "closed_on_time": 1}),
        ids[1]: (0.0, {"tasks_due": 1, "closed_on_time": 0}),
    }
    timely = indicators.ledger_report_timeliness(ids, start, end)
    # Approval: due 9 and 16 Oct, then closed on 19 Oct: 2 due, 2 on time. Police: due 9, 16,
    # 23 and 30 Oct (its task stays open): 4 due, 1 on time.
    assert {k: (v.value, v.inputs) for k, v in timely.items()} == {
        ids[0]: (100.0, {"reports_due": 2, "reports_on_time": 2}),
        ids[1]: (25.0, {"reports_due": 4, "reports_on_time": 1}),
    }


def test_scores_ranks_and_their_inputs(clock, indicator_rows):
    head = scenario(clock)
    ev = evaluation.evaluate(actor=head, period_kind="month", period_start=dt.date(2026, 10, 15))
    assert (ev.period_start, ev.period_end) == (OCT, dt.date(2026, 10, 31))
    scores = list(
        EvaluationScore.objects.filter(evaluation=ev).select_related("unit").order_by("rank")
    )
    # Only the two ledger indicators have data: weights 30 and 20 count as 60% and 40%.
    assert [(s.unit.name, s.score, s.rank) for s in scores] == [
        ("县行政审批服务局", Decimal("100.00"), 1),
        ("县公安局", Decimal("10.00"), 2),  # 0 × 0.6 + 25 × 0.4
    ]
    police = scores[1].breakdown
    assert [(r["code"], r["value"], r.get("contribution"), r["note"]) for r in police] == [
        ("ledger-completion", 0.0, "0.00", ""),
        ("ledger-reports", 25.0, "10.00", ""),
        # The other apps' sources are there, but these units have no tickets, applications
        # or payment places in October: nothing is due, so those weights drop out.
        ("hotline-three-rates", None, None, "nothing due"),
        ("hotline-timeliness", None, None, "nothing due"),
        ("onething-completion", None, None, "nothing due"),
        ("onething-timeliness", None, None, "nothing due"),
        ("payments-targets", None, None, "nothing due"),
    ]
    assert police[1]["inputs"] == {"reports_due": 4, "reports_on_time": 1}
    assert police[1]["effective_weight"] == "40.00"
    assert [i["code"] for i in ev.indicators][:2] == ["ledger-completion", "ledger-reports"]
    assert AuditRecord.objects.filter(event_type="ledger.evaluated").count() == 1


def test_weights_change_the_score_and_recomputing_replaces_it(clock, indicator_rows):
    head = scenario(clock)
    evaluation.evaluate(actor=head, period_kind="month", period_start=OCT)
    evaluation.set_weights(
        actor=head,
        weights={"ledger-completion": "10", "ledger-reports": "30"},
        active={"ledger-completion": True},
    )
    ev = evaluation.evaluate(actor=head, period_kind="month", period_start=OCT)
    assert Evaluation.objects.count() == 1
    police = EvaluationScore.objects.get(evaluation=ev, unit__name="县公安局")
    assert police.score == Decimal("18.75")  # 0 × 0.25 + 25 × 0.75
    record = AuditRecord.objects.get(event_type="ledger.indicator_weights_set")
    assert record.before == {
        "ledger-completion": ["30.00", True],
        "ledger-reports": ["20.00", True],
    }


@pytest.mark.parametrize("weight", ["-1", "abc", "101", "1.234"])
def test_bad_weights_are_refused(indicator_rows, weight):
    with pytest.raises(LedgerError) as exc:
        evaluation.set_weights(actor=office(), weights={"ledger-completion": weight}, active={})
    assert (exc.value.code, exc.value.field) == ("weights_invalid", "ledger-completion")
    assert Indicator.objects.get(code="ledger-completion").weight == Decimal("30.00")


def test_equal_scores_share_a_rank(clock, indicator_rows):
    head = office()
    for unit in ("县行政审批服务局", "县公安局", "县商务局"):
        task(unit, leads=(unit,), deadline=dt.date(2026, 10, 20))
    ev = evaluation.evaluate(actor=head, period_kind="month", period_start=OCT)
    assert sorted(EvaluationScore.objects.filter(evaluation=ev).values_list("rank", "score")) == [
        (1, Decimal("0.00")),
        (1, Decimal("0.00")),
        (1, Decimal("0.00")),
    ]


def test_only_the_office_computes(indicator_rows):
    with pytest.raises(LedgerError) as exc:
        evaluation.evaluate(actor=unit_staff(), period_kind="month", period_start=OCT)
    assert exc.value.code == "office_only"
    assert not Evaluation.objects.exists()


@pytest.mark.django_db
def test_every_installed_app_registers_its_sources_and_an_unknown_one_has_no_data():
    states = {s["key"]: s["available"] for s in evaluation.source_states()}
    assert states == dict.fromkeys(
        [
            "ledger.completion",
            "ledger.report_timeliness",
            "hotline.three_rates",
            "hotline.timeliness",
            "onething.completion",
            "onething.timeliness",
            "onething.materials_from_records",
            "payments.targets",
        ],
        True,
    )
    gone = Indicator(code="gone", source="gone.source", name="gone", weight=Decimal(1))
    used, breakdowns = evaluation.compute(OCT, OCT, [gone])
    assert used[0]["available"] is False
    for rows in breakdowns.values():
        assert rows[0]["note"] == "no data source yet"


def test_evaluation_pages(client, clock, indicator_rows):
    head = scenario(clock)
    ev = evaluation.evaluate(actor=head, period_kind="month", period_start=OCT)
    police = department("县公安局")
    client.force_login(head)
    body = client.get(f"/ledger/evaluation/?id={ev.pk}").content.decode()
    assert "县行政审批服务局" in body and "100.00" in body
    detail = client.get(f"/ledger/evaluation/{ev.pk}/units/{police.pk}/").content.decode()
    assert "reports_on_time" in detail and "10.00" in detail
    client.force_login(unit_staff("县公安局"))
    assert client.get("/ledger/evaluation/").status_code == 403
