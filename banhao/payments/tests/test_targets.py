"""Live target coverage from the register, shortfalls by unit, and the targets page."""

import datetime

import pytest

from banhao.accounts.roles import Role
from banhao.payments import selectors
from banhao.payments.models import Category, PaymentTarget, Sector
from banhao.payments.services import capabilities
from banhao.testing import PASSWORD, make_user

from . import factories

pytestmark = pytest.mark.django_db


def coverage(code):
    return next(c for c in selectors.target_coverage() if c.target.code == code)


def test_atm_target_counts_only_the_four_banks_and_recorded_yes(seeded):
    factories.atm("icbc", foreign_card_withdrawal=True)
    short = factories.atm("ccb", foreign_card_withdrawal=False)
    factories.atm("boc")  # unknown: counts as short
    factories.atm("psbc", foreign_card_withdrawal=False)  # not one of the four banks
    c = coverage("atm_foreign_card_withdrawal")
    assert (c.population, c.covered, str(c.percent), c.met) == (3, 1, "33.3", False)
    clerk = factories.bank_clerk("ccb")
    capabilities.record_capabilities(
        actor=clerk,
        place=short,
        values={"foreign_card_withdrawal": True},
        observed_on=datetime.date(2024, 12, 1),
        source="bank",
    )
    c = coverage("atm_foreign_card_withdrawal")
    assert (c.population, c.covered, c.met) == (3, 2, False)
    target = PaymentTarget.objects.get(code="atm_foreign_card_withdrawal")
    by_unit = selectors.shortfall_counts_by_unit(target, make_user(Role.ADMIN))
    assert [(u["department__name"], u["count"]) for u in by_unit] == [("中国银行沂源演示支行", 1)]


def test_foreign_card_acceptance_needs_visa_and_mastercard(seeded):
    factories.merchant(
        Category.HOSPITAL,
        supervisor="县卫生健康局",
        sector=Sector.MEDICAL,
        card_visa=True,
        card_mastercard=True,
    )
    factories.merchant(
        Category.HOTEL,
        supervisor="县文化和旅游局",
        sector=Sector.LODGING,
        card_visa=True,
        card_mastercard=False,
    )
    factories.merchant(Category.RESTAURANT, card_visa=False)  # not in scope
    c = coverage("foreign_card_acceptance")
    assert (c.population, c.covered, c.shortfall, c.met) == (2, 1, 1, False)


def test_min_count_target_met_with_one_exchange_branch(seeded):
    c = coverage("foreign_cash_exchange_outlet")
    assert (c.covered, c.met, c.shortfall) == (0, False, 1)
    branch = factories.atm("boc")
    branch.kind = "bank_branch"
    branch.currency_exchange = True
    branch.save()
    c = coverage("foreign_cash_exchange_outlet")
    assert (c.covered, c.met, c.shortfall) == (1, True, 0)


def test_unit_sees_only_its_own_shortfall(seeded):
    factories.atm("icbc", foreign_card_withdrawal=False)
    factories.atm("boc", foreign_card_withdrawal=False)
    icbc = factories.bank_clerk("icbc")
    target = PaymentTarget.objects.get(code="atm_foreign_card_withdrawal")
    assert [p.bank.code for p in selectors.shortfall_places(target, icbc)] == ["icbc"]
    mine = next(c for c in selectors.target_coverage(icbc) if c.target.code == target.code)
    assert (mine.population, mine.covered) == (1, 0)


@pytest.mark.parametrize(
    "role, status",
    [
        (None, 302),
        (Role.CITIZEN, 403),
        (Role.DEPT_HANDLER, 200),
        (Role.COUNTY_LEADER, 200),
        (Role.ADMIN, 200),
    ],
)
def test_targets_page_access(seeded, client, role, status):
    if role:
        client.login(username=make_user(role).username, password=PASSWORD)
    assert client.get("/pay/targets/").status_code == status
    assert client.get("/pay/targets/atm_foreign_card_withdrawal/").status_code == status


def test_targets_page_shows_live_figures(seeded, client, django_assert_max_num_queries):
    for _ in range(3):
        factories.atm("icbc", foreign_card_withdrawal=True)
    factories.atm("abc", foreign_card_withdrawal=False)
    client.login(username=make_user(Role.COUNTY_LEADER).username, password=PASSWORD)
    with django_assert_max_num_queries(20):
        body = client.get("/pay/targets/").content.decode()
    assert (
        'data-testid="target-atm_foreign_card_withdrawal" data-covered="3" data-population="4"'
        in body
    )
    assert "75.0%" in body
