"""The ``seed`` command and ``run_all``: counts, idempotency, repair, one transaction."""

import dataclasses
import io

import pytest
from django.core.management import call_command

from banhao.archives.models import LicenceType
from banhao.catalog.models import OneThing, OneThingItem, ServiceItem
from banhao.core import registry, seeding
from banhao.hotline.models import Category, DutyAssignment, SupervisionRule
from banhao.ledger.models import KeyTask, KeyTaskLeadUnit, KeyTaskMeasure, LedgerTask
from banhao.org.models import Department, DepartmentAlias, Region, Venue
from banhao.payments.models import PaymentTarget
from banhao.portal.seeding import run_all

pytestmark = pytest.mark.django_db

SEEDED_MODELS = [
    Region,
    Department,
    DepartmentAlias,
    Venue,
    ServiceItem,
    OneThing,
    OneThingItem,
    KeyTask,
    KeyTaskLeadUnit,
    KeyTaskMeasure,
    PaymentTarget,
    LedgerTask,
    Category,
    DutyAssignment,
    SupervisionRule,
    LicenceType,
]
EXPECTED = {
    "regions": 40,
    "departments": 92,
    "department_aliases": 9,
    "venues": 32,
    "service_items": 83,
    "onethings": 13,
    "onething_items": 85,
    "key_tasks": 10,
    "key_task_lead_units": 15,
    "measures": 26,
    "ledger_tasks": 43,
    "payment_targets": 4,
    "hotline_categories": 42,
    "hotline_duty_lines": 60,
    "hotline_supervision_rules": 7,
    "licence_types": 14,
}


def snapshot() -> dict[str, list[dict]]:
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in SEEDED_MODELS}


def test_command_prints_counts_per_kind(db):
    out = io.StringIO()
    call_command("seed", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == len(EXPECTED)
    for line, (kind, count) in zip(lines, EXPECTED.items(), strict=True):
        assert line.split() == [kind, str(count), "(created", f"{count},", "updated", "0)"]


def test_loading_twice_changes_nothing(db):
    first = run_all()
    assert first == EXPECTED
    before = snapshot()
    tally = seeding.Tally()
    out = io.StringIO()
    second = run_all(stdout=out, tally=tally)
    assert second == first
    assert tally.changed == 0
    assert snapshot() == before
    assert all(line.endswith("(created 0, updated 0)") for line in out.getvalue().splitlines())


def test_loading_again_repairs_edited_rows(db):
    run_all()
    OneThing.objects.filter(number=9).update(name_en="edited")
    row = OneThingItem.objects.get(onething__number=6, position=18)
    OneThingItem.objects.filter(pk=row.pk).update(county_responsible_as_written="edited")
    DepartmentAlias.objects.filter(name="市发展改革会").delete()
    KeyTaskLeadUnit.objects.filter(key_task__number=2, position=2).delete()

    tally = seeding.Tally()
    run_all(tally=tally)

    assert dict(tally.updated) == {"onethings": 1, "onething_items": 1}
    assert dict(tally.created) == {"department_aliases": 1, "key_task_lead_units": 1}
    assert OneThing.objects.get(number=9).name_en == "Birth of a child"
    row.refresh_from_db()
    assert row.county_responsible_as_written == "县信息通信发展办事处"
    assert DepartmentAlias.objects.get(name="市发展改革会").department.name == "市发展改革委"


def test_everything_or_nothing(db):
    def broken(tally=None):
        raise seeding.SeedError("broken on purpose")

    loader = registry.seed_loaders.get("payments")
    registry.seed_loaders.register(dataclasses.replace(loader, load=broken))
    try:
        with pytest.raises(seeding.SeedError):
            run_all()
    finally:
        registry.seed_loaders.register(loader)
    assert not Region.objects.exists()
    assert not OneThing.objects.exists()
