"""Every role logs in through the form and lands on its own home page."""

import pytest
from playwright.sync_api import expect

from banhao.accounts.roles import Role

from .helpers import horizontal_overflow, tr

pytestmark = pytest.mark.browser

# The English source of each role home's <h1> (portal/home/<role>.html).
HEADINGS = {
    Role.CITIZEN: "My services",
    Role.ENTERPRISE: "Enterprise services",
    Role.WINDOW_CLERK: "Comprehensive window",
    Role.DEPT_HANDLER: "My department's work",
    Role.DEPT_HEAD: "Department overview",
    Role.HOTLINE_OPERATOR: "12345 hotline intake",
    Role.HOTLINE_SUPERVISOR: "Hotline supervision",
    Role.COUNTY_LEADER: "County overview",
    Role.ADMIN: "Administration",
}


def test_every_role_has_a_heading():
    assert set(HEADINGS) == set(Role)


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_role_logs_in_to_its_home(page, login, make_user, org_units, role):
    user, password = make_user(role)
    login(page, user.username, password)

    home = page.get_by_test_id("role-home")
    expect(home).to_have_attribute("data-role", role.value)
    expect(home.locator("h1")).to_have_text(tr(page, HEADINGS[role]))
    expect(page.get_by_test_id("whoami")).to_have_text(user.display_name)
    unit = {
        Role.WINDOW_CLERK: org_units.venue.name,
        Role.DEPT_HANDLER: org_units.department.name,
        Role.DEPT_HEAD: org_units.department.name,
        Role.HOTLINE_OPERATOR: org_units.hotline_department.name,
        Role.HOTLINE_SUPERVISOR: org_units.hotline_department.name,
    }.get(role)
    if unit:
        expect(home.get_by_test_id("unit")).to_have_text(unit)
    else:  # the public and county-wide roles belong to no unit
        expect(home.get_by_test_id("unit")).to_have_count(0)


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_role_home_fits_a_phone(phone_page, login, make_user, role):
    user, password = make_user(role)
    login(phone_page, user.username, password)
    expect(phone_page.get_by_test_id("role-home")).to_have_attribute("data-role", role.value)
    assert horizontal_overflow(phone_page) == 0


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_every_card_on_a_role_home_opens_a_page(page, login, make_user, role):
    user, password = make_user(role)
    login(page, user.username, password)
    home = page.get_by_test_id("role-home")
    links = [a.get_attribute("href") for a in home.locator("a.card").all()]
    assert links, "a role home offers at least one card"
    for href in links:
        response = page.goto(href)
        assert response.status == 200, f"{href} answered {response.status}"
        expect(page.locator("h1").first).to_be_visible()
