"""The generator builds a ledger exactly as the services would derive it."""

import pytest
from django.utils import timezone

from banhao.ledger import schedule
from banhao.ledger.generator import generate
from banhao.ledger.models import LedgerTask, ProgressReport, TaskUnit

pytestmark = pytest.mark.django_db


def test_generated_ledger_is_consistent_and_repeatable(seeded):
    result = generate(tasks=60, reports=900, seed=7)
    assert (result["tasks"], result["reports"]) == (60, 900)
    tasks = list(LedgerTask.objects.filter(source__code="generated-7"))
    assert len(tasks) == 60
    assert ProgressReport.objects.count() == 900
    assert not ProgressReport.objects.filter(submitted_at__date__gt=timezone.localdate()).exists()
    # Recomputing through the services' own function changes nothing.
    before = {t.pk: (t.progress, t.next_report_due, t.at_risk_from) for t in tasks}
    units_before = dict(
        TaskUnit.objects.filter(task__in=tasks).values_list("pk", "next_report_due")
    )
    for task in tasks:
        assert schedule.recompute(task) == []
    assert {t.pk: (t.progress, t.next_report_due, t.at_risk_from) for t in tasks} == before
    assert (
        dict(TaskUnit.objects.filter(task__in=tasks).values_list("pk", "next_report_due"))
        == units_before
    )
    names = list(
        LedgerTask.objects.filter(source__code="generated-7")
        .order_by("position")
        .values_list("name", flat=True)
    )
    LedgerTask.objects.filter(source__code="generated-7").delete()
    generate(tasks=60, reports=900, seed=7)
    again = list(
        LedgerTask.objects.filter(source__code="generated-7")
        .order_by("position")
        .values_list("name", flat=True)
    )
    assert again == names
