"""Seed regions, departments (with aliases) and venues from ``banhao/org/data/*.json``."""

from pathlib import Path

from banhao.core.seeding import SeedError, Tally, load_json, upsert

from .models import Department, DepartmentAlias, Region, Venue
from .selectors import COUNTY_CODE

DATA_DIR = Path(__file__).parent


def seed_regions(tally: Tally | None = None) -> Region:
    """Shandong → Zibo → Yiyuan → its township units → demo villages. Returns the county.

    Regions with a division code are found by code, the others by (parent, name).
    """

    def walk(node: dict, parent: Region | None, position: int) -> None:
        values = {
            "name_en": node["name_en"],
            "level": node["level"],
            "kind": node["kind"],
            "parent": parent,
            "sort_order": position,
            "is_demo": node.get("is_demo", False),
        }
        if node["code"]:
            lookup = {"code": node["code"]}
            values["name"] = node["name"]
        else:
            lookup = {"parent": parent, "name": node["name"]}
        region = upsert(Region, lookup, values, kind="regions", tally=tally)
        for child_position, child in enumerate(node.get("children", []), start=1):
            walk(child, region, child_position)

    walk(load_json(DATA_DIR, "regions.json"), None, 1)
    return Region.objects.get(code=COUNTY_CODE)


def _regions_by_name() -> dict[str, Region | None]:
    regions: dict[str, Region | None] = {}
    for region in Region.objects.all():
        if region.name in regions:
            regions[region.name] = None  # ambiguous; only an error if the data uses it
        else:
            regions[region.name] = region
    return regions


def _region(regions: dict[str, Region | None], name: str) -> Region:
    region = regions.get(name)
    if region is None:
        raise SeedError(f"Region {name!r} is missing or ambiguous.")
    return region


def seed_departments(tally: Tally | None = None) -> None:
    """Every unit named in the gazette, unique per (level, name), with its other spellings.

    Needs the regions (``seed_regions``) first.
    """
    regions = _regions_by_name()
    rows = load_json(DATA_DIR, "departments.json")
    canonical = {row["name"] for row in rows}
    for position, row in enumerate(rows, start=1):
        parent = None
        if row.get("parent"):
            parent_level, parent_name = row["parent"]
            parent = Department.objects.get(level=parent_level, name=parent_name)
        department = upsert(
            Department,
            {"level": row["level"], "name": row["name"]},
            {
                "name_en": row["name_en"],
                "kind": row["kind"],
                "region": _region(regions, row["region"]),
                "parent": parent,
                "is_placeholder": row.get("is_placeholder", False),
                "sort_order": position,
            },
            kind="departments",
            tally=tally,
        )
        for alias in row.get("aliases", []):
            if alias["name"] in canonical:
                raise SeedError(f"Alias {alias['name']!r} is also a department's own name.")
            upsert(
                DepartmentAlias,
                {"name": alias["name"]},
                {"department": department, "note": alias["note"]},
                kind="department_aliases",
                tally=tally,
            )


def seed_venues(tally: Tally | None = None) -> None:
    """County and enterprise centres, one convenience centre per township, demo stations and
    partner outlets. Address, phone and hours are left to administrators."""
    regions = _regions_by_name()
    for row in load_json(DATA_DIR, "venues.json"):
        operator = None
        if row.get("operator"):
            level, name = row["operator"]
            operator = Department.objects.get(level=level, name=name)
        upsert(
            Venue,
            {"name": row["name"]},
            {
                "name_en": row["name_en"],
                "kind": row["kind"],
                "region": _region(regions, row["region"]),
                "operator": operator,
                "partner": row.get("partner", ""),
                "is_demo": row.get("is_demo", False),
            },
            kind="venues",
            tally=tally,
        )


def seed_org(tally: Tally | None = None) -> Region:
    """Regions, departments and venues, in that order. Returns the county."""
    county = seed_regions(tally)
    seed_departments(tally)
    seed_venues(tally)
    return county
