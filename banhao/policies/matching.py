"""Which enterprises meet which policies, computed in the database.

Two ways, measured by ``banhao bench policies``:

* ``per_policy``: one query per policy returning the ids of the enterprises that meet it;
* ``scan``: a single pass over the enterprises with, per group of 62 policies, one integer
  column whose bit i is set (CASE WHEN … THEN 2^i) where policy i holds; decoded with NumPy.

``numpy_reference`` does the same in memory (facts read once, rules vectorised) and serves only
as a reference figure and a cross-check.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.db.models import Count, Max, Min

from banhao.archives.models import Enterprise
from banhao.org import selectors as org_selectors

from . import compiler, rules
from .models import Policy

BITS_PER_COLUMN = 62
DEFAULT_STRATEGY = "scan"
# The scan splits large tables over this many threads (the machine's cores, at most 4).
PARALLEL_WORKERS = min(4, os.cpu_count() or 1)
PARALLEL_MIN_ROWS = 20_000
# Rows fetched per round trip when reading ids and bit columns.
FETCHED_AT_ONCE = 10_000


@dataclass
class CompiledPolicy:
    policy: Policy
    clauses: list[rules.Rule]
    formula: rules.Rule | None
    q: object = None


@dataclass
class Compiled:
    policies: list[CompiledPolicy] = field(default_factory=list)
    # Policies whose rules no longer read (e.g. a township was renamed): id → message.
    broken: dict[int, str] = field(default_factory=dict)


def township_ids() -> dict[str, int]:
    return {t.name: t.pk for t in org_selectors.townships()}


def compile_policy(policy: Policy, as_of: dt.date, towns: dict[str, int]) -> CompiledPolicy:
    """Read a policy's clauses and formula; ``rules.RuleError`` if one does not read."""
    clauses = [rules.parse_condition(c.expression, towns) for c in policy.clauses.all()]
    formula = rules.parse_formula(policy.amount_formula) if policy.amount_formula else None
    # Cheap clauses first: SQL's AND stops at the first false one, so arithmetic is skipped
    # for most rows.
    ordered = sorted(clauses, key=_cost)
    return CompiledPolicy(policy, clauses, formula, compiler.policy_q(ordered, as_of))


def _cost(rule: rules.Rule) -> int:
    return sum(3 if isinstance(n, rules.Arith) else 1 for n in rules.walk(rule.node))


def compile_policies(policies, as_of: dt.date) -> Compiled:
    towns = township_ids()
    result = Compiled()
    for policy in policies:
        try:
            result.policies.append(compile_policy(policy, as_of, towns))
        except rules.RuleError as exc:
            result.broken[policy.pk] = exc.message
    return result


def _ids(queryset) -> np.ndarray:
    ids = queryset.order_by().values_list("pk", flat=True)
    return np.fromiter(ids.iterator(chunk_size=FETCHED_AT_ONCE), dtype=np.int64)


def ids_per_policy(compiled: list[CompiledPolicy]) -> dict[int, np.ndarray]:
    return {cp.policy.pk: _ids(Enterprise.objects.filter(cp.q)) for cp in compiled}


def ids_by_scan(
    compiled: list[CompiledPolicy], *, workers: int | None = None
) -> dict[int, np.ndarray]:
    """One pass over the enterprises. On large tables outside a transaction the id range is
    split over ``workers`` threads, each with its own connection (SQLite and the PostgreSQL
    client both release the GIL while the database works)."""
    if not compiled:
        return {}
    groups = [compiled[i : i + BITS_PER_COLUMN] for i in range(0, len(compiled), BITS_PER_COLUMN)]
    annotations = {
        f"bits{g}": compiler.bits_expression([cp.q for cp in group])
        for g, group in enumerate(groups)
    }
    qs = Enterprise.objects.order_by().annotate(**annotations).values_list("pk", *annotations)
    workers = workers or PARALLEL_WORKERS
    bounds = None
    if workers > 1 and not connection.in_atomic_block:
        low, high, count = (
            Enterprise.objects.order_by()
            .aggregate(low=Min("pk"), high=Max("pk"), n=Count("pk"))
            .values()
        )
        if count and count >= PARALLEL_MIN_ROWS:
            step = (high - low) // workers + 1
            bounds = [(low + i * step, low + (i + 1) * step) for i in range(workers)]
    if bounds is None:
        table = _fetch_table(qs, len(groups))
    else:
        with ThreadPoolExecutor(max_workers=len(bounds)) as pool:
            parts = pool.map(
                lambda b: _fetch_in_thread(qs.filter(pk__gte=b[0], pk__lt=b[1]), len(groups)),
                bounds,
            )
            table = np.concatenate(list(parts))
    ids = table[:, 0]
    result = {}
    for g, group in enumerate(groups):
        column = table[:, g + 1]
        for bit, cp in enumerate(group):
            result[cp.policy.pk] = ids[(column >> bit) & 1 == 1]
    return result


def _fetch_table(qs, groups: int) -> np.ndarray:
    rows = list(qs.iterator(chunk_size=FETCHED_AT_ONCE))
    return np.array(rows, dtype=np.int64).reshape(-1, groups + 1)


def _fetch_in_thread(qs, groups: int) -> np.ndarray:
    try:
        return _fetch_table(qs, groups)
    finally:
        connection.close()  # this thread's own connection


def matching_ids(compiled: list[CompiledPolicy], strategy: str | None = None):
    strategy = strategy or DEFAULT_STRATEGY
    if strategy == "per_policy":
        return ids_per_policy(compiled)
    if strategy == "scan":
        return ids_by_scan(compiled)
    raise ValueError(f"Unknown matching strategy {strategy!r}")


# --- the in-memory reference ----------------------------------------------------------------

_COLUMNS = [f.field for f in rules.FACTS.values()]


def load_fact_arrays(as_of: dt.date) -> dict[str, np.ndarray]:
    """Every enterprise's facts as columns (one query)."""
    rows = list(Enterprise.objects.order_by().values_list("pk", *_COLUMNS))
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in range(len(_COLUMNS) + 1)]
    arrays = {"pk": np.array(columns[0], dtype=np.int64)}
    for name, fact in rules.FACTS.items():
        values = columns[1 + _COLUMNS.index(fact.field)]
        if fact.kind == rules.YEARS:  # compared as dates, like the database does
            arrays["established_ordinal"] = np.array([d.toordinal() for d in values], np.int64)
        elif fact.kind == rules.TEXT and fact.name == "industry":
            arrays[name] = np.array(values, dtype="U1")
        elif fact.kind == rules.TEXT:
            arrays[name] = np.array(values, dtype=np.int64)
        elif fact.kind == rules.BOOL:
            arrays[name] = np.array(values, dtype=bool)
        else:
            arrays[name] = np.array([np.nan if v is None else float(v) for v in values])
    arrays["_as_of"] = as_of
    return arrays


def _np_number(node, a):
    if isinstance(node, rules.Num):
        return float(node.value)
    if isinstance(node, rules.Fact):
        return a[node.fact.name]
    left, right = _np_number(node.left, a), _np_number(node.right, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        if node.op == "*":
            return left * right
        right = np.where(right == 0, np.nan, right)
        return left / right


def _np_years_at_least(k: int, a) -> np.ndarray:
    return a["established_ordinal"] <= rules.shift_years(a["_as_of"], -k).toordinal()


def _np_cmp(op, left, right):
    with np.errstate(invalid="ignore"):
        result = {
            ">": lambda: left > right,
            ">=": lambda: left >= right,
            "<": lambda: left < right,
            "<=": lambda: left <= right,
            "=": lambda: left == right,
            "!=": lambda: left != right,
        }[op]()
    # Undefined values (NaN) are false for every comparison, != included.
    undefined = np.isnan(left) if isinstance(left, np.ndarray) else False
    if isinstance(right, np.ndarray):
        undefined = undefined | np.isnan(right)
    return result & ~undefined


def np_evaluate(node, a) -> np.ndarray:
    n = len(a["pk"])
    if isinstance(node, rules.And):
        out = np.ones(n, bool)
        for item in node.items:
            out &= np_evaluate(item, a)
        return out
    if isinstance(node, rules.Or):
        out = np.zeros(n, bool)
        for item in node.items:
            out |= np_evaluate(item, a)
        return out
    if isinstance(node, rules.Not):
        return ~np_evaluate(node.item, a)
    if isinstance(node, rules.IsTrue):
        return a[node.fact.name] == node.expected
    if isinstance(node, rules.InList):
        return np.isin(a[node.fact.name], list(node.keys)) != node.negated
    if (
        isinstance(node, rules.Compare)
        and isinstance(node.left, rules.Fact)
        and node.left.fact.kind == rules.YEARS
    ):
        x = float(node.right.value)
        op = node.op
        if op == ">=":
            return _np_years_at_least(math.ceil(x), a)
        if op == ">":
            return _np_years_at_least(math.floor(x) + 1, a)
        if op == "<=":
            return ~_np_years_at_least(math.floor(x) + 1, a)
        if op == "<":
            return ~_np_years_at_least(math.ceil(x), a)
        eq = (
            _np_years_at_least(int(x), a) & ~_np_years_at_least(int(x) + 1, a)
            if x == int(x)
            else np.zeros(n, bool)
        )
        return eq if op == "=" else ~eq
    if isinstance(node, rules.Compare):
        return _np_cmp(node.op, _np_number(node.left, a), _np_number(node.right, a))
    if isinstance(node, rules.Between):
        if isinstance(node.subject, rules.Fact) and node.subject.fact.kind == rules.YEARS:
            low = rules.Compare(">=", node.subject, node.low, node.col)
            high = rules.Compare("<=", node.subject, node.high, node.col)
            return np_evaluate(low, a) & np_evaluate(high, a)
        value = _np_number(node.subject, a)
        return _np_cmp(">=", value, float(node.low.value)) & _np_cmp(
            "<=", value, float(node.high.value)
        )
    raise TypeError(node)  # pragma: no cover


def numpy_reference(compiled: list[CompiledPolicy], arrays) -> dict[int, np.ndarray]:
    result = {}
    for cp in compiled:
        mask = np.ones(len(arrays["pk"]), bool)
        for clause in cp.clauses:
            mask &= np_evaluate(clause.node, arrays)
        result[cp.policy.pk] = arrays["pk"][mask]
    return result
