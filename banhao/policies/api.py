"""HTTP API of enterprise policies: live policies, an enterprise's own explanation, checking a
rule as staff type it, and a policy's simulation."""

from decimal import Decimal

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from . import access, errors, matching, rules, selectors
from .errors import PolicyError

router = Router(tags=["policies"])


class PolicyOut(Schema):
    id: int
    title: str
    title_en: str
    department: str
    document_number: str
    benefit_title: str
    benefit_title_en: str
    exempt_application: bool
    valid_from: str
    valid_until: str | None


def _policy(p) -> dict:
    return {
        "id": p.pk,
        "title": p.title,
        "title_en": p.title_en,
        "department": p.department.name,
        "document_number": p.document_number,
        "benefit_title": p.benefit_title,
        "benefit_title_en": p.benefit_title_en,
        "exempt_application": p.exempt_application,
        "valid_from": p.valid_from.isoformat(),
        "valid_until": p.valid_until.isoformat() if p.valid_until else None,
    }


class DetailOut(Schema):
    holds: bool
    subject: str
    actual: str
    requirement: str


class ClauseOut(Schema):
    label: str
    holds: bool
    details: list[DetailOut]


class ExplanationOut(Schema):
    policy: PolicyOut
    qualifies: bool
    amount_yuan: Decimal | None
    grant_state: str | None
    clauses: list[ClauseOut]


@router.get("/for-me", response=list[ExplanationOut], url_name="policies_for_me")
def for_me(request: HttpRequest):
    """The signed-in enterprise's eligibility for every live policy, clause by clause."""
    enterprise = selectors.enterprise_of(request.user)
    if enterprise is None:
        raise PolicyError(errors.NO_OWN_ARCHIVE)
    return [
        {
            "policy": _policy(v.policy),
            "qualifies": v.qualifies,
            "amount_yuan": v.amount,
            "grant_state": v.grant.state if v.grant else None,
            "clauses": [
                {"label": c.label, "holds": c.holds, "details": [d.__dict__ for d in c.details]}
                for c in v.clauses
            ],
        }
        for v in selectors.explain(enterprise)
    ]


class RuleIn(Schema):
    expression: str
    formula: bool = False


class RuleCheckOut(Schema):
    ok: bool
    message: str = ""
    column: int | None = None


@router.post("/check-rule", response=RuleCheckOut, url_name="policies_check_rule")
def check_rule(request: HttpRequest, payload: RuleIn):
    """Whether a rule (or an amount formula) reads, and where it does not — for the editor."""
    if not access.is_policy_staff(request.user):
        raise PolicyError(errors.STAFF_ONLY)
    try:
        if payload.formula:
            rules.parse_formula(payload.expression)
        else:
            rules.parse_condition(payload.expression, matching.township_ids())
    except rules.RuleError as exc:
        return {"ok": False, "message": exc.message, "column": exc.column}
    return {"ok": True}


class SimulationOut(Schema):
    total: int
    enterprises: int
    cost_yuan: Decimal
    by_township: list[tuple[str, int, Decimal]]
    by_industry: list[tuple[str, str, int, Decimal]]
    error: str


@router.get(
    "/{policy_id}/simulation",
    response=SimulationOut,
    url_name="policies_simulation",
)
def simulation(request: HttpRequest, policy_id: int):
    """How many enterprises would qualify and at what cost; writes nothing."""
    if not access.is_policy_staff(request.user):
        raise PolicyError(errors.STAFF_ONLY)
    policy = access.staff_policies(request.user).filter(pk=policy_id).first()
    if policy is None:
        raise Http404
    sim = selectors.simulate(policy)
    return {
        "total": sim.total,
        "enterprises": sim.enterprises,
        "cost_yuan": sim.cost,
        "by_township": sim.by_township,
        "by_industry": sim.by_industry,
        "error": sim.error,
    }
