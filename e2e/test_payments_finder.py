"""Payment convenience in the browser: a visitor in English finds the nearest ATM for foreign
cards and an exchange point; a bank clerk updates an ATM and the target coverage changes; a
cash refusal reported from a place's page reaches the 12345 hotline."""

import re
import time

import pytest
from playwright.sync_api import expect

from .helpers import horizontal_overflow, root_font_size, tr

pytestmark = pytest.mark.browser

# A one-pixel PNG as the "tile server": the map code runs without any network.
TILE = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8"
    "/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg=="
)


@pytest.fixture
def register(transactional_db):
    from banhao.payments.generator import load_demo_register
    from banhao.portal.seeding import run_all

    run_all()
    load_demo_register()


def _distances(page) -> list[float]:
    return [float(t.split()[0]) for t in page.get_by_test_id("distance").all_inner_texts()]


def test_visitor_in_english_finds_foreign_card_atm_and_exchange(register, open_page, settings):
    settings.BANHAO_MAP_TILE_URL = TILE
    settings.BANHAO_MAP_ATTRIBUTION = "Test tiles"
    page = open_page("phone", locale="en-GB")
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 36.1852, "longitude": 118.1695})
    page.goto("/pay/")
    assert horizontal_overflow(page) == 0
    # nearest ATM that takes foreign cards, measured from a landmark
    page.get_by_test_id("need-foreign_card_withdrawal").check()
    page.get_by_test_id("kind").select_option("atm")
    page.get_by_test_id("landmark").select_option(label="Yiyuan County Government")
    with page.expect_navigation():
        page.get_by_test_id("find").click()
    expect(page.get_by_test_id("result-heading")).to_contain_text(
        "nearest to Yiyuan County Government"
    )
    expect(page.get_by_test_id("map").locator(".pay-marker").first).to_be_visible()
    distances = _distances(page)
    assert distances == sorted(distances) and len(distances) == 20
    first = page.get_by_test_id("result").first
    expect(first.get_by_test_id("result-name")).to_contain_text("ATM")
    assert horizontal_overflow(page) == 0
    with page.expect_navigation():
        first.get_by_test_id("result-name").click()
    expect(page.get_by_test_id("cap-foreign_card_withdrawal")).to_contain_text("Yes")
    # an exchange point nearest to the visitor's own location
    page.goto("/pay/")
    page.get_by_test_id("need-currency_exchange").check()
    with page.expect_navigation():
        page.get_by_test_id("use-location").click()
    expect(page.get_by_test_id("result-heading")).to_contain_text("nearest to your location")
    names = page.get_by_test_id("result-name").all_inner_texts()
    assert names[0] in {
        "Bank of China (BOC), Nanma Subdistrict demo branch",
        "Nanma Payment Service Station (demo)",
    }
    assert _distances(page) == sorted(_distances(page))


def test_finder_in_chinese_with_large_text(register, open_page):
    page = open_page("phone")
    page.goto("/pay/")
    normal = root_font_size(page)
    with page.expect_navigation():
        page.get_by_test_id("large-text-toggle").click()
    assert root_font_size(page) > normal
    page.get_by_test_id("need-card_visa").check()
    with page.expect_navigation():
        page.get_by_test_id("find").click()
    expect(page.get_by_test_id("result").first).to_contain_text("演示")
    assert horizontal_overflow(page) == 0


def test_printable_town_guide(register, page):
    from banhao.org.models import Region

    town = Region.objects.get(name="南麻街道")
    page.goto(f"/pay/guide/{town.pk}/")
    expect(page.get_by_test_id("guide")).to_contain_text("ATM")
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1  # one printed page


def test_bank_clerk_updates_an_atm_and_coverage_changes(register, page, login):
    from banhao.accounts.roles import Role
    from banhao.payments.models import Bank, Place
    from banhao.testing import PASSWORD, make_user

    ccb = Bank.objects.get(code="ccb")
    clerk = make_user(Role.DEPT_HANDLER, department=ccb.department, full_name="王建")
    login(page, clerk.username, PASSWORD)
    page.goto("/pay/targets/")
    target = page.get_by_test_id("target-atm_foreign_card_withdrawal")
    covered = int(target.get_attribute("data-covered"))
    population = int(target.get_attribute("data-population"))
    assert covered < population
    with page.expect_navigation():
        target.get_by_test_id("shortfall-link").click()
    with page.expect_navigation():
        page.get_by_role("link", name="建设银行南麻演示ATM2").click()
    form = page.get_by_test_id("capability-form")
    form.locator("select[name=foreign_card_withdrawal]").select_option("yes")
    form.locator("select[name=card_visa]").select_option("yes")
    form.locator("input[name=source_note]").fill("外卡取现改造完成")
    with page.expect_navigation():
        page.get_by_test_id("capability-save").click()
    expect(page.get_by_test_id("history")).to_contain_text("外卡取现改造完成")
    page.goto("/pay/targets/")
    target = page.get_by_test_id("target-atm_foreign_card_withdrawal")
    assert int(target.get_attribute("data-covered")) == covered + 1
    atm = Place.objects.get(name="建设银行南麻演示ATM2")
    assert atm.foreign_card_withdrawal is True


def test_cash_refusal_report_reaches_the_hotline(register, open_page):
    from banhao.payments.models import Place, ProblemReport
    from banhao.payments.services.handoff import _hotline_intake

    assert _hotline_intake() is not None, "the hotline offers register_ticket"
    from banhao.hotline.models import Ticket

    shop = Place.objects.get(code="DEMO-01-M-01")
    page = open_page("phone")
    page.goto(f"/pay/place/{shop.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("report-cash_refused").click()
    form = page.get_by_test_id("report-form")
    expect(form.locator("input[value=cash_refused]")).to_be_checked()
    form.locator("textarea[name=description]").fill("买水时收银员拒收现金，只让扫码。")
    form.locator("input[name=contact_phone]").fill("13805330123")
    with page.expect_navigation():
        page.get_by_test_id("report-submit").click()
    expect(page.get_by_test_id("report-done")).to_be_visible()
    # The hand-off runs after commit: in-process by default, in a Celery worker with Redis.
    deadline = time.monotonic() + 30
    while not ProblemReport.objects.filter(handoff_status="handed_off").exists():
        assert time.monotonic() < deadline, "the report did not reach the hotline"
        time.sleep(0.2)
    page.reload()
    status = page.get_by_test_id("handoff-status")
    expect(status).to_have_attribute("data-status", "handed_off")
    report = ProblemReport.objects.get()
    ticket = Ticket.objects.get()
    assert report.hotline_ticket_ref == ticket.number
    assert (ticket.channel, ticket.related_id) == ("payment", str(shop.pk))
    assert report.enforcement_status == "reported"
    expect(status).to_contain_text(ticket.number)
    assert tr(page, "Report a payment problem")
