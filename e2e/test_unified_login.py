"""Unified login (issue 18 items 2 and 8), in the browser against a real OpenID provider
process: a citizen signs in through the province's login page and sees only her own archive;
the account that had claimed her ID number sees nothing, and the claim is flagged."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from banhao.accounts.demo import load_demo_accounts
from banhao.accounts.models import IdentityConflict
from banhao.archives.demo import _spouse_id, load_demo_archives
from banhao.portal.seeding import run_all
from banhao.sso.tests import provider as op

from .conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def live_provider(live_server, tmp_path_factory):
    """The real node-oidc-provider, its client registered for this live server."""
    holder = op.account(
        "lixiuying",
        "loa2",
        account_type="citizen",
        realname_verified=True,
        name="李秀英",
        id_number=_spouse_id(),
    )
    running = op.start(tmp_path_factory.mktemp("oidc-e2e"), accounts=[holder], site=live_server.url)
    yield running
    op.stop(running)


@pytest.fixture
def demo(transactional_db, settings, tmp_path, live_provider):
    from banhao.archives.licence_types import invalidate

    settings.MEDIA_ROOT = tmp_path / "media"
    for name, value in live_provider.settings().items():
        setattr(settings, name, value)
    invalidate()
    run_all()
    load_demo_accounts()
    load_demo_archives()
    yield
    invalidate()


def test_a_citizen_signs_in_through_the_provider_and_the_squatter_sees_nothing(demo, open_page):
    spouse_id = _spouse_id()

    # Someone registers locally with her ID number: a claim, which opens nothing.
    squatter = open_page("phone")
    squatter.set_default_timeout(30_000)
    squatter.goto("/accounts/register/citizen/")
    for name, value in {
        "username": "squatter",
        "full_name": "李秀英",
        "id_number": spouse_id,
        "password": PASSWORD,
        "password_again": PASSWORD,
    }.items():
        squatter.locator(f"form [name={name}]").fill(value)
    squatter.get_by_test_id("register-submit").click()
    expect(squatter.get_by_test_id("role-home")).to_have_attribute("data-role", "citizen")

    # The real holder signs in through the province's unified login.
    holder = open_page("desktop")
    holder.set_default_timeout(30_000)
    holder.goto("/archives/mine/")
    expect(holder.get_by_test_id("login-form")).to_be_visible()
    holder.get_by_test_id("sso-login").click()
    provider_form = holder.get_by_test_id("op-login")
    expect(provider_form).to_be_visible()
    assert holder.url.startswith(settings.BANHAO_OIDC_ISSUER)
    provider_form.locator("input[name=login]").fill("lixiuying")
    provider_form.locator("input[name=password]").fill(op.PASSWORD)
    provider_form.locator("button[type=submit]").click()

    # Back on the site, on the page she asked for, with her archive and only hers.
    expect(holder.get_by_test_id("archive")).to_be_visible()
    assert holder.url.endswith("/archives/mine/")
    expect(holder.get_by_test_id("archive")).to_have_count(1)
    expect(holder.get_by_test_id("identifier")).to_have_text(spouse_id)

    # The squatter's claim is void: still nothing of hers, and it is flagged.
    squatter.goto("/archives/mine/")
    expect(squatter.get_by_test_id("verify-first")).to_be_visible()
    expect(squatter.get_by_test_id("archive")).to_have_count(0)
    assert spouse_id not in squatter.content()
    conflict = IdentityConflict.objects.get()
    assert conflict.claimant.username == "squatter"
    assert conflict.holder.provider_links.get().subject == "sub-lixiuying"

    # Logging out ends her session here and, after the provider's confirmation, there too.
    holder.get_by_test_id("logout").click()
    holder.get_by_test_id("op-logout").click()
    expect(holder.get_by_test_id("whoami")).to_have_count(0)
    holder.goto("/sso/login/")
    expect(holder.get_by_test_id("op-login")).to_be_visible()
