"""The harness itself: the live server serves the stylesheet and pages come up styled."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_stylesheet_is_served_and_applied(page):
    responses = []
    page.on("response", lambda r: responses.append(r) if r.url.endswith("site.css") else None)
    page.goto("/")
    expect(page.get_by_test_id("landing")).to_be_visible()
    assert [r.status for r in responses] == [200]
    # The red top bar comes from site.css alone.
    background = page.locator("header.topbar").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert background == "rgb(179, 38, 30)"


def test_default_language_is_chinese(page):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
