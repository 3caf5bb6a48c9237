"""Reads of enterprise policies: explanations, lists, simulation, grants."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.db.models import Count, Q
from django.utils import timezone

from banhao.accounts.identity import holder_key
from banhao.accounts.roles import Role
from banhao.archives.models import Benefit, Enterprise, Industry
from banhao.org import selectors as org_selectors

from . import access, compiler, matching, rules
from .models import Grant, Policy, PolicyMatch
from .states import GrantState, PolicyState


@lru_cache(maxsize=4096)
def _condition(text: str, towns: tuple) -> rules.Rule:
    return rules.parse_condition(text, dict(towns))


@lru_cache(maxsize=1024)
def _formula(text: str) -> rules.Rule:
    return rules.parse_formula(text)


def enterprise_of(user) -> Enterprise | None:
    """The archive of an enterprise account (by its unified social credit code), once the
    account's identity is verified: a typed (public) credit code opens no grants."""
    key = holder_key(user)
    if not key or user.role != Role.ENTERPRISE:
        return None
    return Enterprise.objects.select_related("township").filter(credit_code=key).first()


def enterprise_by_code(code: str) -> Enterprise | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    return Enterprise.objects.select_related("township").filter(credit_code=code).first()


@dataclass
class ClauseView:
    label: str
    holds: bool
    details: list[rules.Detail]
    expression: str


@dataclass
class PolicyView:
    policy: Policy
    qualifies: bool
    clauses: list[ClauseView] = field(default_factory=list)
    amount: Decimal | None = None
    match: PolicyMatch | None = None
    grant: Grant | None = None
    broken: str = ""

    @property
    def failed(self) -> list[ClauseView]:
        return [c for c in self.clauses if not c.holds]


def explain(enterprise: Enterprise, as_of: dt.date | None = None) -> list[PolicyView]:
    """Every live policy for one enterprise: whether it qualifies, clause by clause with its
    actual values, the amount it would receive, and its stored match and grant. Qualifying
    policies first."""
    from banhao.core.i18n import localized

    as_of = as_of or timezone.localdate()
    towns = tuple((t.name, t.pk) for t in org_selectors.townships())
    names = {pk: name for name, pk in towns}
    facts = rules.facts_of(enterprise, as_of)
    policies = list(
        Policy.objects.filter(state=PolicyState.ACTIVE, valid_from__lte=as_of)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=as_of))
        .select_related("department")
        .prefetch_related("clauses")
        .order_by("-valid_from", "pk")
    )
    matches = {m.policy_id: m for m in PolicyMatch.objects.filter(enterprise=enterprise)}
    grants = {
        g.policy_id: g
        for g in Grant.objects.filter(enterprise=enterprise).select_related("benefit")
    }
    views = []
    for policy in policies:
        view = PolicyView(
            policy, qualifies=True, match=matches.get(policy.pk), grant=grants.get(policy.pk)
        )
        try:
            for clause in policy.clauses.all():
                rule = _condition(clause.expression, towns)
                details = rules.explain(rule.node, facts, township_names=names)
                holds = rules.evaluate(rule.node, facts)
                view.clauses.append(
                    ClauseView(localized(clause, "label"), holds, details, clause.expression)
                )
                view.qualifies &= holds
            if policy.amount_formula:
                view.amount = rules.amount_of(
                    _formula(policy.amount_formula), facts, policy.amount_cap
                )
            else:
                view.amount = policy.amount_fixed
        except rules.RuleError as exc:
            view.qualifies, view.broken = False, exc.message
        views.append(view)
    views.sort(key=lambda v: not v.qualifies)
    return views


def benefits_of(enterprise: Enterprise):
    return Benefit.objects.filter(enterprise=enterprise).select_related("granted_by")


def matched_count(user) -> int | None:
    """How many live policies the account's enterprise is matched with (home card badge)."""
    key = holder_key(user)
    if not key or user.role != Role.ENTERPRISE:
        return None
    return PolicyMatch.objects.filter(
        enterprise__credit_code=key,
        lapsed_at__isnull=True,
        policy__state=PolicyState.ACTIVE,
    ).count()


# --- staff -----------------------------------------------------------------------------------


def staff_policy_list(user, *, state: str = ""):
    qs = access.staff_policies(user).select_related("department")
    if state:
        qs = qs.filter(state=state)
    return qs.annotate(
        eligible=Count("matches", filter=Q(matches__lapsed_at__isnull=True), distinct=True),
        pending=Count("grants", filter=Q(grants__state=GrantState.PENDING_APPROVAL), distinct=True),
    ).order_by("state", "-valid_from", "-pk")


def policy_figures(policy: Policy) -> dict:
    by_state = dict(
        policy.grants.values_list("state").annotate(n=Count("id")).values_list("state", "n")
    )
    return {
        "eligible": policy.matches.filter(lapsed_at__isnull=True).count(),
        "told": policy.matches.filter(notified_at__isnull=False).count(),
        "grants": [(GrantState(s).label, by_state.get(s, 0)) for s in GrantState.values],
    }


def pending_grants(user, *, policy_id: int | None = None):
    qs = (
        access.staff_grants(user)
        .filter(state=GrantState.PENDING_APPROVAL)
        .select_related("policy__department", "enterprise__township")
        .order_by("policy_id", "created_at", "pk")
    )
    if policy_id:
        qs = qs.filter(policy_id=policy_id)
    return qs


def pending_count(user) -> int | None:
    return pending_grants(user).count() or None


@dataclass
class Simulation:
    total: int = 0
    cost: Decimal = Decimal("0")
    by_township: list[tuple[str, int, Decimal]] = field(default_factory=list)
    by_industry: list[tuple[str, str, int, Decimal]] = field(default_factory=list)
    enterprises: int = 0
    error: str = ""


def _money(value) -> Decimal:
    return Decimal(str(round(value or 0.0, 2))).quantize(Decimal("0.01"))


def simulate(policy: Policy, as_of: dt.date | None = None) -> Simulation:
    """How many enterprises would qualify today, by township and industry, and what the
    benefit would cost in total — computed in the database, writing nothing."""
    as_of = as_of or timezone.localdate()
    result = Simulation(enterprises=Enterprise.objects.count())
    try:
        cp = matching.compile_policy(policy, as_of, matching.township_ids())
    except rules.RuleError as exc:
        result.error = exc.message
        return result
    amount = compiler.amount_sum(cp.formula, policy.amount_fixed, policy.amount_cap)
    rows = (
        Enterprise.objects.filter(cp.q)
        .order_by()
        .values("township_id", "industry")
        .annotate(n=Count("id"), cost=amount)
    )
    towns = {t.pk: t for t in org_selectors.townships()}
    by_town: dict[int, list] = {}
    by_industry: dict[str, list] = {}
    for row in rows:
        pairs: tuple[tuple[object, dict], ...] = (
            (row["township_id"], by_town),
            (row["industry"], by_industry),
        )
        for key, bucket in pairs:
            entry = bucket.setdefault(key, [0, 0.0])
            entry[0] += row["n"]
            entry[1] += row["cost"] or 0.0
        result.total += row["n"]
    result.cost = _money(sum(v[1] for v in by_town.values()))
    from banhao.core.i18n import localized

    result.by_township = sorted(
        (
            (localized(towns[pk]) if pk in towns else str(pk), n, _money(cost))
            for pk, (n, cost) in by_town.items()
        ),
        key=lambda r: -r[1],
    )
    result.by_industry = sorted(
        (
            (code, str(Industry(code).label) if code in Industry.values else code, n, _money(c))
            for code, (n, c) in by_industry.items()
        ),
        key=lambda r: -r[2],
    )
    return result
