"""Browser journeys of the archives (一人一档, 一企一档).

- Prefill (智能预填): a mother applies for the newborn one-thing; the form opens with her and her
  husband's names and ID numbers, the marriage certificate and the household address filled in
  from their archives, each marked "from your archive".
- Renewal (主动办): the daily reminder job tells an enterprise its food business licence expires
  in 30 days; from the message it starts the renewal, the form opens with the enterprise's data
  and the licence number, it submits; once approved, its archive shows the new licence current
  and the old one superseded.
"""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from banhao.accounts.roles import Role
from banhao.archives import services as archives
from banhao.archives.models import Licence, LicenceSource, LicenceType
from banhao.onething import services as onething
from banhao.onething.models import Application, Task
from banhao.onething.states import TaskState
from banhao.portal.seeding import run_all
from banhao.testing import PASSWORD, enterprise_archive, make_user, person_archive, valid_id_number

pytestmark = pytest.mark.browser


@pytest.fixture
def seeded(transactional_db, settings, tmp_path):
    from banhao.archives.licence_types import invalidate

    settings.MEDIA_ROOT = tmp_path / "media"
    invalidate()
    run_all()
    yield
    invalidate()


@pytest.fixture
def files(tmp_path):
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + b"0" * 4000)
    jpg = tmp_path / "photo.jpg"
    jpg.write_bytes(b"\xff\xd8\xff" + b"0" * 4000)
    return {"pdf": str(pdf), "jpg": str(jpg)}


def _id(birth: str, female: bool) -> str:
    serial = 202 if female else 301
    return valid_id_number(birth, serial=serial)


def test_newborn_form_is_prefilled_from_the_parents_archives(seeded, open_page, login):
    mother = person_archive(
        _id("19950312", True),
        name="李芳",
        phone="13905331234",
        address="沂源县南麻街道振兴路12号",
        hukou_address="沂源县南麻街道振兴路12号",
    )
    father = person_archive(_id("19930805", False), name="王强", spouse=mother)
    mother.spouse = father
    mother.save(update_fields=["spouse"])
    archives.issue_licence(
        actor=None,
        licence_type=LicenceType.objects.get(code="marriage_certificate"),
        number="J370323-2021-000123",
        issued_on=dt.date(2021, 5, 20),
        source=LicenceSource.IMPORT,
        source_ref="marriage:e2e",
        person=mother,
    )
    citizen = make_user(Role.CITIZEN, id_number=mother.id_number, full_name="李芳")
    page = open_page("phone")
    login(page, citizen.username, PASSWORD)
    page.goto("/services/9/")
    page.get_by_test_id("apply").click()
    for key in ["born_in_city", "in_wedlock", "parent_local_hukou", "under_one"]:
        page.locator(f"input[name={key}][value=yes]").check()
    for key in ["mother_employee_insured", "parenting_guidance"]:
        page.locator(f"input[name={key}][value=no]").check()
    page.get_by_test_id("save-answers").click()
    expect(page.get_by_test_id("application-form")).to_be_visible()
    expect(page.get_by_test_id("prefill-notice")).to_be_visible()
    expected = {
        "mother_name": "李芳",
        "mother_id_number": mother.id_number,
        "father_name": "王强",
        "father_id_number": father.id_number,
        "marriage_cert_number": "J370323-2021-000123",
        "hukou_address": "沂源县南麻街道振兴路12号",
        "contact_mobile": "13905331234",
    }
    for key, value in expected.items():
        expect(page.locator(f"#f-{key}")).to_have_value(value)
        expect(page.get_by_test_id(f"prefilled-{key}")).to_be_visible()
    expect(page.locator("#f-child_name")).to_have_value("")
    expect(page.get_by_test_id("prefilled-child_name")).to_have_count(0)
    # The applicant corrects one prefilled value; the draft keeps it, unmarked.
    page.locator("#f-hukou_address").fill("沂源县历山街道鲁山路1号")
    page.locator("#f-child_name").fill("王小宝")
    page.get_by_test_id("save-draft").click()
    expect(page.locator("#f-hukou_address")).to_have_value("沂源县历山街道鲁山路1号")
    expect(page.get_by_test_id("prefilled-hukou_address")).to_have_count(0)
    expect(page.get_by_test_id("prefilled-father_id_number")).to_be_visible()
    page.screenshot(path="e2e/screenshots/archives-newborn-prefill.png", full_page=True)


def test_licence_holder_is_reminded_and_renews(seeded, open_page, login, files):
    today = timezone.localdate()
    firm = enterprise_archive(
        name="沂源县鲁山示范餐饮有限公司",
        legal_representative="赵明",
        address="沂源县历山街道鲁山路88号",
    )
    user = make_user(
        Role.ENTERPRISE,
        credit_code=firm.credit_code,
        organisation_name=firm.name,
        contact_name="赵明",
        phone="13805331234",
    )
    old = archives.issue_licence(
        actor=None,
        licence_type=LicenceType.objects.get(code="food_business_licence"),
        number="JY23703230000456",
        issued_on=today - dt.timedelta(days=1796),
        expires_on=today + dt.timedelta(days=30),
        source=LicenceSource.IMPORT,
        source_ref="food:e2e",
        enterprise=firm,
    )
    assert archives.send_renewal_reminders() == 1  # the daily job
    assert archives.send_renewal_reminders() == 0

    page = open_page("desktop")
    login(page, user.username, PASSWORD)
    page.goto("/notifications/")
    card = page.get_by_test_id("inbox").locator("li").filter(has_text="JY23703230000456")
    expect(card).to_have_count(1)
    page.screenshot(path="e2e/screenshots/archives-renewal-inbox.png", full_page=True)
    card.locator("button").click()
    expect(page.get_by_test_id("renewal")).to_have_attribute("data-licence", "JY23703230000456")
    page.screenshot(path="e2e/screenshots/archives-renewal-start.png", full_page=True)
    page.get_by_test_id("start-renewal").click()

    # The renewal starts with the answer every renewal gives; the rest are the holder's.
    expect(page.locator("input[name=has_business_licence][value=yes]")).to_be_checked()
    page.locator("input[name=food_kind][value=hot]").check()
    page.locator("input[name=outdoor_sign][value=no]").check()
    page.locator("input[name=assembly_venue][value=no]").check()
    page.get_by_test_id("save-answers").click()
    expect(page.get_by_test_id("renewal-notice")).to_contain_text("JY23703230000456")
    for key, value in {
        "enterprise_name": firm.name,
        "credit_code": firm.credit_code,
        "legal_rep_name": "赵明",
        "legal_rep_id_number": firm.legal_representative_id,
        "business_address": "沂源县历山街道鲁山路88号",
        "contact_mobile": "13805331234",
    }.items():
        expect(page.locator(f"#f-{key}")).to_have_value(value)
        expect(page.get_by_test_id(f"prefilled-{key}")).to_be_visible()
    page.locator("#f-contact_name").fill("赵明")
    page.locator("#f-operating_area_sqm").fill("320")
    page.locator("#f-food_safety_manager").fill("钱敏")
    for input_el in page.locator("input[type=file]").all():
        accept = input_el.get_attribute("accept") or ""
        input_el.set_input_files(files["pdf"] if ".pdf" in accept else files["jpg"])
    page.screenshot(path="e2e/screenshots/archives-renewal-form.png", full_page=True)
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("application-status")).to_have_attribute("data-state", "in_progress")

    # The departments approve (through the services); the new licence lands in the archive.
    application = Application.objects.get(applicant=user)
    results = {1: firm.credit_code, 2: "JY23703230000999"}
    while True:
        ready = list(Task.objects.filter(application=application, state=TaskState.READY))
        if not ready:
            break
        for task in ready:
            handler = make_user(Role.DEPT_HANDLER, department=task.department)
            onething.approve(actor=handler, task_id=task.pk, result=results[task.position])
    page.goto("/archives/mine/")
    expect(page.get_by_test_id("licence-JY23703230000999")).to_have_attribute(
        "data-state", "current"
    )
    expect(page.get_by_test_id("licence-JY23703230000456")).to_have_attribute(
        "data-state", "superseded"
    )
    expect(page.get_by_test_id("upcoming")).to_have_count(0)
    old.refresh_from_db()
    assert old.superseded_by == Licence.objects.get(number="JY23703230000999")
    page.screenshot(path="e2e/screenshots/archives-renewal-done.png", full_page=True)
