"""Browser-test harness: Debian's chromium driven by Playwright against pytest-django's live server.

Fixtures
    browser        one headless chromium for the whole session (Playwright gives it a fresh,
                   temporary user-data-dir and deletes it on close)
    page           a desktop page (1280×800) in a fresh browser context
    phone_page     a phone page (390×844, touch, mobile user agent) in a fresh context
    open_page      factory: ``open_page("desktop" | "phone", locale="zh-CN")`` for more pages
    login          ``login(page, username, password)`` through the real login form
    url            ``url("/accounts/login/")`` -> absolute URL on the live server
    org_units      minimal Region / Department / Venue rows for staff accounts
    make_user      ``make_user(role)`` -> (user, password), created through the real services

Every page is screenshotted when its test ends (pass or fail) into e2e/screenshots/, and a
test fails if the page hit a JavaScript error or a stylesheet, script, image or font failed
to load.
"""

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from banhao.testing import PASSWORD, valid_credit_code, valid_id_number  # noqa: F401 (used by tests)

# Playwright's sync API runs an asyncio loop in this thread, so Django would refuse ORM calls
# from the test body (SynchronousOnlyOperation). The ORM calls here are ordinary blocking
# calls made between browser steps, never from inside a coroutine, so this is safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SCREENSHOT_DIR = Path(__file__).parent / "screenshots"

CHROMIUM = os.environ.get("BANHAO_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "user_agent": (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36"
        ),
    },
}

ASSET_TYPES = frozenset({"stylesheet", "script", "image", "font"})

# The people this county serves browse in Chinese; Django maps zh-CN to zh-hans.
DEFAULT_LOCALE = "zh-CN"

STAFF_NAMES = {
    "window_clerk": "王晓燕",
    "dept_handler": "刘建国",
    "dept_head": "陈志强",
    "hotline_operator": "赵丽",
    "hotline_supervisor": "孙国华",
    "county_leader": "周文斌",
    "admin": "系统管理员",
}


# --- browser and pages -------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM} (install Debian's chromium package)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class _Opened:
    context: object
    page: object
    problems: list


def _screenshot_name(nodename: str, index: int) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", nodename).strip("-")
    return f"{safe}.png" if index == 0 else f"{safe}-{index + 1}.png"


@pytest.fixture
def open_page(browser, live_server, request):
    """Factory for pages; all of them are screenshotted and checked when the test ends."""
    opened: list[_Opened] = []

    def _open(viewport: str = "desktop", *, locale: str = DEFAULT_LOCALE):
        context = browser.new_context(
            base_url=live_server.url, locale=locale, **VIEWPORTS[viewport]
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda exc: problems.append(f"JavaScript error: {exc}"))

        def _check_response(response):
            kind = response.request.resource_type
            if response.status >= 400 and kind in ASSET_TYPES:
                problems.append(f"{kind} {response.url} answered {response.status}")

        def _check_failure(request):
            # ERR_ABORTED is a load cut short by the next navigation, not a broken asset.
            if request.resource_type in ASSET_TYPES and "ERR_ABORTED" not in (
                request.failure or ""
            ):
                problems.append(f"{request.resource_type} {request.url} failed: {request.failure}")

        page.on("response", _check_response)
        page.on("requestfailed", _check_failure)
        opened.append(_Opened(context, page, problems))
        return page

    yield _open

    SCREENSHOT_DIR.mkdir(exist_ok=True)
    problems = []
    for index, item in enumerate(opened):
        try:
            item.page.screenshot(
                path=SCREENSHOT_DIR / _screenshot_name(request.node.name, index), full_page=True
            )
        except Exception as exc:  # a closed page must not hide the test's own result
            problems.append(f"screenshot failed: {exc}")
        problems.extend(item.problems)
        item.context.close()
    if problems:
        pytest.fail("page problems:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def page(open_page):
    return open_page("desktop")


@pytest.fixture
def phone_page(open_page):
    return open_page("phone")


@pytest.fixture
def url(live_server):
    return lambda path="/": f"{live_server.url}{path}"


@pytest.fixture
def login():
    """Log in through the real form; returns the page after the redirect."""

    def _login(page, username: str, password: str = PASSWORD, *, expect_success: bool = True):
        page.goto("/accounts/login/")
        form = page.get_by_test_id("login-form")
        form.locator("input[name=username]").fill(username)
        form.locator("input[name=password]").fill(password)
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        if expect_success:
            expect(page.get_by_test_id("whoami")).to_be_visible()
        return page

    return _login


# --- data, created through the real services ---------------------------------------------


@dataclass
class OrgUnits:
    county: object
    department: object
    hotline_department: object
    venue: object


@pytest.fixture
def org_units(db):
    """Minimal organisation rows; the real seed command fills the full gazette list."""
    from banhao.org.models import Department, Region, Venue

    county = Region.objects.create(
        name="沂源县", name_en="Yiyuan County", code="370323", level="county", kind="county"
    )
    department = Department.objects.create(
        name="县行政审批服务局",
        name_en="County Administrative Approval Service Bureau",
        level="county",
        region=county,
    )
    hotline = Department.objects.create(
        name="县政府市民投诉中心",
        name_en="County Citizen Complaint Centre",
        level="county",
        region=county,
    )
    venue = Venue.objects.create(
        name="沂源县政务服务中心",
        name_en="Yiyuan County Government Service Centre",
        kind="county_centre",
        region=county,
        operator=department,
    )
    return OrgUnits(county, department, hotline, venue)


@pytest.fixture
def make_user(org_units):
    """``make_user(role)`` creates one account of that role and returns (user, password)."""
    from banhao import testing
    from banhao.accounts.roles import Role

    def _make(role, *, username: str | None = None, **extra):
        role = Role(role)
        if role == Role.WINDOW_CLERK:
            extra.setdefault("venue", org_units.venue)
        elif role in {Role.HOTLINE_OPERATOR, Role.HOTLINE_SUPERVISOR}:
            extra.setdefault("department", org_units.hotline_department)
        elif role in {Role.DEPT_HANDLER, Role.DEPT_HEAD}:
            extra.setdefault("department", org_units.department)
        if role not in {Role.CITIZEN, Role.ENTERPRISE}:
            extra.setdefault("full_name", STAFF_NAMES[role])
        return testing.make_user(role, username, **extra), PASSWORD

    return _make
