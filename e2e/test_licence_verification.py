"""Electronic licences (电子证照, ADR 0016): the holder's QR code opens a public page that says
the licence is genuine and current; once the issuing department revokes it, the same page says
revoked. The verification page is looked at on a 360 px phone and a 1280 px desktop."""

import datetime as dt

import pytest
import segno
from playwright.sync_api import expect

from banhao.accounts.roles import Role
from banhao.archives import services as archives
from banhao.archives.models import LicenceSource, LicenceType
from banhao.testing import PASSWORD, enterprise_archive
from banhao.testing import make_user as make_account
from e2e.conftest import SCREENSHOT_DIR as SCREENS

pytestmark = pytest.mark.browser

# The machine these run on may be busy; a page is given longer than the harness's 10 s.
SLOW = 30_000


def _open(open_page, *args, **kwargs):
    page = open_page(*args, **kwargs)
    page.set_default_timeout(SLOW)
    return page


def test_licence_qr_page_verifies_then_shows_revoked(org_units, open_page, login, make_user):
    food = LicenceType.objects.create(
        code="food_business_licence",
        name="食品经营许可证",
        name_en="Food business licence",
        department=org_units.department,
        validity_days=1826,
    )
    firm = enterprise_archive(name="沂源县示例餐饮有限公司")
    licence = archives.issue_licence(
        actor=None,
        licence_type=food,
        number="JY23703230012345",
        issued_on=dt.date.today() - dt.timedelta(days=30),
        source=LicenceSource.MANUAL,
        enterprise=firm,
    )
    owner = make_account(Role.ENTERPRISE, credit_code=firm.credit_code)

    # The holder opens the licence from their archive and sees its QR code.
    page = _open(open_page, "desktop")
    login(page, owner.username, PASSWORD)
    page.goto("/archives/mine/")
    page.get_by_test_id(f"open-licence-{licence.pk}").click()
    qr = page.get_by_test_id("licence-qr")
    expect(qr.locator("svg")).to_be_visible()
    target = page.get_by_test_id("verify-link").get_attribute("href")
    assert target.endswith(f"/archives/verify/{licence.token}/")
    assert firm.credit_code not in target and licence.number not in target
    # The drawn code encodes exactly that address (segno draws the same modules for it).
    drawn = qr.locator("svg path.qrline").get_attribute("d")
    encoded = segno.make(target, error="m").svg_inline(scale=5, border=2, omitsize=True)
    assert f'd="{drawn}"' in encoded

    # Anyone scanning it, on a 360 px phone, without logging in.
    phone = _open(open_page, "phone")
    phone.set_viewport_size({"width": 360, "height": 780})
    phone.goto(target)
    verification = phone.get_by_test_id("verification")
    expect(verification).to_have_attribute("data-genuine", "yes")
    expect(verification).to_have_attribute("data-standing", "current")
    expect(phone.get_by_test_id("verdict")).to_contain_text("真实有效")
    expect(phone.get_by_test_id("verified-number")).to_have_text("JY23703230012345")
    expect(phone.get_by_test_id("verified-holder")).to_have_text("沂源县示例餐饮有限公司")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=SCREENS / "licence-verify-current-360.png", full_page=True)

    # The issuing department's handler revokes it, stating why.
    handler, password = make_user(Role.DEPT_HANDLER)
    staff = _open(open_page, "desktop")
    login(staff, handler.username, password)
    staff.goto(f"/archives/licences/{licence.pk}/revoke/")
    staff.get_by_test_id("revoke-form").locator("textarea[name=reason]").fill(
        "经营场所已不符合食品经营许可条件"
    )
    staff.get_by_test_id("confirm-revoke").click()
    expect(staff.get_by_test_id("licence-state")).to_have_text("已撤销")

    # The same QR target now says revoked, on the phone and on a desktop.
    phone.reload()
    expect(verification).to_have_attribute("data-standing", "revoked")
    expect(verification).to_have_attribute("data-genuine", "yes")
    expect(phone.get_by_test_id("verdict")).to_contain_text("已于")
    phone.screenshot(path=SCREENS / "licence-verify-revoked-360.png", full_page=True)
    desktop = _open(open_page, "desktop", locale="en-GB")
    desktop.goto(target)
    expect(desktop.get_by_test_id("verdict")).to_contain_text("Revoked")
    desktop.screenshot(path=SCREENS / "licence-verify-revoked-1280.png", full_page=True)
