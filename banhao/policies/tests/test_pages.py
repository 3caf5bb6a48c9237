"""Pages and API: who sees what, the editor keeps what was typed, decisions from the pages."""

import json

import pytest
from django.urls import reverse

from banhao.accounts.roles import Role
from banhao.audit.models import AuditRecord
from banhao.policies import services
from banhao.policies.models import Grant, Policy, PolicyMatch
from banhao.policies.services import ClauseInput
from banhao.policies.states import GrantState, PolicyState
from banhao.testing import department, make_user

from .conftest import TODAY


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def login(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def test_enterprise_sees_its_policies_with_reasons(client, make_policy, firms):
    make_policy()
    user = make_user(Role.ENTERPRISE, credit_code=firms["light"].credit_code)
    page = login(client, user).get(reverse("policies:for_me")).content.decode()
    assert "R&amp;D expense subsidy" in page
    assert "<strong>1.2%</strong>, required ≥ 3%" in page
    assert 'data-holds="no"' in page and 'data-holds="yes"' in page


def test_another_enterprise_cannot_see_yours(client, make_policy, firms):
    make_policy()
    other = make_user(Role.ENTERPRISE, credit_code=firms["shop"].credit_code)
    page = login(client, other).get(reverse("policies:for_me")).content.decode()
    assert firms["light"].name not in page and firms["tech"].name not in page
    assert firms["shop"].name in page
    # The API answers for the signed-in account only; there is no id to probe.
    data = client.get("/api/v1/policies/for-me").json()
    assert data[0]["qualifies"] is False


def test_enterprise_without_an_archive(client, make_policy):
    user = make_user(Role.ENTERPRISE)
    page = login(client, user).get(reverse("policies:for_me")).content.decode()
    assert "has no archive on the platform yet" in page
    assert client.get("/api/v1/policies/for-me").status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (None, 302),
        (Role.CITIZEN, 403),
        (Role.ENTERPRISE, 403),
        (Role.WINDOW_CLERK, 403),
        (Role.DEPT_HANDLER, 200),
        (Role.COUNTY_LEADER, 200),
        (Role.ADMIN, 200),
    ],
)
def test_staff_pages_need_policy_staff(client, make_policy, role, status):
    policy = make_policy()
    if role is not None:
        login(client, make_user(role))
    for name, args in [
        ("policies:staff_list", []),
        ("policies:detail", [policy.pk]),
        ("policies:simulate", [policy.pk]),
        ("policies:grants", []),
        ("policies:check", []),
    ]:
        assert client.get(reverse(name, args=args)).status_code == status, name


def test_drafts_stay_in_their_department(client, make_policy):
    draft = make_policy(activate=False)
    active = make_policy()
    other = make_user(Role.DEPT_HANDLER, department=department("县商务局"))
    login(client, other)
    assert client.get(reverse("policies:detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("policies:detail", args=[active.pk])).status_code == 200
    page = client.get(reverse("policies:detail", args=[active.pk])).content.decode()
    assert "policy-close" not in page  # reading is not writing
    response = client.post(reverse("policies:transition", args=[active.pk, "close"]))
    assert response.status_code == 302
    assert Policy.objects.get(pk=active.pk).state == PolicyState.ACTIVE


def _editor_post(**overrides):
    data = {
        "title": "小微企业稳岗返还",
        "title_en": "Job retention refund",
        "benefit_title": "稳岗返还",
        "amount_formula": "headcount * 0.1",
        "valid_from": "2025-01-01",
        "exempt_application": "on",
        "clause-TOTAL_FORMS": "2",
        "clause-INITIAL_FORMS": "0",
        "clause-MIN_NUM_FORMS": "0",
        "clause-MAX_NUM_FORMS": "20",
        "clause-0-label": "小微企业",
        "clause-0-expression": "headcount between 1 and 100",
        "clause-1-label": "",
        "clause-1-expression": "",
    }
    data.update(overrides)
    return data


def test_editor_shows_rule_errors_inline_and_keeps_the_input(client, writer, towns):
    login(client, writer)
    typed = "headcount between 1 and 100 and revnue > 5"
    response = client.post(reverse("policies:new"), _editor_post(**{"clause-0-expression": typed}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Column 33: “revnue” is not a known fact" in page
    assert 'value="headcount between 1 and 100 and revnue &gt; 5"' in page
    assert not Policy.objects.exists()


def test_editor_saves_a_draft_and_it_goes_live(client, writer, towns, firms):
    login(client, writer)
    response = client.post(reverse("policies:new"), _editor_post())
    policy = Policy.objects.get()
    assert response.url == reverse("policies:detail", args=[policy.pk])
    assert policy.department == writer.department
    assert [c.expression for c in policy.clauses.all()] == ["headcount between 1 and 100"]
    edit = client.get(reverse("policies:edit", args=[policy.pk])).content.decode()
    assert 'value="headcount between 1 and 100"' in edit
    client.post(reverse("policies:transition", args=[policy.pk, "activate"]))
    assert Policy.objects.get().state == PolicyState.ACTIVE
    client.post(reverse("policies:transition", args=[policy.pk, "match"]))
    assert PolicyMatch.objects.count() == 3
    assert Grant.objects.filter(state=GrantState.GRANTED).count() == 3


def test_check_rule_api_for_the_live_editor(client, writer, towns):
    login(client, writer)
    url = "/api/v1/policies/check-rule"
    bad = client.post(url, json.dumps({"expression": "headcount >"}), "application/json").json()
    assert bad["ok"] is False and "incomplete" in bad["message"]
    good = client.post(
        url, json.dumps({"expression": 'township in ["南麻街道"]'}), "application/json"
    ).json()
    assert good == {"ok": True, "message": "", "column": None}
    formula = client.post(
        url, json.dumps({"expression": "rd_spending * 10%", "formula": True}), "application/json"
    ).json()
    assert formula["ok"] is True
    login(client, make_user(Role.ENTERPRISE))
    assert client.post(url, json.dumps({"expression": "x"}), "application/json").status_code == 403


def test_simulation_page_and_api(client, make_policy, writer, firms):
    policy = make_policy(activate=False, clauses=[ClauseInput("制造业", 'industry = "C"')])
    login(client, writer)
    page = client.get(reverse("policies:simulate", args=[policy.pk])).content.decode()
    assert "2 / 3" in page
    data = client.get(f"/api/v1/policies/{policy.pk}/simulation").json()
    assert data["total"] == 2 and data["cost_yuan"] == "112000.00"
    assert not PolicyMatch.objects.exists()


def test_pending_grants_are_decided_from_the_page(client, make_policy, writer, firms):
    make_policy(
        values={"exempt_application": True, "needs_staff_approval": True},
        clauses=[ClauseInput("制造业", 'industry = "C"')],
    )
    services.match_all(as_of=TODAY)
    login(client, writer)
    page = client.get(reverse("policies:grants")).content.decode()
    assert page.count('data-testid="grant-row"') == 2
    tech = Grant.objects.get(enterprise=firms["tech"])
    light = Grant.objects.get(enterprise=firms["light"])
    client.post(reverse("policies:decide", args=[tech.pk, "approve"]))
    client.post(reverse("policies:decide", args=[light.pk, "reject"]), {"reason": "已享受"})
    assert Grant.objects.get(pk=tech.pk).state == GrantState.GRANTED
    assert Grant.objects.get(pk=light.pk).state == GrantState.REJECTED
    # Another department sees nothing to decide and cannot decide by id.
    other = make_user(Role.DEPT_HEAD, department=department("县商务局"))
    login(client, other)
    assert 'data-testid="grant-row"' not in client.get(reverse("policies:grants")).content.decode()
    assert client.post(reverse("policies:decide", args=[tech.pk, "approve"])).status_code == 404


def test_staff_check_of_an_enterprise_is_audited(client, make_policy, writer, firms):
    make_policy()
    login(client, writer)
    refused = client.post(
        reverse("policies:check"), {"credit_code": firms["light"].credit_code, "purpose": "x"}
    )
    assert "Say why you look" in refused.content.decode()
    assert not AuditRecord.objects.filter(event_type="policies.explanation_viewed").exists()
    page = client.post(
        reverse("policies:check"),
        {"credit_code": firms["light"].credit_code.lower(), "purpose": "企业来电咨询"},
    ).content.decode()
    assert firms["light"].name in page and "required ≥ 3%" in page
    audit = AuditRecord.objects.get(event_type="policies.explanation_viewed")
    assert audit.actor == writer and audit.extra["purpose"] == "企业来电咨询"


def test_home_cards(client, make_policy, firms, writer):
    make_policy()
    services.match_all(as_of=TODAY)
    user = make_user(Role.ENTERPRISE, credit_code=firms["tech"].credit_code)
    page = login(client, user).get(reverse("portal:home")).content.decode()
    assert reverse("policies:for_me") in page
    page = login(client, writer).get(reverse("portal:home")).content.decode()
    assert reverse("policies:staff_list") in page


def test_policies_for_you_runs_a_constant_number_of_queries(
    client, make_policy, firms, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = make_user(Role.ENTERPRISE, credit_code=firms["light"].credit_code)
    login(client, user)
    make_policy()
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("policies:for_me")).status_code == 200
    for _ in range(4):
        make_policy(values={"exempt_application": True})
    services.match_all(as_of=TODAY)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("policies:for_me")).status_code == 200
    assert len(many) == len(few)
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("policies:for_me"))
