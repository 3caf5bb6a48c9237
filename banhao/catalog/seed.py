"""Seed Annex 2 (the 13 one-things and their 85 rows) from ``banhao/catalog/data/onethings.json``.

Department names are kept as written in the gazette (whitespace from line breaks inside table
cells removed) and resolved through ``DepartmentDirectory`` at the level of their column, so a
variant spelling such as 县发展改革委 lands on the canonical 县发展改革局.
"""

from pathlib import Path

from banhao.core.seeding import SeedError, Tally, load_json, upsert
from banhao.org.models import DepartmentLevel
from banhao.org.selectors import DepartmentDirectory

from .models import OneThing, OneThingItem, ServiceItem

DATA_DIR = Path(__file__).parent


def _check_item_names(onethings: list[dict], directory: DepartmentDirectory) -> None:
    """One service item (name + county department) must have one English name."""
    seen: dict[tuple[str, int], str] = {}
    for onething in onethings:
        for row in onething["items"]:
            dept = directory.resolve(row["county_responsible"], DepartmentLevel.COUNTY)
            key = (row["name"], dept.pk)
            if seen.setdefault(key, row["name_en"]) != row["name_en"]:
                raise SeedError(f"Service item {row['name']!r} has two English names.")


def seed_catalog(tally: Tally | None = None) -> None:
    """One-things, their service items and annex rows. Needs the departments first."""
    onethings = load_json(DATA_DIR, "onethings.json")
    directory = DepartmentDirectory()
    _check_item_names(onethings, directory)
    for data in onethings:
        province_lead = directory.resolve(data["province_lead"], DepartmentLevel.PROVINCE)
        city_lead = directory.resolve(data["city_lead"], DepartmentLevel.CITY)
        county_lead = directory.resolve(data["county_lead"], DepartmentLevel.COUNTY)
        onething = upsert(
            OneThing,
            {"number": data["number"]},
            {
                "name": data["name"],
                "name_en": data["name_en"],
                "stage": data["stage"],
                "stage_as_written": data["stage_as_written"],
                "audience": data["audience"],
                "province_lead": province_lead,
                "province_lead_as_written": data["province_lead"],
                "city_lead": city_lead,
                "city_lead_as_written": data["city_lead"],
                "county_lead": county_lead,
                "county_lead_as_written": data["county_lead"],
            },
            kind="onethings",
            tally=tally,
        )
        for position, row in enumerate(data["items"], start=1):
            city = directory.resolve(row["city_responsible"], DepartmentLevel.CITY)
            county = directory.resolve(row["county_responsible"], DepartmentLevel.COUNTY)
            item = upsert(
                ServiceItem,
                {"name": row["name"], "department": county},
                {"name_en": row["name_en"]},
                kind="service_items",
                tally=tally,
            )
            upsert(
                OneThingItem,
                {"onething": onething, "position": position},
                {
                    "item": item,
                    "city_responsible": city,
                    "city_responsible_as_written": row["city_responsible"],
                    "county_responsible": county,
                    "county_responsible_as_written": row["county_responsible"],
                },
                kind="onething_items",
                tally=tally,
            )
