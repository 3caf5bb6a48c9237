"""Real-name identity (issue 18 item 1), in the browser: registering with someone else's ID
number opens nothing of their archive; the real holder registers too, a window clerk checks her
ID card, and her archive opens to her alone."""

import pytest
from playwright.sync_api import expect

from banhao.accounts.demo import DEMO_PASSWORD, load_demo_accounts
from banhao.accounts.models import IdentityConflict, User
from banhao.archives.demo import _spouse_id, load_demo_archives
from banhao.portal.seeding import run_all

from .conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    from banhao.archives.licence_types import invalidate

    settings.MEDIA_ROOT = tmp_path / "media"
    invalidate()
    run_all()
    load_demo_accounts()
    load_demo_archives()
    yield
    invalidate()


def _register(page, username: str, full_name: str, id_number: str) -> None:
    page.set_default_timeout(30_000)  # this journey runs three pages on a shared machine
    page.goto("/accounts/register/citizen/")
    for name, value in {
        "username": username,
        "full_name": full_name,
        "id_number": id_number,
        "password": PASSWORD,
        "password_again": PASSWORD,
    }.items():
        page.locator(f"form [name={name}]").fill(value)
    page.get_by_test_id("register-submit").click()
    expect(page.get_by_test_id("role-home")).to_have_attribute("data-role", "citizen")


def test_squatting_on_the_spouses_id_fails_and_the_real_holder_takes_over(demo, open_page, login):
    spouse_id = _spouse_id()
    husband_id = User.objects.get(username="citizen").id_number

    squatter = open_page("phone")
    _register(squatter, "squatter", "李秀英", spouse_id)
    squatter.goto("/archives/mine/")
    expect(squatter.get_by_test_id("verify-first")).to_be_visible()
    expect(squatter.get_by_test_id("archive")).to_have_count(0)
    content = squatter.content()
    assert spouse_id not in content and husband_id not in content and "张明" not in content

    # The real holder is not blocked by the claim; a window clerk checks her ID card.
    holder = open_page("phone")
    _register(holder, "lixiuying", "李秀英", spouse_id)
    clerk = open_page("desktop")
    clerk.set_default_timeout(30_000)
    login(clerk, "clerk", DEMO_PASSWORD)
    clerk.goto("/accounts/verify/")
    clerk.locator("form [name=username]").fill("lixiuying")
    clerk.locator("form[data-testid=verify-find] button[type=submit]").click()
    expect(clerk.get_by_test_id("verify-account")).to_be_visible()
    expect(clerk.get_by_test_id("claim")).to_have_text(spouse_id[:4] + "*" * 10 + spouse_id[-4:])
    clerk.locator("form [name=document_type]").select_option("resident_id_card")
    clerk.locator("form [name=document_number]").fill(spouse_id)
    clerk.get_by_test_id("verify-submit").click()
    expect(clerk.get_by_test_id("verify-find")).to_be_visible()
    assert spouse_id not in clerk.url

    holder.goto("/archives/mine/")
    expect(holder.get_by_test_id("archive")).to_be_visible()
    expect(holder.get_by_test_id("identifier")).to_have_text(spouse_id)
    squatter.reload()
    expect(squatter.get_by_test_id("verify-first")).to_be_visible()
    assert IdentityConflict.objects.get().claimant.username == "squatter"
