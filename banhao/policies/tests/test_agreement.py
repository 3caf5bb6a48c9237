"""The database filter and the Python evaluation of the same rule agree, on generated data."""

import datetime as dt
import random
from decimal import Decimal

import pytest

from banhao.archives.models import Enterprise
from banhao.policies import compiler, rules
from banhao.testing import township, valid_credit_code, valid_id_number

AS_OF = dt.date(2024, 2, 29)  # a leap day: anniversaries of 29 February fall on the 28th
TOWNS = ["南麻街道", "历山街道", "悦庄镇", "东里镇"]


def _money(rng: random.Random) -> Decimal:
    roll = rng.random()
    if roll < 0.12:
        return Decimal("0")
    if roll < 0.2:
        return Decimal(rng.choice([1, 3, 5, 10, 50, 100, 500]))
    return Decimal(str(round(rng.lognormvariate(3, 1.5), 2)))


def _established(rng: random.Random) -> dt.date:
    if rng.random() < 0.35:  # exactly on or next to an anniversary of AS_OF
        years = rng.randint(0, 12)
        day = rules.shift_years(AS_OF, -years) + dt.timedelta(days=rng.choice([-1, 0, 1]))
        return day
    if rng.random() < 0.05:
        return dt.date(rng.choice([2016, 2020]), 2, 29)
    return AS_OF - dt.timedelta(days=rng.randint(0, 9000))


@pytest.fixture
def enterprises(db):
    rng = random.Random(7)
    towns = [township(name) for name in TOWNS]
    rows = []
    for i in range(300):
        rows.append(
            Enterprise(
                credit_code=valid_credit_code(900000 + i),
                name=f"测试企业{i}",
                legal_representative="张三",
                legal_representative_id=valid_id_number(serial=i),
                industry=rng.choice("ACCCFGHIIM"),
                registered_capital=_money(rng),
                established_on=_established(rng),
                headcount=rng.choice([0, 1, 5, 9, 10, 11, 50, 299, 300, 301, rng.randint(0, 500)]),
                facts_year=rng.choice([None, 2022, 2023, 2023]),
                annual_revenue=_money(rng),
                tax_paid=_money(rng),
                rd_spending=_money(rng),
                is_high_tech=rng.random() < 0.3,
                township=rng.choice(towns),
            )
        )
    Enterprise.objects.bulk_create(rows)
    return list(Enterprise.objects.all())


NUMBER_FACTS = ["registered_capital", "headcount", "annual_revenue", "tax_paid", "rd_spending"]
OPS = [">", ">=", "<", "<=", "=", "!=", "==", "≥", "≤", "≠"]


def _literal(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.25:
        return f"{rng.choice([1, 2, 3, 5, 8, 10, 30])}%"
    if roll < 0.5:
        return str(rng.choice([0, 1, 3, 5, 9, 10, 11, 50, 100, 300]))
    return f"{rng.uniform(0, 200):.2f}"


def _number(rng: random.Random, depth: int = 0) -> str:
    roll = rng.random()
    if depth < 2 and roll < 0.35:
        op = rng.choice(["+", "-", "*", "/", "×", "÷"])
        left, right = _number(rng, depth + 1), _number(rng, depth + 1)
        text = f"{left} {op} {right}"
        return f"({text})" if rng.random() < 0.5 else text
    if roll < 0.85:
        return rng.choice(NUMBER_FACTS + ["facts_year"] * 1)
    return _literal(rng)


def _comparison(rng: random.Random) -> str:
    kind = rng.randrange(9)
    if kind == 0:
        return (
            f"years_in_operation {rng.choice(OPS)} {rng.choice(['0', '1', '3', '5', '2.5', '10'])}"
        )
    if kind == 1:
        low = rng.randint(0, 5)
        return f"years_in_operation between {low} and {low + rng.randint(0, 6)}"
    if kind == 2:
        codes = ", ".join(f'"{c}"' for c in rng.sample("ACFGHIM", rng.randint(1, 3)))
        return f"industry {rng.choice(['in', 'not in'])} [{codes}]"
    if kind == 3:
        towns = ", ".join(f'"{t}"' for t in rng.sample(TOWNS, rng.randint(1, 2)))
        return f"township {rng.choice(['in', 'not in'])} [{towns}]"
    if kind == 4:
        return rng.choice(
            ["is_high_tech", "not is_high_tech", "is_high_tech = false", 'industry != "C"']
        )
    if kind == 5:
        low = rng.choice([0, 1, 9.5, 10, 50])
        return f"{rng.choice(NUMBER_FACTS)} between {low} and {low + rng.choice([0, 1, 290])}"
    if kind == 6:
        return f"rd_spending / annual_revenue {rng.choice(OPS)} {rng.choice(['3%', '0.05', '0'])}"
    if kind == 7:
        return f"{rng.choice(NUMBER_FACTS)} {rng.choice(OPS)} {rng.choice(NUMBER_FACTS)}"
    left = _number(rng)
    while not any(f in left for f in NUMBER_FACTS + ["facts_year"]):
        left = _number(rng)
    return f"{left} {rng.choice(OPS)} {_literal(rng)}"


def _condition(rng: random.Random, depth: int = 0) -> str:
    if depth < 2 and rng.random() < 0.45:
        joiner = rng.choice([" and ", " or "])
        parts = [_condition(rng, depth + 1) for _ in range(rng.randint(2, 3))]
        text = joiner.join(f"({p})" for p in parts)
        return f"not ({text})" if rng.random() < 0.25 else text
    return _comparison(rng)


def test_database_and_python_agree_on_every_operator(enterprises):
    rng = random.Random(2024)
    townships = {t.name: t.pk for t in (township(n) for n in TOWNS)}
    facts = {e.pk: rules.facts_of(e, AS_OF) for e in enterprises}
    partial = 0  # rules that some but not all enterprises meet: the interesting ones
    for _ in range(160):
        text = _condition(rng)
        rule = rules.parse_condition(text, townships)
        in_db = set(
            Enterprise.objects.filter(compiler.to_q(rule, AS_OF)).values_list("pk", flat=True)
        )
        in_python = {pk for pk, f in facts.items() if rules.evaluate(rule.node, f)}
        assert in_db == in_python, (text, sorted(in_db ^ in_python)[:5])
        partial += 0 < len(in_db) < len(facts)
    assert partial > 100


def test_years_in_operation_matches_the_date_filter_on_every_day():
    """years >= k ⇔ established_on <= as_of − k years, for every day around leap years."""
    for as_of in (dt.date(2024, 2, 28), dt.date(2024, 2, 29), dt.date(2024, 3, 1), AS_OF):
        for offset in range(0, 3000, 1):
            start = as_of - dt.timedelta(days=offset)
            years = rules.years_between(start, as_of)
            for k in range(0, 9):
                assert (years >= k) == (start <= rules.shift_years(as_of, -k)), (as_of, start, k)


def test_amount_expression_agrees_with_python(enterprises):
    from django.db.models import FloatField
    from django.db.models.functions import Cast

    formula = rules.parse_formula("rd_spending * 10% + tax_paid / headcount")
    cap = Decimal("50000")
    expected = {e.pk: rules.amount_of(formula, rules.facts_of(e, AS_OF), cap) for e in enterprises}
    rows = Enterprise.objects.annotate(
        amount=Cast(compiler.amount_expression(formula, None, cap), FloatField())
    ).values_list("pk", "amount")
    for pk, amount in rows:
        assert Decimal(str(round(amount, 2))).quantize(Decimal("0.01")) == expected[pk]


@pytest.mark.django_db(transaction=True)
def test_the_scan_split_over_threads_gives_the_same_answer(monkeypatch):
    """Outside a transaction, large tables are scanned by several threads with their own
    connections; the answer is the same as one pass."""
    from banhao.policies import matching
    from banhao.policies.models import Policy

    rng = random.Random(11)
    town = township("南麻街道")
    Enterprise.objects.bulk_create(
        Enterprise(
            credit_code=valid_credit_code(800000 + i),
            name=f"并行{i}",
            legal_representative="李四",
            legal_representative_id=valid_id_number(serial=i),
            industry=rng.choice("CFI"),
            registered_capital=_money(rng),
            established_on=_established(rng),
            headcount=rng.randint(0, 300),
            annual_revenue=_money(rng),
            tax_paid=_money(rng),
            rd_spending=_money(rng),
            township=town,
        )
        for i in range(200)
    )
    policies = []
    for n, text in enumerate(["headcount >= 50", 'industry = "C"', "tax_paid / headcount > 0.1"]):
        rule = rules.parse_condition(text, {"南麻街道": town.pk})
        policies.append(
            matching.CompiledPolicy(Policy(pk=n + 1), [rule], None, compiler.to_q(rule, AS_OF))
        )
    monkeypatch.setattr(matching, "PARALLEL_MIN_ROWS", 10)
    one = matching.ids_by_scan(policies, workers=1)
    split = matching.ids_by_scan(policies, workers=3)
    for pk in one:
        assert sorted(one[pk].tolist()) == sorted(split[pk].tolist())
        assert 0 < len(one[pk]) < 200
