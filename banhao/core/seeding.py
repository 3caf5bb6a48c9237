"""Loading the data the product ships, transcribed from the county gazette (2024 No. 7).

``run_all()`` loads every app's seed data in one transaction and returns how many rows each kind
now holds. Each app keeps its data in readable JSON under ``banhao/<app>/data/`` and its loader
in ``banhao/<app>/seed.py``; loaders write through ``upsert()``, keyed by natural keys, so
loading twice changes nothing.

Order matters: regions, then departments (which sit in regions), then venues, the catalogue,
the key-task ledger and the payment targets (which refer to departments).

Seeding is the write path for reference data shipped with the product, not a user action, so it
writes no audit records; changes made later by administrators go through the admin. Loading
again brings seeded fields back to the shipped values and leaves other fields (a venue's address,
a department's ``is_active``) alone.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import models, transaction


class SeedError(Exception):
    """The seed data contradicts itself or the database (e.g. an unknown unit name)."""


@dataclass
class Tally:
    """Rows created and updated per kind during one load."""

    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)

    def record(self, kind: str, status: str) -> None:
        if status == "created":
            self.created[kind] += 1
        elif status == "updated":
            self.updated[kind] += 1

    @property
    def changed(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())


def load_json(app_dir: str | Path, name: str) -> Any:
    """``banhao/<app>/data/<name>``, given the app's directory (pass ``Path(__file__).parent``)."""
    with open(Path(app_dir) / "data" / name, encoding="utf-8") as f:
        return json.load(f)


def _differs(obj: models.Model, name: str, value: Any) -> tuple[str, bool]:
    model_field = obj._meta.get_field(name)
    if model_field.many_to_one or model_field.one_to_one:
        new = value.pk if value is not None else None
        return model_field.attname, getattr(obj, model_field.attname) != new
    return name, getattr(obj, name) != value


def upsert(
    model: type[models.Model],
    lookup: dict[str, Any],
    values: dict[str, Any],
    *,
    kind: str,
    tally: Tally | None = None,
) -> models.Model:
    """Create the row found by ``lookup`` or bring ``values`` up to date; save only on change.

    Unlike ``update_or_create`` this writes nothing when the row already matches, so a second
    load is a true no-op and the tally can report exactly what changed.
    """
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**{**values, **lookup})
        status = "created"
    else:
        changed = []
        for name, value in values.items():
            if name in lookup:
                continue
            attname, differs = _differs(obj, name, value)
            if differs:
                setattr(obj, name, value)
                changed.append(attname)
        if changed:
            obj.save(update_fields=changed)
            status = "updated"
        else:
            status = "unchanged"
    if tally is not None:
        tally.record(kind, status)
    return obj


def held_counts() -> dict[str, int]:
    """How many rows of each seeded kind the database holds, in loading order."""
    from banhao.archives.models import LicenceType
    from banhao.catalog.models import OneThing, OneThingItem, ServiceItem
    from banhao.hotline.models import Category, DutyAssignment, SupervisionRule
    from banhao.ledger.models import KeyTask, KeyTaskLeadUnit, KeyTaskMeasure, LedgerTask
    from banhao.org.models import Department, DepartmentAlias, Region, Venue
    from banhao.payments.models import PaymentTarget

    return {
        "regions": Region.objects.count(),
        "departments": Department.objects.count(),
        "department_aliases": DepartmentAlias.objects.count(),
        "venues": Venue.objects.count(),
        "service_items": ServiceItem.objects.count(),
        "onethings": OneThing.objects.count(),
        "onething_items": OneThingItem.objects.count(),
        "key_tasks": KeyTask.objects.count(),
        "key_task_lead_units": KeyTaskLeadUnit.objects.count(),
        "measures": KeyTaskMeasure.objects.count(),
        "payment_targets": PaymentTarget.objects.count(),
        "ledger_tasks": LedgerTask.objects.count(),
        "hotline_categories": Category.objects.count(),
        "hotline_duty_lines": DutyAssignment.objects.count(),
        "hotline_supervision_rules": SupervisionRule.objects.count(),
        "licence_types": LicenceType.objects.count(),
    }


def run_all(stdout: IO[str] | None = None, *, tally: Tally | None = None) -> dict[str, int]:
    """Load all seed data in one transaction; return the rows held per kind.

    With ``stdout``, print one line per kind: rows held, and how many this run created or
    updated. Pass a ``Tally`` to inspect the changes afterwards.
    """
    from banhao.archives.seed import seed_licence_types
    from banhao.catalog.seed import seed_catalog
    from banhao.hotline.seed import seed_hotline
    from banhao.ledger.seed import seed_key_tasks
    from banhao.org.seed import seed_org
    from banhao.payments.seed import seed_payment_targets

    tally = tally if tally is not None else Tally()
    with transaction.atomic():
        seed_org(tally=tally)
        seed_catalog(tally=tally)
        seed_key_tasks(tally=tally)
        seed_payment_targets(tally=tally)
        seed_hotline(tally=tally)
        seed_licence_types(tally=tally)
        counts = held_counts()
    if stdout is not None:
        width = max(len(kind) for kind in counts)
        for kind, count in counts.items():
            stdout.write(
                f"{kind:<{width}}  {count:>4}"
                f"  (created {tally.created[kind]}, updated {tally.updated[kind]})\n"
            )
    return counts
