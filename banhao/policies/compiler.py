"""Compiling checked rules (``rules.py``) to database filters and expressions over Enterprise.

Every comparison compiles to a two-valued filter: where a value cannot be computed (a division
by zero, a missing fiscal year) the comparison is false, and ``not`` of it true — exactly as
``rules.evaluate`` does in Python. Guards make this so: a comparison is ANDed with "denominator
<> 0" for every division and "IS NOT NULL" for nullable facts, and SQL's ``NULL AND FALSE`` is
FALSE. Arithmetic is done in double precision (CAST … AS REAL / double precision), like Python
floats; a fact compared with a number directly is compared exactly, on its own column.

``years_in_operation`` compiles to a comparison of ``established_on`` with a date computed
here (``years >= n`` ⇔ ``established_on <= as_of − n years``), so it can use an index.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from django.db.models import (
    Case,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest, Least, NullIf
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
)

from .rules import (
    YEARS,
    And,
    Arith,
    Between,
    Compare,
    Fact,
    InList,
    IsTrue,
    Not,
    Num,
    Or,
    Rule,
    needs_float,
    shift_years,
)

NOTHING = Q(pk__in=[])
_LOOKUPS = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte", "=": "exact"}
_LOOKUP_CLASSES = {
    ">": GreaterThan,
    ">=": GreaterThanOrEqual,
    "<": LessThan,
    "<=": LessThanOrEqual,
    "=": Exact,
}


def to_q(node, as_of: dt.date) -> Q:
    """A filter on Enterprise that holds exactly where ``rules.evaluate`` is true."""
    if isinstance(node, Rule):
        node = node.node
    if isinstance(node, And):
        q = Q()
        for item in node.items:
            q &= to_q(item, as_of)
        return q
    if isinstance(node, Or):
        first, *rest = node.items
        q = to_q(first, as_of)
        for item in rest:
            q |= to_q(item, as_of)
        return q
    if isinstance(node, Not):
        return ~to_q(node.item, as_of)
    if isinstance(node, IsTrue):
        return Q(**{node.fact.field: node.expected})
    if isinstance(node, InList):
        q = Q(**{f"{node.fact.field}__in": list(node.keys)})
        return ~q if node.negated else q
    if isinstance(node, Compare):
        if isinstance(node.left, Fact) and node.left.fact.kind == YEARS:
            return _years(node.op, node.right.value, as_of)
        return _compare(node.op, node.left, node.right, needs_float(node))
    if isinstance(node, Between):
        if isinstance(node.subject, Fact) and node.subject.fact.kind == YEARS:
            return _years(">=", node.low.value, as_of) & _years("<=", node.high.value, as_of)
        exact = not needs_float(node)
        return _compare(">=", node.subject, node.low, not exact) & _compare(
            "<=", node.subject, node.high, not exact
        )
    raise TypeError(node)  # pragma: no cover


def _years(op: str, value: Decimal, as_of: dt.date) -> Q:
    """``years_in_operation op value`` as a condition on established_on (years are whole)."""

    def at_least(k: int) -> Q:  # years >= k
        return Q(established_on__lte=shift_years(as_of, -k))

    x = float(value)
    if op == ">=":
        return at_least(math.ceil(x))
    if op == ">":
        return at_least(math.floor(x) + 1)
    if op == "<=":
        return ~at_least(math.floor(x) + 1)
    if op == "<":
        return ~at_least(math.ceil(x))
    equal = at_least(int(x)) & ~at_least(int(x) + 1) if x == int(x) else NOTHING
    return equal if op == "=" else ~equal


def _guards(node, guards: list[Q]) -> None:
    """Conditions that are false exactly where ``node`` has no value."""
    if isinstance(node, Fact) and node.fact.nullable:
        guards.append(Q(**{f"{node.fact.field}__isnull": False}))
    if isinstance(node, Arith):
        _guards(node.left, guards)
        _guards(node.right, guards)
        if node.op == "/":
            guards.append(~Q(Exact(float_expression(node.right), Value(0.0))))


def float_expression(node):
    """A double-precision expression for a number node (Cast of columns, NULL on ÷ 0)."""
    if isinstance(node, Num):
        return Value(float(node.value), output_field=FloatField())
    if isinstance(node, Fact):
        return Cast(F(node.fact.field), FloatField())
    left, right = float_expression(node.left), float_expression(node.right)
    if node.op == "+":
        combined = left + right
    elif node.op == "-":
        combined = left - right
    elif node.op == "*":
        combined = left * right
    else:
        combined = left / NullIf(right, Value(0.0))
    return ExpressionWrapper(combined, output_field=FloatField())


def _compare(op: str, left, right, use_float: bool) -> Q:
    guards: list[Q] = []
    _guards(left, guards)
    _guards(right, guards)
    if use_float:
        lookup = _LOOKUP_CLASSES["=" if op == "!=" else op]
        q = Q(lookup(float_expression(left), float_expression(right)))
    else:
        if not isinstance(left, Fact):  # a number on the left: read it from the fact's side
            left, right = right, left
            op = {">": "<", ">=": "<=", "<": ">", "<=": ">="}.get(op, op)
        target = F(right.fact.field) if isinstance(right, Fact) else right.value
        q = Q(**{f"{left.fact.field}__{_LOOKUPS['=' if op == '!=' else op]}": target})
    if op == "!=":
        q = ~q
    for guard in guards:
        q &= guard
    return q


def policy_q(rules: list[Rule], as_of: dt.date) -> Q:
    """All clauses of a policy."""
    q = Q()
    for rule in rules:
        q &= to_q(rule, as_of)
    return q


def amount_expression(formula: Rule | None, fixed: Decimal | None, cap: Decimal | None):
    """An enterprise's benefit in yuan as a database expression (summed by the simulation):
    the fixed amount, or formula × 10,000, not below zero, at most the cap, NULL → 0."""
    if formula is None:
        return Value(float(fixed or 0), output_field=FloatField())
    amount = ExpressionWrapper(
        float_expression(formula.node) * Value(10000.0), output_field=FloatField()
    )
    amount = Greatest(amount, Value(0.0), output_field=FloatField())
    if cap is not None:
        amount = Least(amount, Value(float(cap)), output_field=FloatField())
    return Coalesce(amount, Value(0.0), output_field=FloatField())


def amount_sum(formula: Rule | None, fixed: Decimal | None, cap: Decimal | None):
    return Sum(amount_expression(formula, fixed, cap), output_field=FloatField())


def bits_expression(qs_by_bit: list[Q]):
    """One integer column holding up to 62 conditions, bit i set where condition i holds."""
    total = None
    for bit, q in enumerate(qs_by_bit):
        term = Case(When(q, then=Value(1 << bit)), default=Value(0))
        total = term if total is None else total + term
    return total
