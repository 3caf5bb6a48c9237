"""Enterprise policies (惠企政策) in the browser: an enterprise sees the policies it qualifies
for with the reasons, a non-matching policy with its failed clause, and a benefit granted
without application after the nightly matching; staff write a rule, see the mistake inline
while typing, and simulate the policy."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from .conftest import SCREENSHOT_DIR as SCREENSHOTS
from .helpers import horizontal_overflow, tr

pytestmark = pytest.mark.browser


@pytest.fixture
def county_policies(org_units):
    from banhao.policies import services
    from banhao.policies.services import ClauseInput
    from banhao.testing import department, enterprise_archive, make_user, township

    nanma = township("南麻街道")
    township("历山街道")
    science = department("县科技局")
    hrss = department("县人力资源社会保障局")
    firm = enterprise_archive(
        name="沂源县鑫盛新材料有限公司",
        industry="C",
        registered_capital=Decimal("300"),
        headcount=45,
        established_on=dt.date(2016, 4, 1),
        facts_year=2025,
        annual_revenue=Decimal("2400"),
        tax_paid=Decimal("60"),
        rd_spending=Decimal("96"),
        is_high_tech=False,
        township=nanma,
    )
    writer = make_user("dept_handler", department=science)
    common = {"valid_from": dt.date(2025, 1, 1), "valid_until": dt.date(2030, 12, 31)}
    specs = [
        (
            writer,
            {
                "title": "研发费用后补助",
                "title_en": "Post-subsidy for R&D expenses",
                "benefit_title": "研发费用后补助",
                "benefit_title_en": "R&D post-subsidy",
                "amount_formula": "rd_spending * 10%",
                "amount_cap": Decimal("500000"),
            },
            [
                ClauseInput("重点行业", 'industry in ["C", "I", "M"]', "Key industries"),
                ClauseInput("研发投入占比", "rd_spending / annual_revenue >= 3%", "R&D intensity"),
            ],
        ),
        (
            writer,
            {
                "title": "高新技术企业认定奖励",
                "title_en": "Award for certified high-tech enterprises",
                "benefit_title": "认定奖励",
                "benefit_title_en": "High-tech award",
                "amount_fixed": Decimal("100000"),
            },
            [
                ClauseInput("高新技术企业", "is_high_tech", "Certified high-tech enterprise"),
                ClauseInput("经营满一年", "years_in_operation >= 1", "In operation for a year"),
            ],
        ),
        (
            make_user("dept_handler", department=hrss),
            {
                "title": "小微企业稳岗返还",
                "title_en": "Job retention refund for small businesses",
                "benefit_title": "稳岗返还",
                "benefit_title_en": "Job retention refund",
                "amount_formula": "headcount * 0.06",
                "amount_cap": Decimal("50000"),
                "exempt_application": True,
            },
            [ClauseInput("小微企业", "headcount between 1 and 100", "Small business")],
        ),
    ]
    for actor, values, clauses in specs:
        policy = services.save_draft(actor=actor, values={**common, **values}, clauses=clauses)
        services.activate(actor=actor, policy=policy)
    return firm, writer


def test_enterprise_sees_its_policies_reasons_and_granted_benefit(
    county_policies, make_user, login, phone_page
):
    from banhao.policies.services import match_all

    firm, _writer = county_policies
    user, password = make_user("enterprise", credit_code=firm.credit_code)
    report = match_all()
    assert (report.eligible, report.grants_granted, report.notified) == (2, 1, 2)

    page = phone_page
    login(page, user.username, password)
    card = page.get_by_test_id("card-policies-for_me")
    expect(card).to_be_visible()
    with page.expect_navigation():
        card.click()

    qualifying = page.get_by_test_id("qualifying")
    expect(qualifying.get_by_test_id("policy-item")).to_have_count(2)
    rd = qualifying.get_by_test_id("policy-item").filter(has_text="研发费用后补助")
    # The reason, with the enterprise's own value: 96 / 2,400 = 4%.
    expect(rd.get_by_test_id("clause").nth(1)).to_have_attribute("data-holds", "yes")
    expect(rd.get_by_test_id("clause").nth(1)).to_contain_text("4%")
    expect(rd).to_contain_text(re.compile(r"96,?000\.00"))  # 96 (10,000 yuan) × 10%
    refund = qualifying.get_by_test_id("policy-item").filter(has_text="小微企业稳岗返还")
    expect(refund.get_by_test_id("grant-state")).to_contain_text(tr(page, "Benefit granted"))

    others = page.get_by_test_id("others")
    award = others.get_by_test_id("policy-item").filter(has_text="高新技术企业认定奖励")
    failed = award.locator("[data-testid=clause][data-holds=no]")
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text("高新技术企业")
    expect(award.locator("[data-testid=clause][data-holds=yes]")).to_have_count(1)

    benefits = page.get_by_test_id("benefits")
    expect(benefits).to_contain_text("稳岗返还")
    expect(benefits).to_contain_text(re.compile(r"27,?000\.00"))  # 45 people × 600 yuan
    assert horizontal_overflow(page) == 0

    page.screenshot(path=SCREENSHOTS / "test_policies_for_you_phone.png", full_page=True)
    # The inbox has the push: once per policy.
    page.goto("/notifications/")
    expect(page.locator("main")).to_contain_text("稳岗返还")


def test_staff_write_a_rule_see_the_mistake_inline_and_simulate(county_policies, login, open_page):
    _firm, writer = county_policies
    page = open_page("desktop", locale="en-GB")
    login(page, writer.username)
    page.goto("/policies/staff/")
    with page.expect_navigation():
        page.get_by_test_id("policy-new").click()
    form = page.get_by_test_id("policy-form")
    form.locator("#id_title").fill("新办企业首年房租补贴")
    form.locator("#id_benefit_title").fill("首年房租补贴")
    form.locator("#id_amount_fixed").fill("20000")
    form.locator("#id_valid_from").fill("2025-01-01")
    form.locator("#id_clause-0-label").fill("行业")
    rule = form.locator("#id_clause-0-expression")
    rule.fill('industry in ["C"] and revnue < 5000')
    live = page.locator("#id_clause-0-expression_live")
    expect(live).to_contain_text("Column 23")
    expect(live).to_contain_text("“revnue” is not a known fact")
    page.screenshot(path=SCREENSHOTS / "test_policies_editor_inline_error.png", full_page=True)
    rule.fill('industry in ["C"] and annual_revenue < 5000')
    expect(live).to_contain_text("The rule reads correctly.")
    with page.expect_navigation():
        page.get_by_test_id("policy-save-simulate").click()
    expect(page.get_by_test_id("sim-total")).to_have_text("1 / 1")
    expect(page.get_by_test_id("sim-cost")).to_contain_text("20,000.00")
    expect(page.get_by_test_id("sim-townships")).to_contain_text("南麻街道")
