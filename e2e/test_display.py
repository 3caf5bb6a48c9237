"""Language switch, large text and phone-width layout of the public pages."""

import pytest
from playwright.sync_api import expect

from .helpers import horizontal_overflow, page_language, root_font_size

pytestmark = pytest.mark.browser

LANDING_H1 = "Get one thing done efficiently"


def _switch_language(page, code):
    with page.expect_navigation():
        page.locator("#lang-select").select_option(code)


def test_language_switch_to_english_and_back(page):
    page.goto("/")
    assert page_language(page) == "zh-hans"

    _switch_language(page, "en")
    assert page_language(page) == "en"
    expect(page.get_by_test_id("landing").locator("h1")).to_have_text(LANDING_H1)
    # The choice sticks on the next page.
    page.goto("/accounts/login/")
    assert page_language(page) == "en"

    _switch_language(page, "zh-hans")
    assert page_language(page) == "zh-hans"
    expect(page.locator("#lang-select")).to_have_value("zh-hans")


def test_chinese_page_is_translated(page):
    page.goto("/")
    _switch_language(page, "en")
    english = page.get_by_test_id("landing").locator("h1").inner_text()
    _switch_language(page, "zh-hans")
    chinese = page.get_by_test_id("landing").locator("h1").inner_text()
    assert english == LANDING_H1
    assert chinese != english
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese)


def test_large_text_enlarges_the_root_font_and_persists(page):
    page.goto("/")
    standard = root_font_size(page)

    with page.expect_navigation():
        page.get_by_test_id("large-text-toggle").click()
    large = root_font_size(page)
    assert large > standard * 1.2
    expect(page.get_by_test_id("large-text-toggle")).to_have_attribute("aria-pressed", "true")

    page.goto("/accounts/login/")
    assert root_font_size(page) == large

    with page.expect_navigation():
        page.get_by_test_id("large-text-toggle").click()
    assert root_font_size(page) == standard
    page.goto("/")
    assert root_font_size(page) == standard


def test_large_text_is_remembered_for_a_logged_in_user(page, open_page, login, make_user):
    user, password = make_user("citizen")
    login(page, user.username, password)
    with page.expect_navigation():
        page.get_by_test_id("large-text-toggle").click()
    user.refresh_from_db()
    assert user.large_text is True

    # A new browser (no cookie) picks it up from the account after logging in.
    other = open_page("desktop")
    other.goto("/")
    standard = root_font_size(other)
    login(other, user.username, password)
    assert root_font_size(other) > standard * 1.2


@pytest.mark.parametrize(
    "path",
    ["/", "/accounts/login/", "/accounts/register/citizen/", "/accounts/register/enterprise/"],
    ids=["landing", "login", "register-citizen", "register-enterprise"],
)
def test_public_pages_fit_a_phone(phone_page, path):
    phone_page.goto(path)
    assert horizontal_overflow(phone_page) == 0


def test_phone_fits_with_large_text(phone_page):
    phone_page.goto("/")
    with phone_page.expect_navigation():
        phone_page.get_by_test_id("large-text-toggle").click()
    for path in ["/", "/accounts/login/"]:
        phone_page.goto(path)
        assert horizontal_overflow(phone_page) == 0, path
