"""Browser journeys of one-thing bundles, from the questionnaire to the combined result.

- Newborn (新生儿出生“一件事”): a citizen applies online; pre-review tells every problem at once;
  departments handle their parts in the order of their dependencies; one asks for a correction,
  which the citizen supplies; the combined result appears.
- Restaurant (开办餐饮店“一件事”): a window clerk applies at the service hall on the
  enterprise's behalf (一窗受理); the fire brigade rejects its part with a reason; the clerk
  sees the final, partly completed result.
"""

import re

import pytest
from playwright.sync_api import expect

from banhao.accounts.roles import Role
from banhao.onething.models import Application, Task
from banhao.org.models import Department, Venue
from banhao.portal.seeding import run_all
from banhao.testing import PASSWORD, make_user, valid_credit_code, valid_id_number

pytestmark = pytest.mark.browser


@pytest.fixture
def seeded(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    run_all()


@pytest.fixture
def files(tmp_path):
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + b"0" * 4000)
    jpg = tmp_path / "photo.jpg"
    jpg.write_bytes(b"\xff\xd8\xff" + b"0" * 4000)
    return {"pdf": str(pdf), "jpg": str(jpg)}


def handler(department: str):
    return make_user(
        Role.DEPT_HANDLER, department=Department.objects.get(name=department, level="county")
    )


def fill_form(page, values: dict) -> None:
    for key, value in values.items():
        field = page.locator(f"#f-{key}")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def upload_all(page, files) -> None:
    for input_el in page.locator("input[type=file]").all():
        accept = input_el.get_attribute("accept") or ""
        input_el.set_input_files(files["pdf"] if ".pdf" in accept else files["jpg"])


def act_on_task(
    browser_page, login, user, reference: str, item: str, action: str, shot: str = "", **values
):
    """A handler opens the queue, finds the item of this application and acts on it."""
    login(browser_page, user.username, PASSWORD)
    browser_page.goto("/services/queue/")
    if shot:
        browser_page.screenshot(path=f"e2e/screenshots/{shot}-queue.png", full_page=True)
    row = browser_page.get_by_test_id("queue-row").filter(has_text=reference).filter(has_text=item)
    expect(row).to_have_count(1)
    row.get_by_test_id("open-task").click()
    expect(browser_page.get_by_test_id("task")).to_be_visible()
    if shot:
        browser_page.screenshot(path=f"e2e/screenshots/{shot}-task.png", full_page=True)
    if action == "approve":
        browser_page.locator("#result").fill(values["result"])
        browser_page.get_by_test_id("approve").click()
        expect(browser_page.get_by_test_id("task-state")).to_have_text(re.compile(".+"))
        expect(browser_page.get_by_test_id("task")).to_have_attribute("data-state", "approved")
    elif action == "reject":
        browser_page.locator("#reason").fill(values["reason"])
        browser_page.get_by_test_id("reject").click()
        expect(browser_page.get_by_test_id("task")).to_have_attribute("data-state", "rejected")
    elif action == "correction":
        browser_page.locator("#c-message").fill(values["message"])
        for code in values.get("materials", []):
            browser_page.locator(f"input[name=materials][value={code}]").check()
        for key in values.get("fields", []):
            browser_page.locator(f"input[name=fields][value={key}]").check()
        browser_page.get_by_test_id("request-correction").click()
        expect(browser_page.get_by_test_id("task")).to_have_attribute("data-state", "correction")
    browser_page.get_by_test_id("logout").click()


NEWBORN_ANSWERS = [
    "born_in_city",
    "in_wedlock",
    "parent_local_hukou",
    "under_one",
    "mother_employee_insured",
    "parenting_guidance",
]


def test_newborn_online_with_prereview_and_correction(seeded, open_page, login, files):
    citizen = make_user(Role.CITIZEN, full_name="李芳", phone="13905331234")
    page = open_page("desktop")
    login(page, citizen.username, PASSWORD)
    page.goto("/services/9/")
    expect(page.get_by_test_id("reform-figures")).to_be_visible()
    page.get_by_test_id("apply").click()

    # 智能导引: the answers pick the items.
    for key in NEWBORN_ANSWERS:
        page.locator(f"input[name={key}][value=yes]").check()
    page.get_by_test_id("save-answers").click()
    expect(page.get_by_test_id("application-form")).to_be_visible()
    expect(page.get_by_test_id("form-items").locator("li")).to_have_count(7)
    reference = page.get_by_test_id("application-form").get_attribute("data-reference")

    # One form: typing mistakes and a missing upload, all reported together, nothing lost.
    values = {
        "child_name": "王小宝",
        "child_sex": "m",
        "child_birth_date": "2099-01-01",
        "birth_hospital": "沂源县人民医院",
        "mother_name": "李芳",
        "mother_id_number": "370323199503120011",
        "father_name": "王强",
        "father_id_number": valid_id_number("19930805"),
        "contact_mobile": "1390533",
        "vaccination_clinic": "county_cdc",
        "marriage_cert_number": "J370323-2021-000123",
        "hukou_address": "沂源县南麻街道振兴路12号",
        "mailing_address": "沂源县南麻街道振兴路12号",
        "maternity_cost": "6850.50",
        "bank_name": "中国农业银行沂源支行",
        "bank_account": "6228480000000000001",
    }
    fill_form(page, values)
    page.get_by_test_id("submit").click()
    notice = page.get_by_test_id("prereview-problems")
    expect(notice).to_be_visible()
    codes = notice.locator("li").evaluate_all("els => els.map(e => e.dataset.code)")
    assert codes[:3] == ["date_future", "id_checksum", "mobile_invalid"]
    assert codes.count("material_missing") == 8
    expect(page.locator("#f-contact_mobile")).to_have_value("1390533")
    page.screenshot(path="e2e/screenshots/onething-newborn-prereview.png", full_page=True)

    birth = (Application.objects.get(applicant=citizen).created_at.date()).replace(day=1)
    fill_form(
        page,
        {
            "child_birth_date": birth.isoformat(),
            "mother_id_number": valid_id_number("19950312"),
            "contact_mobile": "13905331234",
        },
    )
    upload_all(page, files)
    page.get_by_test_id("submit").click()
    status = page.get_by_test_id("application-status")
    expect(status).to_have_attribute("data-state", "in_progress")
    expect(page.get_by_test_id("task-3")).to_have_attribute("data-state", "waiting")

    # Departments: birth certificate first; then registration and reimbursement can start.
    staff = open_page("desktop")
    health, police = handler("县卫生健康局"), handler("县公安局")
    hrss, medical = handler("县人力资源社会保障局"), handler("市医疗保障局沂源分局")
    act_on_task(staff, login, health, reference, "《出生医学证明》", "approve", result="R370123456")
    act_on_task(
        staff,
        login,
        health,
        reference,
        "预防接种证",
        "correction",
        message="母子健康手册照片不清晰，请重新上传。",
        materials=["maternal_health_handbook"],
    )

    # The citizen is told, corrects, and the same task resumes.
    page.goto(f"/services/applications/{Application.objects.get(applicant=citizen).pk}/")
    expect(page.get_by_test_id("overall-status")).to_be_visible()
    expect(status).to_have_attribute("data-state", "correction")
    page.get_by_test_id("answer-correction").click()
    page.get_by_test_id("send-correction").click()  # without the file: told, not lost
    expect(page.get_by_test_id("prereview-problems")).to_be_visible()
    page.locator("#m-maternal_health_handbook").set_input_files(files["pdf"])
    page.get_by_test_id("send-correction").click()
    expect(status).to_have_attribute("data-state", "in_progress")

    act_on_task(
        staff, login, health, reference, "预防接种证", "approve", result="370323202611260001"
    )
    act_on_task(staff, login, health, reference, "科学育儿", "approve", result="YE-2026-0001")
    act_on_task(
        staff,
        login,
        police,
        reference,
        "户口登记",
        "approve",
        result="370323202611260012",
        shot="onething-newborn-police",
    )
    act_on_task(staff, login, hrss, reference, "社会保障卡", "approve", result="A12345678")
    act_on_task(staff, login, medical, reference, "生育医疗", "approve", result="2026112600001234")
    act_on_task(staff, login, medical, reference, "居民医保", "approve", result="37032320261126")

    page.reload()
    expect(status).to_have_attribute("data-state", "completed")
    result = page.get_by_test_id("combined-result")
    expect(result).to_contain_text("R370123456")
    expect(result).to_contain_text("370323202611260012")
    expect(result).to_contain_text("A12345678")
    expect(page.get_by_test_id("timeline").locator("li")).to_have_count(
        Application.objects.get(applicant=citizen).events.count()
    )
    # Notified of the correction and of the result.
    page.goto("/notifications/")
    expect(page.locator("body")).to_contain_text("新生儿出生“一件事”")
    phone = open_page("phone")
    login(phone, citizen.username, PASSWORD)
    phone.goto(f"/services/applications/{Application.objects.get(applicant=citizen).pk}/")
    expect(phone.get_by_test_id("combined-result")).to_be_visible()


def test_restaurant_at_the_window_with_a_rejection(seeded, open_page, login, files):
    venue = Venue.objects.order_by("id").first()
    clerk = make_user(Role.WINDOW_CLERK, venue=venue, full_name="王晓燕")
    code = valid_credit_code()
    page = open_page("desktop")
    login(page, clerk.username, PASSWORD)
    page.goto("/services/3/")
    page.get_by_test_id("apply-window").click()
    page.locator("#a-name").fill("沂源县鲁山示范餐饮有限公司")
    page.locator("#a-id").fill("91370323MA3C00001X")  # a wrong check character
    page.get_by_test_id("start").click()
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    expect(page.locator("#a-name")).to_have_value("沂源县鲁山示范餐饮有限公司")
    page.locator("#a-id").fill(code)
    page.locator("#a-phone").fill("13805331234")
    page.get_by_test_id("start").click()

    for key, value in {
        "has_business_licence": "yes",
        "food_kind": "hot",
        "outdoor_sign": "yes",
        "assembly_venue": "yes",
    }.items():
        page.locator(f"input[name={key}][value={value}]").check()
    page.get_by_test_id("save-answers").click()
    expect(page.get_by_test_id("form-items").locator("li")).to_have_count(4)
    reference = page.get_by_test_id("application-form").get_attribute("data-reference")
    fill_form(
        page,
        {
            "enterprise_name": "沂源县鲁山示范餐饮有限公司",
            "credit_code": code,
            "legal_rep_name": "赵明",
            "legal_rep_id_number": valid_id_number("19850101"),
            "business_address": "沂源县历山街道鲁山路88号",
            "contact_name": "赵明",
            "contact_mobile": "13805331234",
            "operating_area_sqm": "320",
            "food_safety_manager": "钱敏",
            "sign_text": "鲁山人家",
            "sign_size_sqm": "6.5",
            "building_area_sqm": "420",
            "seats": "120",
            "fire_safety_manager": "孙磊",
        },
    )
    upload_all(page, files)
    page.get_by_test_id("save-draft").click()  # a draft at every step
    expect(page.get_by_test_id("uploaded-premises_proof")).to_be_visible()
    page.get_by_test_id("prereview").click()
    expect(page.get_by_test_id("prereview-problems")).to_have_count(0)
    page.get_by_test_id("submit").click()
    status = page.get_by_test_id("application-status")
    expect(status).to_have_attribute("data-state", "in_progress")
    app = Application.objects.get(created_by=clerk)
    assert (app.channel, app.receiving_venue_id) == ("window", venue.pk)

    staff = open_page("desktop")
    approval = handler("县行政审批服务局")
    enforcement, fire = handler("县综合行政执法局"), handler("县消防救援大队")
    act_on_task(staff, login, approval, reference, "营业执照信息核验", "approve", result=code)
    act_on_task(
        staff, login, approval, reference, "食品经营许可", "approve", result="JY23703230012345"
    )
    act_on_task(
        staff,
        login,
        enforcement,
        reference,
        "户外招牌",
        "approve",
        result="源执法招字〔2026〕0123号",
    )
    act_on_task(
        staff,
        login,
        fire,
        reference,
        "消防安全检查",
        "reject",
        shot="onething-restaurant-fire",
        reason="疏散通道宽度不足1.4米，不符合公众聚集场所消防安全要求，整改后可重新申请。",
    )
    assert Task.objects.get(application=app, position=4).state == "rejected"

    page.goto("/services/applications/")
    page.get_by_role("link", name=reference).click()
    expect(status).to_have_attribute("data-state", "partly_completed")
    result = page.get_by_test_id("combined-result")
    expect(result).to_contain_text("JY23703230012345")
    expect(result.get_by_test_id("result-4")).to_contain_text("疏散通道宽度不足")


def test_public_bundle_page_on_desktop_and_phone(seeded, open_page):
    for viewport in ("desktop", "phone"):
        page = open_page(viewport)
        page.goto("/services/9/")
        figures = page.get_by_test_id("reform-figures")
        expect(figures).to_be_visible()
        expect(page.get_by_test_id("bundle-items").locator("tbody tr")).to_have_count(7)
        # The page fits the screen: nothing wider than the viewport but the scrollable table.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"] + 1
    english = open_page("phone", locale="en-GB")
    english.goto("/services/")
    expect(english.get_by_test_id("bundle-9")).to_contain_text("Birth of a child")
