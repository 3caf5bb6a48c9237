import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from banhao.accounts.roles import Role
from banhao.archives.models import Benefit
from banhao.audit.models import AuditRecord
from banhao.notifications.models import Notification
from banhao.policies import selectors, services
from banhao.policies.errors import PolicyError
from banhao.policies.models import Grant, Policy, PolicyMatch
from banhao.policies.services import ClauseInput
from banhao.policies.states import GrantState, PolicyState
from banhao.testing import department, make_user

from .conftest import TODAY, rd_values


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_draft_is_saved_with_clauses_and_audited(make_policy, writer):
    policy = make_policy(activate=False)
    assert policy.state == PolicyState.DRAFT
    assert [c.label for c in policy.clauses.all()] == ["制造业企业", "研发投入占比"]
    assert policy.department == writer.department
    audit = AuditRecord.objects.get(event_type="policies.draft_saved")
    assert audit.actor == writer
    assert audit.after["clauses"][1]["expression"] == "rd_spending / annual_revenue >= 3%"


def test_bad_rule_is_refused_with_clause_number_and_column(writer, towns):
    with pytest.raises(PolicyError) as caught:
        services.save_draft(
            actor=writer,
            values=rd_values(),
            clauses=[ClauseInput("行业", 'industry in ["C"]'), ClauseInput("收入", "revnue > 5")],
        )
    assert caught.value.field == "clause-1"
    assert caught.value.message.startswith("Clause 2: Column 1: “revnue” is not a known fact")
    assert not Policy.objects.exists()


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"amount_formula": "", "amount_fixed": None}, "amount_required"),
        ({"amount_fixed": Decimal("5000")}, "amount_required"),
        ({"amount_formula": "rd_spending >= 3"}, "bad_formula"),
        ({"valid_until": dt.date(2024, 1, 1)}, "bad_dates"),
        ({"needs_staff_approval": True}, "approval_without_exemption"),
        ({"title": " "}, "title_required"),
    ],
)
def test_bad_fields_are_refused(writer, towns, values, code):
    with pytest.raises(PolicyError) as caught:
        services.save_draft(
            actor=writer, values=rd_values(**values), clauses=[ClauseInput("x", "headcount > 1")]
        )
    assert caught.value.code == code


def test_transitions_are_guarded_and_audited(make_policy, writer):
    policy = make_policy()
    assert policy.state == PolicyState.ACTIVE and policy.activated_at
    with pytest.raises(PolicyError) as caught:
        services.activate(actor=writer, policy=policy, today=TODAY)
    assert caught.value.code == "transition"
    with pytest.raises(PolicyError) as caught:
        services.save_draft(actor=writer, values={"title": "x"}, clauses=[], policy=policy)
    assert caught.value.code == "not_draft"
    services.close(actor=writer, policy=policy)
    assert Policy.objects.get(pk=policy.pk).state == PolicyState.CLOSED
    events = list(
        AuditRecord.objects.filter(object_id=str(policy.pk), action="transition")
        .order_by("pk")
        .values_list("event_type", flat=True)
    )
    assert events == ["policies.active", "policies.closed"]


def test_activation_needs_a_clause_and_a_future(make_policy, writer):
    draft = make_policy(activate=False, clauses=[])
    with pytest.raises(PolicyError) as caught:
        services.activate(actor=writer, policy=draft, today=TODAY)
    assert caught.value.code == "no_clauses"
    old = make_policy(activate=False, values={"valid_until": dt.date(2025, 3, 1)})
    with pytest.raises(PolicyError) as caught:
        services.activate(actor=writer, policy=old, today=TODAY)
    assert caught.value.code == "expired"


def test_other_departments_cannot_write(make_policy):
    policy = make_policy(activate=False)
    stranger = make_user(Role.DEPT_HANDLER, department=department("县商务局"))
    with pytest.raises(PolicyError) as caught:
        services.activate(actor=stranger, policy=policy, today=TODAY)
    assert caught.value.code == "not_allowed"
    assert Policy.objects.get(pk=policy.pk).state == PolicyState.DRAFT


def test_match_all_stores_matches_and_notifies_once(make_policy, firms):
    policy = make_policy()
    tech_user = make_user(Role.ENTERPRISE, credit_code=firms["tech"].credit_code)
    report = services.match_all(as_of=TODAY)
    assert report.policies == 1 and report.eligible == 1 and report.new_matches == 1
    assert report.notified == 1 and report.without_account == 0
    match = PolicyMatch.objects.get()
    assert match.enterprise == firms["tech"] and match.notified_at is not None
    note = Notification.objects.get(recipient=tech_user)
    assert note.event_key == f"policies.match:{policy.pk}:{firms['tech'].pk}"
    # In the account's language: Chinese unless the user chose another.
    assert note.title == "为贵企业推送政策：研发费用后补助"

    again = services.match_all(as_of=TODAY)
    assert (again.new_matches, again.notified, again.eligible) == (0, 0, 1)
    assert Notification.objects.count() == 1
    assert PolicyMatch.objects.count() == 1


def test_enterprises_without_an_account_are_counted_and_told_once_they_register(make_policy, firms):
    make_policy(clauses=[ClauseInput("制造业", 'industry = "C"')])
    report = services.match_all(as_of=TODAY)
    assert (report.eligible, report.notified, report.without_account) == (2, 0, 2)
    assert any("lack of an account: 2" in line for line in report.lines())
    user = make_user(Role.ENTERPRISE, credit_code=firms["light"].credit_code)
    later = services.match_all(as_of=TODAY)
    assert (later.new_matches, later.notified, later.without_account) == (0, 1, 1)
    assert Notification.objects.filter(recipient=user).count() == 1


def test_a_match_lapses_when_facts_change_and_comes_back(make_policy, firms):
    make_policy()
    services.match_all(as_of=TODAY)
    tech = firms["tech"]
    tech.rd_spending = Decimal("1")
    tech.save()
    report = services.match_all(as_of=TODAY)
    assert report.lapsed == 1
    assert PolicyMatch.objects.get().lapsed_at is not None
    tech.rd_spending = Decimal("150")
    tech.save()
    services.match_all(as_of=TODAY)
    assert PolicyMatch.objects.get().lapsed_at is None


def test_exempt_policy_grants_directly_and_records_the_benefit(make_policy, firms):
    policy = make_policy(values={"exempt_application": True})
    user = make_user(Role.ENTERPRISE, credit_code=firms["tech"].credit_code)
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    report = services.match_all(as_of=TODAY)
    assert report.grants_granted == 1 and report.grants_pending == 0
    grant = Grant.objects.get()
    assert grant.state == GrantState.GRANTED
    assert grant.amount == Decimal("100000.00")  # 150 × 10,000 × 10% = 150,000, capped
    benefit = Benefit.objects.get()
    assert grant.benefit == benefit
    assert (benefit.enterprise, benefit.amount, benefit.source_ref) == (
        firms["tech"],
        Decimal("100000.00"),
        f"policy-grant:{grant.pk}",
    )
    assert benefit.granted_by == policy.department
    (note,) = Notification.objects.filter(recipient=user)
    assert note.title == "Granted without application: R&D expense subsidy"
    assert "100,000.00 yuan" in note.body
    services.match_all(as_of=TODAY)
    assert (Grant.objects.count(), Benefit.objects.count(), Notification.objects.count()) == (
        1,
        1,
        1,
    )


def test_exempt_policy_with_approval_waits_for_staff(make_policy, firms, writer):
    make_policy(
        values={"exempt_application": True, "needs_staff_approval": True},
        clauses=[ClauseInput("制造业", 'industry = "C"')],
    )
    user = make_user(Role.ENTERPRISE, credit_code=firms["light"].credit_code)
    report = services.match_all(as_of=TODAY)
    assert report.grants_pending == 2 and report.grants_granted == 0
    assert not Benefit.objects.exists()
    assert list(selectors.pending_grants(writer).values_list("enterprise", flat=True)) == [
        firms["tech"].pk,
        firms["light"].pk,
    ]
    light = Grant.objects.get(enterprise=firms["light"])
    assert light.amount == Decimal("12000.00")
    assert "经发文单位核实后免申即享" in Notification.objects.get().body

    services.approve_grant(actor=writer, grant=light, today=TODAY)
    light.refresh_from_db()
    assert light.state == GrantState.GRANTED and light.decided_by == writer
    assert light.benefit.amount == Decimal("12000.00")
    assert Notification.objects.filter(recipient=user, kind="policies.grant").count() == 1
    with pytest.raises(PolicyError) as caught:
        services.reject_grant(actor=writer, grant=light, reason="late")
    assert caught.value.code == "grant_decided"

    tech = Grant.objects.get(enterprise=firms["tech"])
    with pytest.raises(PolicyError) as caught:
        services.reject_grant(actor=writer, grant=tech, reason=" ")
    assert caught.value.code == "reason_required"
    stranger = make_user(Role.DEPT_HEAD, department=department("县商务局"))
    with pytest.raises(PolicyError):
        services.approve_grant(actor=stranger, grant=tech)
    services.reject_grant(actor=writer, grant=tech, reason="已享受同类补助")
    tech.refresh_from_db()
    assert tech.state == GrantState.REJECTED and tech.benefit is None
    events = set(AuditRecord.objects.values_list("event_type", flat=True))
    assert {"policies.grants_made", "policies.grant_approved", "policies.grant_rejected"} <= events


def test_simulation_counts_and_costs_without_writing(make_policy, firms):
    policy = make_policy(
        activate=False, clauses=[ClauseInput("制造业", 'industry = "C"')]
    )  # a draft
    audits = AuditRecord.objects.count()
    sim = selectors.simulate(policy, as_of=TODAY)
    assert sim.total == 2 and sim.enterprises == 3
    # tech: 150 × 1,000 = 150,000 capped at 100,000; light: 12 × 1,000 = 12,000
    assert sim.cost == Decimal("112000.00")
    assert sorted((name, n) for name, n, _cost in sim.by_township) == [
        ("南麻街道", 1),
        ("历山街道", 1),
    ]
    assert sim.by_industry[0][0] == "C" and sim.by_industry[0][2] == 2
    assert (
        PolicyMatch.objects.count(),
        Grant.objects.count(),
        Notification.objects.count(),
        AuditRecord.objects.count(),
    ) == (0, 0, 0, audits)


def test_simulation_with_a_fixed_amount(make_policy, firms):
    policy = make_policy(
        activate=False,
        values={"amount_formula": "", "amount_cap": None, "amount_fixed": Decimal("20000")},
        clauses=[ClauseInput("新办企业", "years_in_operation < 1")],
    )
    sim = selectors.simulate(policy, as_of=TODAY)
    assert (sim.total, sim.cost) == (1, Decimal("20000.00"))


def test_expired_policies_are_closed_by_the_job(make_policy):
    policy = make_policy()
    report = services.match_all(as_of=dt.date(2031, 1, 1))
    assert report.closed_expired == 1 and report.policies == 0
    assert Policy.objects.get(pk=policy.pk).state == PolicyState.CLOSED


def test_explanation_clause_by_clause(make_policy, firms):
    make_policy()
    views = selectors.explain(firms["light"], as_of=TODAY)
    (view,) = views
    assert view.qualifies is False
    assert [(c.label, c.holds) for c in view.clauses] == [
        ("Manufacturing", True),
        ("R&D intensity", False),
    ]
    (detail,) = view.clauses[1].details
    assert (detail.actual, detail.requirement) == ("1.2%", "≥ 3%")
    assert view.amount == Decimal("12000.00")
    (tech,) = selectors.explain(firms["tech"], as_of=TODAY)
    assert tech.qualifies is True


def test_staff_view_of_an_explanation_is_recorded_with_purpose(firms, writer):
    with pytest.raises(PolicyError):
        services.record_explanation_view(actor=writer, enterprise=firms["tech"], purpose="x")
    services.record_explanation_view(
        actor=writer, enterprise=firms["tech"], purpose="企业咨询政策 12345"
    )
    audit = AuditRecord.objects.get(event_type="policies.explanation_viewed")
    assert audit.subject_key == firms["tech"].credit_code
    assert audit.extra["purpose"] == "企业咨询政策 12345"
