"""Seed the licence types the product ships (``data/licence_types.json``).

Each type names the one-thing row whose approved result is such a licence as ``[bundle number,
position]``; the issuing department is that item's department (or a department named in the
data, for licences issued outside the one-things, like the marriage certificate).
"""

from pathlib import Path

from banhao.catalog.models import OneThing, OneThingItem
from banhao.core.seeding import SeedError, Tally, load_json, upsert
from banhao.org.models import Department

from .licence_types import warm
from .models import LicenceType

DATA_DIR = Path(__file__).parent


def seed_licence_types(tally: Tally | None = None) -> None:
    rows = {
        (row.onething.number, row.position): row.item
        for row in OneThingItem.objects.select_related("onething", "item__department")
    }
    bundles = {o.number: o for o in OneThing.objects.all()}
    for order, data in enumerate(load_json(DATA_DIR, "licence_types.json"), start=1):
        item = None
        if data.get("item"):
            item = rows.get(tuple(data["item"]))
            if item is None:
                raise SeedError(f"Licence type {data['code']}: no one-thing row {data['item']}.")
        department = item.department if item is not None else None
        if data.get("department"):
            department = Department.objects.filter(name=data["department"]).first()
            if department is None:
                raise SeedError(f"Licence type {data['code']}: no department {data['department']}.")
        renewal = None
        if data.get("renewal_onething"):
            renewal = bundles.get(data["renewal_onething"])
            if renewal is None:
                raise SeedError(
                    f"Licence type {data['code']}: no one-thing {data['renewal_onething']}."
                )
        upsert(
            LicenceType,
            {"code": data["code"]},
            {
                "name": data["name"],
                "name_en": data["name_en"],
                "department": department,
                "validity_days": data.get("validity_days"),
                "reminder_offsets": sorted(data.get("reminder_offsets", []), reverse=True),
                "item": item,
                "holder": data["holder"],
                "number_identifies_holder": data.get("number_identifies_holder", False),
                "one_current": data.get("one_current", True),
                "renewal_onething": renewal,
                "renewal_answers": data.get("renewal_answers", {}),
                "number_field": data.get("number_field", ""),
                "sort_order": order,
            },
            kind="licence_types",
            tally=tally,
        )
    warm()
