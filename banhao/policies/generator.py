"""Varied policies at volume, for ``banhao bench policies``: 1–5 clauses each, drawn from a
seed, mixing every operator of the rule language (comparisons, between, in / not in, = / !=,
yes/no facts, arithmetic and ratios, years in operation, and / or / not). Created through the
real services and activated; marked demo."""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal

from banhao.org import selectors as org_selectors
from banhao.org.models import Department

from . import services
from .services import ClauseInput

SECTIONS = "ABCCCCDEFFFGHHIIKLMMNOPQR"
DEPARTMENTS = ["县科技局", "县人力资源社会保障局", "县商务局", "县发展改革局", "县财政局"]


def _clause(rng: random.Random, towns: list[str]) -> tuple[str, str]:
    kind = rng.randrange(14)
    if kind == 0:
        codes = ", ".join(f'"{c}"' for c in sorted(set(rng.sample(SECTIONS, rng.randint(1, 4)))))
        return "行业", f"industry {rng.choice(['in', 'in', 'not in'])} [{codes}]"
    if kind == 1:
        picked = ", ".join(f'"{t}"' for t in rng.sample(towns, rng.randint(1, 4)))
        return "所在镇街", f"township {rng.choice(['in', 'not in'])} [{picked}]"
    if kind == 2:
        return (
            "注册资本",
            f"registered_capital {rng.choice(['>=', '>', '<'])} {rng.choice([10, 30, 50, 100, 200, 500, 1000])}",
        )
    if kind == 3:
        low = rng.choice([1, 5, 10, 20])
        return "从业人数", f"headcount between {low} and {low + rng.choice([20, 50, 100, 300])}"
    if kind == 4:
        return (
            "成立年限",
            f"years_in_operation {rng.choice(['>=', '>', '<', '<='])} {rng.choice([1, 2, 3, 5, 8, 10])}",
        )
    if kind == 5:
        low = rng.choice([0, 1, 2, 3])
        return "成立年限", f"years_in_operation between {low} and {low + rng.randint(1, 8)}"
    if kind == 6:
        return (
            "研发投入占比",
            f"rd_spending / annual_revenue >= {rng.choice(['1%', '2%', '3%', '5%'])}",
        )
    if kind == 7:
        return "纳税额", f"tax_paid {rng.choice(['>=', '>'])} {rng.choice([1, 5, 10, 20, 50])}"
    if kind == 8:
        return (
            "营业收入",
            f"annual_revenue {rng.choice(['<', '<=', '>='])} {rng.choice([100, 500, 2000, 5000])}",
        )
    if kind == 9:
        return "人均纳税", f"tax_paid / headcount >= {rng.choice([0.2, 0.5, 1, 2])}"
    if kind == 10:
        return "高新技术企业", rng.choice(
            ["is_high_tech", "not is_high_tech", "is_high_tech = true"]
        )
    if kind == 11:
        return "数据年度", f"facts_year {rng.choice(['>=', '=', '!='])} {rng.choice([2023, 2024])}"
    if kind == 12:
        return (
            "研发或高新",
            f"is_high_tech or (rd_spending >= {rng.choice([5, 20, 50])} and headcount >= 10)",
        )
    return (
        "非大型企业",
        f"not (annual_revenue >= {rng.choice([2000, 5000])} or tax_paid + rd_spending > "
        f"{rng.choice([100, 300])})",
    )


def generate_policies(count: int, *, seed: int | None = None) -> dict:
    """Create and activate ``count`` varied policies; returns counts and seconds."""
    started = time.perf_counter()
    rng = random.Random(seed)
    towns = [t.name for t in org_selectors.townships()]
    departments = list(Department.objects.filter(name__in=DEPARTMENTS, level="county"))
    if not towns or not departments:
        raise ValueError("Load the seed first (`banhao seed`): townships and departments.")
    clauses_total = 0
    for number in range(1, count + 1):
        clauses = [
            ClauseInput(label, rule)
            for label, rule in (_clause(rng, towns) for _ in range(rng.randint(1, 5)))
        ]
        clauses_total += len(clauses)
        exempt = rng.random() < 0.05
        values = {
            "department": rng.choice(departments),
            "title": f"演示政策 {number:03d}",
            "title_en": f"Demo policy {number:03d}",
            "benefit_title": f"演示补助 {number:03d}",
            "valid_from": dt.date(2024, 1, 1),
            "exempt_application": exempt,
            "needs_staff_approval": exempt and rng.random() < 0.67,
            "is_demo": True,
        }
        if rng.random() < 0.5:
            values["amount_fixed"] = Decimal(rng.choice([5000, 10000, 20000, 50000, 100000]))
        else:
            values["amount_formula"] = rng.choice(
                ["rd_spending * 10%", "tax_paid * 5%", "headcount * 0.05", "annual_revenue * 0.5%"]
            )
            values["amount_cap"] = Decimal(rng.choice([50000, 100000, 500000]))
        policy = services.save_draft(actor=None, values=values, clauses=clauses)
        services.activate(actor=None, policy=policy)
    return {
        "policies": count,
        "clauses": clauses_total,
        "seconds": time.perf_counter() - started,
        "seed": seed,
    }
