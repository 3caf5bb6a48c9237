"""Seed Annex 1 (the county's 10 key tasks) from ``banhao/ledger/data/key_tasks.json``."""

import calendar
import datetime
import re
from pathlib import Path

from banhao.core.seeding import SeedError, Tally, load_json, upsert
from banhao.org.selectors import DepartmentDirectory

from .models import KeyTask, KeyTaskLeadUnit, KeyTaskMeasure

DATA_DIR = Path(__file__).parent
_YEAR_MONTH = re.compile(r"^(\d{4})年(\d{1,2})月$")


def deadline_from_text(text: str) -> datetime.date:
    """ "2024年9月" → 2024-09-30: a month deadline falls on the month's last day."""
    match = _YEAR_MONTH.match(text.strip())
    if match is None:
        raise SeedError(f"Unrecognised deadline {text!r}.")
    year, month = int(match.group(1)), int(match.group(2))
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def seed_key_tasks(tally: Tally | None = None) -> None:
    """Key tasks, their lead units (in order, as written) and their measures."""
    directory = DepartmentDirectory()
    for data in load_json(DATA_DIR, "key_tasks.json"):
        task = upsert(
            KeyTask,
            {"number": data["number"]},
            {
                "category": data["category"],
                "category_en": data["category_en"],
                "name": data["name"],
                "name_en": data["name_en"],
                "annual_goal": data["annual_goal"],
                "annual_goal_en": data["annual_goal_en"],
                "deadline": deadline_from_text(data["deadline_as_written"]),
                "deadline_as_written": data["deadline_as_written"],
                "lead_units_as_written": data["lead_units_as_written"],
                "remarks": data["remarks"],
            },
            kind="key_tasks",
            tally=tally,
        )
        # The lead-unit cell lists units separated by spaces.
        names = data["lead_units_as_written"].split()
        for position, name in enumerate(names, start=1):
            upsert(
                KeyTaskLeadUnit,
                {"key_task": task, "position": position},
                {"department": directory.resolve(name), "as_written": name},
                kind="key_task_lead_units",
                tally=tally,
            )
        KeyTaskLeadUnit.objects.filter(key_task=task, position__gt=len(names)).delete()
        for measure in data["measures"]:
            upsert(
                KeyTaskMeasure,
                {"key_task": task, "number": measure["number"]},
                {
                    "is_numbered": measure["is_numbered"],
                    "text": measure["text"],
                    "text_en": measure["text_en"],
                },
                kind="measures",
                tally=tally,
            )
