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
    seed_bundle_definitions(tally)


# --- bundle definitions: how each one-thing is applied for (issue 3) ------------------------

PROFILE_KEYS = (
    "legal_days",
    "committed_days",
    "fee_yuan",
    "fee_note",
    "steps",
    "visits",
    "result_label",
    "result_label_en",
    "result_pattern",
    "result_example",
)


def _refs(entries: list, key: str) -> list[tuple[str, bool]]:
    """``"code"`` or ``{"code": ..., "required": false}`` → (code, required)."""
    return [
        (entry, True) if isinstance(entry, str) else (entry[key], entry.get("required", True))
        for entry in entries
    ]


def _bundle_files() -> list[dict]:
    folder = DATA_DIR / "data" / "bundles"
    return [load_json(DATA_DIR, f"bundles/{path.name}") for path in sorted(folder.glob("*.json"))]


def _check_profiles(bundles: list[dict], rows: dict[tuple[int, int], OneThingItem]) -> None:
    """A service item shared by two bundles must be described the same way in both."""
    seen: dict[int, tuple] = {}
    for bundle in bundles:
        for data in bundle["items"]:
            row = rows[(bundle["number"], data["position"])]
            if row.item.name != data["name"]:
                raise SeedError(
                    f"Bundle {bundle['number']} row {data['position']} is {row.item.name!r} in "
                    f"the gazette, not {data['name']!r}."
                )
            shape = (
                tuple(str(data.get(k, "")) for k in PROFILE_KEYS),
                tuple(_refs(data["fields"], "key")),
                tuple(_refs(data["materials"], "code")),
            )
            if seen.setdefault(row.item_id, shape) != shape:
                raise SeedError(f"Service item {data['name']!r} is described differently twice.")


def seed_bundle_definitions(tally: Tally | None = None) -> None:
    """Fields, materials, item profiles, questionnaires and rules from ``data/bundles/*.json``;
    then each bundle's definition is published (a new version only when it changed)."""
    from decimal import Decimal

    from .models import (
        FormField,
        ItemField,
        ItemMaterial,
        ItemRule,
        Material,
        Question,
        ServiceItemProfile,
    )
    from .services import publish_bundle

    fields = {
        key: upsert(
            FormField,
            {"key": key},
            {
                "label": d["label"],
                "label_en": d["label_en"],
                "kind": d["kind"],
                "choices": d.get("choices", []),
                "help": d.get("help", ""),
                "help_en": d.get("help_en", ""),
            },
            kind="form_fields",
            tally=tally,
        )
        for key, d in load_json(DATA_DIR, "fields.json").items()
    }
    materials = {
        code: upsert(
            Material,
            {"code": code},
            {
                "name": d["name"],
                "name_en": d["name_en"],
                "file_types": d["file_types"],
                "max_size_mb": d["max_size_mb"],
                "note": d.get("note", ""),
                "note_en": d.get("note_en", ""),
                "record_kind": d.get("record", {}).get("kind", ""),
                "record_holder": d.get("record", {}).get("holder", ""),
                "licence_type": d.get("record", {}).get("licence_type", ""),
                "holder_field": d.get("record", {}).get("holder_field", ""),
            },
            kind="materials",
            tally=tally,
        )
        for code, d in load_json(DATA_DIR, "materials.json").items()
    }
    bundles = _bundle_files()
    rows = {
        (row.onething.number, row.position): row
        for row in OneThingItem.objects.select_related("onething", "item")
    }
    _check_profiles(bundles, rows)
    for bundle in bundles:
        onething = OneThing.objects.get(number=bundle["number"])
        for position, q in enumerate(bundle["questions"], start=1):
            upsert(
                Question,
                {"onething": onething, "key": q["key"]},
                {
                    "position": position,
                    "text": q["text"],
                    "text_en": q["text_en"],
                    "kind": q["kind"],
                    "choices": q.get("choices", []),
                    "help": q.get("help", ""),
                    "help_en": q.get("help_en", ""),
                },
                kind="questions",
                tally=tally,
            )
        for data in bundle["items"]:
            row = rows[(bundle["number"], data["position"])]
            values = {k: data.get(k, "") for k in PROFILE_KEYS}
            values["fee_yuan"] = Decimal(values["fee_yuan"] or "0")
            upsert(
                ServiceItemProfile, {"item": row.item}, values, kind="item_profiles", tally=tally
            )
            for position, (key, required) in enumerate(_refs(data["fields"], "key"), start=1):
                if key not in fields:
                    raise SeedError(f"Unknown form field {key!r} in bundle {bundle['number']}.")
                upsert(
                    ItemField,
                    {"item": row.item, "field": fields[key]},
                    {"required": required, "position": position},
                    kind="item_fields",
                    tally=tally,
                )
            for position, (code, required) in enumerate(_refs(data["materials"], "code"), 1):
                if code not in materials:
                    raise SeedError(f"Unknown material {code!r} in bundle {bundle['number']}.")
                upsert(
                    ItemMaterial,
                    {"item": row.item, "material": materials[code]},
                    {"required": required, "position": position},
                    kind="item_materials",
                    tally=tally,
                )
            upsert(
                ItemRule,
                {"row": row},
                {
                    "condition": data.get("condition", {}),
                    "condition_text": data.get("condition_text", ""),
                    "condition_text_en": data.get("condition_text_en", ""),
                    "depends_on": data.get("depends_on", []),
                    "waits_for": data.get("waits_for", []),
                    "department_question": data.get("department_question", ""),
                    "replaces_materials": data.get("replaces_materials", []),
                },
                kind="item_rules",
                tally=tally,
            )
        before = onething.versions.count()
        publish_bundle(onething)
        if tally is not None and onething.versions.count() != before:
            tally.record("bundle_versions", "created")
