"""Ledger test data: units, office staff and tasks."""

import datetime as dt

from banhao.accounts.roles import Role
from banhao.ledger import schedule
from banhao.ledger.models import LedgerTask, Source, TaskUnit
from banhao.testing import department, make_user

OFFICE = "县政府办公室"


def source(code: str = "test") -> Source:
    obj, _ = Source.objects.get_or_create(
        code=code, defaults={"document": "源政发〔2024〕1号", "title": "测试台账"}
    )
    return obj


def task(
    name: str = "推进线下办事“只进一门”",
    *,
    leads=("县行政审批服务局",),
    responsible=(),
    deadline: dt.date | None = None,
    starts_on: dt.date = dt.date(2026, 1, 1),
    src: Source | None = None,
) -> LedgerTask:
    src = src or source()
    position = LedgerTask.objects.filter(source=src).count() + 1
    obj = LedgerTask.objects.create(
        source=src,
        position=position,
        category="推进政务服务提质增效",
        name=name,
        goal="目标",
        deadline=deadline,
        starts_on=starts_on,
        lead_units_as_written=" ".join(leads),
        responsible_units_as_written="、".join(responsible),
    )
    for role, names in (("lead", leads), ("responsible", responsible)):
        for pos, unit in enumerate(names, start=1):
            TaskUnit.objects.create(
                task=obj, department=department(unit), role=role, position=pos, as_written=unit
            )
    schedule.recompute(obj)
    return obj


def office(role: str = Role.DEPT_HEAD):
    return make_user(role, department=department(OFFICE))


def unit_staff(unit: str = "县行政审批服务局", role: str = Role.DEPT_HANDLER):
    return make_user(role, department=department(unit))
