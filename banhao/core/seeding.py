"""Tools for loading the data the product ships, transcribed from the county gazette.

Each app keeps its data in readable JSON under ``banhao/<app>/data/`` and its loader in
``banhao/<app>/seed.py``, registered from its ``AppConfig.ready`` (``core.registry``);
``banhao.portal.seeding.run_all`` runs them in order. Loaders write through ``upsert()``, keyed
by natural keys, so loading twice changes nothing.

Seeding is the write path for reference data shipped with the product, not a user action, so it
writes no audit records; changes made later by administrators go through the admin. Loading
again brings seeded fields back to the shipped values and leaves other fields (a venue's address,
a department's ``is_active``) alone.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models


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
    if isinstance(model_field, models.ForeignKey):  # one-to-one fields are foreign keys too
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
    manager = model._default_manager
    obj = manager.filter(**lookup).first()
    if obj is None:
        obj = manager.create(**{**values, **lookup})
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
