"""Every row of Annex 2, parsed from the gazette text itself, against the seeded database."""

import pytest

from banhao.catalog.models import OneThing, OneThingItem
from banhao.org.selectors import resolve_department

from .gazette import annex2_rows, gazette_text

pytestmark = pytest.mark.django_db


def test_annex2_parses_to_13_onethings_and_85_rows():
    rows = annex2_rows(gazette_text())
    assert len(rows) == 85
    assert sorted({row["number"] for row in rows}) == list(range(1, 14))


def test_every_annex2_row_is_seeded_as_written(seeded):
    rows = annex2_rows(gazette_text())
    seeded_rows = list(
        OneThingItem.objects.select_related(
            "onething", "item", "city_responsible", "county_responsible"
        ).order_by("onething__number", "position")
    )
    assert len(seeded_rows) == len(rows)
    for source, row in zip(rows, seeded_rows, strict=True):
        where = f"one-thing {source['number']}, item {source['item']}"
        assert row.onething.number == source["number"], where
        assert row.onething.name == source["onething"], where
        assert row.item.name == source["item"], where
        assert row.city_responsible_as_written == source["city_responsible"], where
        assert row.county_responsible_as_written == source["county_responsible"], where
        # The spelling as written resolves to the department the row points at.
        assert resolve_department(source["city_responsible"], "city") == row.city_responsible
        assert resolve_department(source["county_responsible"], "county") == (
            row.county_responsible
        )
        assert row.item.department == row.county_responsible, where


def test_every_onething_header_is_seeded_as_written(seeded):
    headers = {row["number"]: row for row in annex2_rows(gazette_text())}
    for onething in OneThing.objects.select_related("province_lead", "city_lead", "county_lead"):
        source = headers[onething.number]
        assert onething.name == source["onething"]
        assert onething.stage_as_written == source["stage"]
        assert onething.audience == source["audience"]
        assert onething.province_lead_as_written == source["province_lead"]
        assert onething.city_lead_as_written == source["city_lead"]
        assert onething.county_lead_as_written == source["county_lead"]
        assert resolve_department(source["province_lead"], "province") == onething.province_lead
        assert resolve_department(source["city_lead"], "city") == onething.city_lead
        assert resolve_department(source["county_lead"], "county") == onething.county_lead
