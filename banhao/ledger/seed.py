"""Seed Annex 1 (the county's 10 key tasks) from ``banhao/ledger/data/key_tasks.json``, and the
working ledger: Annex 1's tasks, the 17 measures of 源政发〔2024〕1号
(``data/policy_measures.json``) and the main tasks of the payment plan 源政办发〔2024〕7号
(``data/payment_plan_tasks.json``), with their lead and responsible units.

``seed_key_tasks`` loads both (``portal.seeding.run_all`` runs it).
"""

import calendar
import datetime
import re
from pathlib import Path

from banhao.core.seeding import SeedError, Tally, load_json, upsert
from banhao.org.selectors import DepartmentDirectory

from .models import (
    Indicator,
    KeyTask,
    KeyTaskLeadUnit,
    KeyTaskMeasure,
    LedgerMeasure,
    LedgerTask,
    Source,
    TaskUnit,
    UnitRole,
)
from .units import resolve_units, township_governments

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
    seed_ledger(tally=tally)


# --- The working ledger ------------------------------------------------------------------------

SOURCES = [
    {
        "code": "annex1",
        "document": "源政发〔2024〕1号",
        "title": "附件1 沂源县“高效办成一件事”年度重点任务清单",
        "title_en": "Annex 1: Yiyuan County's key tasks of the year",
        "issued_on": datetime.date(2024, 8, 1),
        "position": 1,
    },
    {
        "code": "measures",
        "document": "源政发〔2024〕1号",
        "title": "沂源县深化“高效办成一件事”大力提升行政效能若干措施",
        "title_en": 'Measures to deepen "get one thing done efficiently" (17 measures)',
        "issued_on": datetime.date(2024, 8, 1),
        "position": 2,
    },
    {
        "code": "payment-plan",
        "document": "源政办发〔2024〕7号",
        "title": "沂源县进一步优化支付服务提升支付便利性实施方案 主要任务",
        "title_en": "Plan to optimise payment services: main tasks",
        "issued_on": datetime.date(2024, 8, 31),
        "position": 3,
    },
]


def _seed_task(source, position: int, fields: dict, working: dict, tally) -> "LedgerTask":
    """Seeded (as-written) fields are brought back to the shipped text on every load; working
    fields (deadline, start, cycle) only on creation, so the office's scheduling survives."""
    task = LedgerTask.objects.filter(source=source, position=position).first()
    if task is None:
        task = LedgerTask.objects.create(source=source, position=position, **fields, **working)
        tally.record("ledger_tasks", "created")
        return task
    return upsert(
        LedgerTask,
        {"source": source, "position": position},
        fields,
        kind="ledger_tasks",
        tally=tally,
    )


def _seed_units(task, lead_text: str, responsible_text: str, directory, townships, tally) -> bool:
    """Lead and responsible units from the as-written lists; returns whether any was created.
    Units the office added later are left alone."""
    created = False
    lead = resolve_units(lead_text, directory, townships)
    responsible = resolve_units(responsible_text, directory, townships)
    if lead.unknown or responsible.unknown:
        raise SeedError(f"Unknown units for {task.name}: {lead.unknown + responsible.unknown}")
    lead_ids = set()
    rows = []
    for position, (phrase, dept) in enumerate(lead.units, start=1):
        lead_ids.add(dept.pk)
        rows.append((dept, UnitRole.LEAD, position, phrase))
    position = 0
    for phrase, dept in responsible.units:
        if dept.pk in lead_ids:
            continue  # a lead unit is not listed again as responsible
        position += 1
        rows.append((dept, UnitRole.RESPONSIBLE, position, phrase))
    for dept, role, pos, phrase in rows:
        before = tally.created["ledger_task_units"]
        upsert(
            TaskUnit,
            {"task": task, "department": dept},
            {"role": role, "position": pos, "as_written": phrase},
            kind="ledger_task_units",
            tally=tally,
        )
        created = created or tally.created["ledger_task_units"] > before
    return created


def seed_ledger(tally: Tally | None = None) -> None:
    """The three shipped sources and their ledger tasks, measures and units."""
    from . import schedule

    tally = tally if tally is not None else Tally()
    directory = DepartmentDirectory()
    townships = township_governments()
    sources = {}
    for data in SOURCES:
        sources[data["code"]] = upsert(
            Source,
            {"code": data["code"]},
            {**{k: v for k, v in data.items() if k != "code"}, "is_seeded": True},
            kind="ledger_sources",
            tally=tally,
        )

    def finish(task, units_created: bool, new: bool) -> None:
        if units_created or new:
            schedule.recompute(task)

    # Default indicators: created once; the office's weights are never reset by a reload.
    from .indicators import DEFAULT_INDICATORS

    for position, (code, source_key, name, weight) in enumerate(DEFAULT_INDICATORS, start=1):
        _obj, created = Indicator.objects.get_or_create(
            code=code,
            defaults={"source": source_key, "name": name, "weight": weight, "position": position},
        )
        if created:
            tally.record("ledger_indicators", "created")

    annex1 = sources["annex1"]
    for key_task in KeyTask.objects.prefetch_related("measures").order_by("number"):
        new = not LedgerTask.objects.filter(source=annex1, position=key_task.number).exists()
        task = _seed_task(
            annex1,
            key_task.number,
            {
                "clause": f"附件1（{key_task.number}）",
                "key_task": key_task,
                "category": key_task.category,
                "category_en": key_task.category_en,
                "name": key_task.name,
                "name_en": key_task.name_en,
                "goal": key_task.annual_goal,
                "deadline_as_written": key_task.deadline_as_written,
                "lead_units_as_written": key_task.lead_units_as_written,
                "remarks": key_task.remarks,
            },
            {"deadline": key_task.deadline, "starts_on": annex1.issued_on},
            tally,
        )
        for measure in key_task.measures.all():
            upsert(
                LedgerMeasure,
                {"task": task, "number": measure.number},
                {"is_numbered": measure.is_numbered, "text": measure.text},
                kind="ledger_measures",
                tally=tally,
            )
        units = _seed_units(task, key_task.lead_units_as_written, "", directory, townships, tally)
        finish(task, units, new)

    for code, name in (
        ("measures", "policy_measures.json"),
        ("payment-plan", "payment_plan_tasks.json"),
    ):
        source = sources[code]
        for data in load_json(DATA_DIR, name):
            new = not LedgerTask.objects.filter(source=source, position=data["number"]).exists()
            task = _seed_task(
                source,
                data["number"],
                {
                    "clause": data["clause"],
                    "category": data["category"],
                    "category_en": data["category_en"],
                    "name": data["name"],
                    "name_en": data["name_en"],
                    "goal": data["goal"],
                    "lead_label": data.get("lead_label", "牵头单位"),
                    "lead_units_as_written": data.get("lead_units_as_written", ""),
                    "responsible_units_as_written": data["responsible_units_as_written"],
                },
                # Neither document gives these tasks a deadline; the office sets one.
                {"deadline": None, "starts_on": source.issued_on},
                tally,
            )
            units = _seed_units(
                task,
                data.get("lead_units_as_written", ""),
                data["responsible_units_as_written"],
                directory,
                townships,
                tally,
            )
            finish(task, units, new)
