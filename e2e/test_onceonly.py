"""Once only (免提交, issue 18 items 5 and 8): a verified citizen whose archive holds his ID card,
his wife's, their marriage licence and his household registration runs the newborn bundle; one
consent takes those four from the records and only the four uploads no record holds are asked.
The police handler sees the references, masked."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from banhao.accounts.roles import Role
from banhao.archives import services as archives
from banhao.archives.models import LicenceSource, LicenceType
from banhao.onething.models import Application
from banhao.org.models import Department
from banhao.testing import PASSWORD, make_user, person_archive, valid_id_number

from .test_onething_journeys import (  # noqa: F401
    NEWBORN_ANSWERS,
    files,  # noqa: F401
    fill_form,
    seeded,
    upload_all,
)

pytestmark = pytest.mark.browser

MARRIAGE = "J370323-2016-000456"
HELD = ["mother_id_card", "father_id_card", "marriage_certificate", "household_register"]


@pytest.fixture
def family(seeded):  # noqa: F811
    """Like the demo family: a husband (the applicant) and his wife, married, one household."""
    home = "沂源县南麻街道振兴路12号"
    husband = person_archive(
        valid_id_number("19880412", serial=11), name="王强", address=home, hukou_address=home
    )
    wife = person_archive(
        valid_id_number("19900615", serial=24),
        name="李秀英",
        address=home,
        hukou_address=home,
        spouse=husband,
    )
    husband.spouse = wife
    husband.save(update_fields=["spouse"])
    for holder in (husband, wife):
        archives.issue_licence(
            actor=None,
            licence_type=LicenceType.objects.get(code="marriage_certificate"),
            number=MARRIAGE,
            issued_on=dt.date(2016, 10, 1),
            source=LicenceSource.IMPORT,
            source_ref=f"e2e:marriage:{holder.pk}",
            person=holder,
        )
    citizen = make_user(
        Role.CITIZEN, id_number=husband.id_number, full_name="王强", phone="13905331234"
    )
    return husband, wife, citizen


def start_newborn(page, login, citizen) -> str:
    login(page, citizen.username, PASSWORD)
    page.goto("/services/9/")
    page.get_by_test_id("apply").click()
    for key in NEWBORN_ANSWERS:
        page.locator(f"input[name={key}][value=yes]").check()
    page.get_by_test_id("save-answers").click()
    expect(page.get_by_test_id("application-form")).to_be_visible()
    return page.get_by_test_id("application-form").get_attribute("data-reference")


def test_newborn_with_e_licences_asks_only_four_uploads(family, open_page, login, files):  # noqa: F811
    husband, wife, citizen = family
    page = open_page("desktop")
    reference = start_newborn(page, login, citizen)

    # Before consent: the records are offered, masked; every upload is still there.
    records = page.get_by_test_id("records")
    expect(records).to_be_visible()
    for code in HELD:
        expect(page.get_by_test_id(f"record-{code}")).to_be_visible()
    expect(page.get_by_test_id("record-marriage_certificate")).to_contain_text(
        "J3*************0456"
    )
    expect(page.get_by_test_id("record-marriage_certificate")).to_contain_text("县民政局")
    expect(page.get_by_test_id("record-mother_id_card")).not_to_contain_text(wife.id_number)
    expect(page.locator("input[type=file]")).to_have_count(8)

    # One consent for all; the form keeps only what no record holds.
    page.get_by_test_id("use-records").check()
    page.get_by_test_id("save-draft").click()
    expect(page.get_by_test_id("records-consent")).to_be_visible()
    expect(page.locator("input[type=file]")).to_have_count(4)
    for code in HELD:
        expect(page.get_by_test_id(f"from-record-{code}")).to_be_visible()
    remaining = page.locator("input[type=file]").evaluate_all("els => els.map(e => e.name)")
    assert sorted(remaining) == [
        "bank_card",
        "child_photo",
        "maternal_health_handbook",
        "maternity_invoices",
    ]
    page.screenshot(path="e2e/screenshots/onceonly-form-1280.png", full_page=True)

    # The archive prefilled the parents; the rest is typed.
    fill_form(
        page,
        {
            "child_name": "王小宝",
            "child_sex": "m",
            "child_birth_date": (dt.date.today() - dt.timedelta(days=20)).isoformat(),
            "birth_hospital": "沂源县人民医院",
            "vaccination_clinic": "county_cdc",
            "maternity_cost": "6850.50",
            "bank_name": "中国农业银行沂源支行",
            "bank_account": "6228480000000000001",
        },
    )
    expect(page.locator("#f-mother_id_number")).to_have_value(wife.id_number)
    expect(page.locator("#f-marriage_cert_number")).to_have_value(MARRIAGE)
    upload_all(page, files)
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("application-status")).to_be_visible()
    expect(page.get_by_test_id("materials-figures")).to_contain_text("8")
    expect(page.get_by_test_id("materials-figures")).to_contain_text("4")
    app = Application.objects.get(applicant=citizen)
    assert (app.materials_needed, app.materials_from_records) == (8, 4)
    assert app.attachments.count() == 4

    # The police (household registration, which needs all four) sees the references masked.
    police = make_user(
        Role.DEPT_HANDLER, department=Department.objects.get(name="县公安局", level="county")
    )
    handler_page = open_page("desktop")
    login(handler_page, police.username, PASSWORD)
    handler_page.goto(f"/services/tasks/{app.tasks.get(position=3).pk}/")
    expect(handler_page.get_by_test_id("task")).to_be_visible()
    row = handler_page.get_by_test_id("task-record-marriage_certificate")
    expect(row).to_contain_text("J3*************0456")
    expect(row).to_contain_text(re.compile("archives.licence:\\d+"))
    expect(handler_page.get_by_test_id("task-record-father_id_card")).not_to_contain_text(
        husband.id_number
    )
    assert reference


def test_the_records_box_on_a_360px_phone(family, open_page, login):
    husband, wife, citizen = family
    page = open_page("phone")
    page.set_viewport_size({"width": 360, "height": 780})
    start_newborn(page, login, citizen)
    expect(page.get_by_test_id("records")).to_be_visible()
    page.get_by_test_id("use-records").check()
    page.get_by_test_id("save-draft").click()
    expect(page.locator("input[type=file]")).to_have_count(4)
    # Nothing wider than the screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    page.get_by_test_id("records").scroll_into_view_if_needed()
    page.screenshot(path="e2e/screenshots/onceonly-form-360.png", full_page=True)


def test_an_unverified_citizen_uploads_everything_and_is_told_why(seeded, open_page, login):  # noqa: F811
    citizen = make_user(Role.CITIZEN, full_name="李芳", verified=False)
    page = open_page("desktop")
    start_newborn(page, login, citizen)
    expect(page.get_by_test_id("records-verify-hint")).to_be_visible()
    expect(page.get_by_test_id("records")).to_have_count(0)
    expect(page.locator("input[type=file]")).to_have_count(8)
