"""Seed the hotline's matter categories, duty list (权责清单) and default supervision rules.

Data in ``banhao/hotline/data/``. Lines a supervisor edited or a ruling set (source other than
"seed") are left alone on reload, so the shipped list never overwrites a binding decision.
"""

from pathlib import Path

from banhao.core.seeding import SeedError, Tally, load_json, upsert
from banhao.org.models import Department
from banhao.org.selectors import resolve_department, townships

from .models import Category, DutyAssignment, DutySource, EvaluationSettings, SupervisionRule

DATA_DIR = Path(__file__).parent


def _unit(name: str) -> Department:
    try:
        return resolve_department(name, level="county")
    except Department.DoesNotExist as exc:
        raise SeedError(f"Hotline duty list names an unknown unit {name!r}.") from exc


def _town_governments() -> dict:
    """Township region -> its government (南麻街道 -> 南麻街道办事处 …)."""
    govs = {
        d.region_id: d
        for d in Department.objects.filter(
            level="township", kind="government", is_placeholder=False
        )
    }
    missing = [t.name for t in townships() if t.pk not in govs]
    if missing:
        raise SeedError(f"No township government for {', '.join(missing)}.")
    return {t: govs[t.pk] for t in townships()}


def _duty(category, town, department, tally) -> None:
    existing = DutyAssignment.objects.filter(category=category, town=town).first()
    if existing is not None and existing.source != DutySource.SEED:
        return
    upsert(
        DutyAssignment,
        {"category": category, "town": town},
        {"department": department, "source": DutySource.SEED},
        kind="hotline_duty_lines",
        tally=tally,
    )


def seed_hotline(tally: Tally | None = None) -> None:
    data = load_json(DATA_DIR, "categories.json")
    towns = _town_governments()
    position = 0
    for group in data["groups"]:
        position += 1
        parent = upsert(
            Category,
            {"code": group["code"]},
            {
                "name": group["name"],
                "name_en": group["name_en"],
                "parent": None,
                "sort_order": position,
            },
            kind="hotline_categories",
            tally=tally,
        )
        for leaf in group["children"]:
            position += 1
            category = upsert(
                Category,
                {"code": leaf["code"]},
                {
                    "name": leaf["name"],
                    "name_en": leaf["name_en"],
                    "parent": parent,
                    "keywords": leaf["keywords"],
                    "default_type": leaf["type"],
                    "sort_order": position,
                },
                kind="hotline_categories",
                tally=tally,
            )
            _duty(category, None, _unit(leaf["unit"]), tally)
            if leaf.get("town_level"):
                for town, government in towns.items():
                    _duty(category, town, government, tally)
    rules = load_json(DATA_DIR, "rules.json")
    for rule in rules["supervision_rules"]:
        upsert(
            SupervisionRule,
            {"name": rule["name"]},
            {"trigger": rule["trigger"], "threshold": rule["threshold"], "level": rule["level"]},
            kind="hotline_supervision_rules",
            tally=tally,
        )
    EvaluationSettings.objects.get_or_create(pk=1)
