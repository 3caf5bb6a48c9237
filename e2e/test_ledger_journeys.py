"""The key-task ledger in the browser: a unit reports with evidence, the office closes a task,
the office imports the shipped ledger spreadsheet, and the leader's dashboard."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from banhao.accounts.roles import Role
from banhao.ledger import services
from banhao.ledger.models import LedgerTask, ProgressReport
from banhao.portal.seeding import run_all
from banhao.testing import PASSWORD, department, make_user

from .helpers import horizontal_overflow

pytestmark = pytest.mark.browser
SHIPPED = (
    Path(__file__).resolve().parents[1]
    / "banhao"
    / "ledger"
    / "static"
    / "ledger"
    / "annex1_ledger.xlsx"
)


@pytest.fixture
def seeded(transactional_db):
    from django.core.cache import cache

    cache.clear()  # the dashboard is cached per ledger version
    run_all()


def staff(role, unit, name):
    return make_user(role, department=department(unit), full_name=name)


def test_a_unit_files_a_progress_report_with_evidence(seeded, open_page, login, tmp_path):
    today = timezone.localdate()
    task = LedgerTask.objects.get(source__code="measures", position=1)
    services.set_schedule(
        actor=staff(Role.DEPT_HANDLER, "县政府办公室", "王芳"),
        task_id=task.pk,
        cycle="weekly",
        cycle_starts_on=today - dt.timedelta(days=today.weekday()),
        deadline=today + dt.timedelta(days=120),
    )
    handler = staff(Role.DEPT_HANDLER, "县行政审批服务局", "刘建国")
    evidence = tmp_path / "进驻事项清单.pdf"
    evidence.write_bytes(b"%PDF-1.4 list of stationed items")

    page = open_page("desktop")
    login(page, handler.username, PASSWORD)
    page.get_by_test_id("card-ledger-mine").click()
    owed = page.get_by_test_id("owed")
    expect(owed).to_contain_text("推进线下办事“只进一门”")
    # Annex 1's task 1 and measure 一 share this name; the unit owes the measure's report.
    owed.locator(f'a[href="/ledger/tasks/{task.pk}/"]').click()
    page.get_by_test_id("file-report").click()
    form = page.get_by_test_id("report-form")
    form.locator("textarea[name=text]").fill("已完成政务大厅进驻事项调整，公示清单 126 项。")
    form.locator("input[name=percent]").fill("60")
    form.locator("input[name=files]").set_input_files(str(evidence))
    form.locator("button[type=submit]").click()

    report = page.get_by_test_id("report").first
    expect(report).to_contain_text("已完成政务大厅进驻事项调整")
    expect(report).to_contain_text("60%")
    expect(report.get_by_test_id("evidence-link")).to_have_text("进驻事项清单.pdf")
    saved = ProgressReport.objects.get(task=task)
    assert (saved.unit.name, saved.percent, saved.evidence.get().original_name) == (
        "县行政审批服务局",
        60,
        "进驻事项清单.pdf",
    )
    # 14 units on the task (1 lead + 13 townships): 60 / 14 rounds to 4.
    expect(page.get_by_test_id("progress")).to_have_text("4%")
    with page.expect_download() as download:
        report.get_by_test_id("evidence-link").click()
    assert Path(download.value.path()).read_bytes() == b"%PDF-1.4 list of stationed items"

    phone = open_page("phone")
    login(phone, handler.username, PASSWORD)
    phone.goto(f"/ledger/tasks/{task.pk}/")
    expect(phone.get_by_test_id("reports")).to_contain_text("已完成政务大厅进驻事项调整")
    assert horizontal_overflow(phone) == 0


def test_the_office_signs_off_a_task_the_lead_unit_closed(seeded, open_page, login, tmp_path):
    task = LedgerTask.objects.get(source__code="annex1", position=5)  # lead: 县大数据中心
    lead_head = staff(Role.DEPT_HEAD, "县大数据中心", "陈志强")
    pdf = tmp_path / "验收报告.pdf"
    pdf.write_bytes(b"%PDF-1.4 acceptance")
    page = open_page("desktop")
    login(page, lead_head.username, PASSWORD)
    page.goto(f"/ledger/tasks/{task.pk}/")
    page.get_by_test_id("propose-close").click()
    form = page.get_by_test_id("close-form")
    form.locator("textarea[name=summary]").fill("企业法人数据已全部更新，档案上线。")
    form.locator("input[name=files]").set_input_files(str(pdf))
    form.locator("button[type=submit]").click()
    # The lead unit's head proposing is its confirmation: the task waits for the office.
    expect(page.get_by_test_id("stage")).to_have_attribute("data-stage", "lead_confirmed")
    expect(page.get_by_test_id("closure-panel")).to_contain_text("验收报告.pdf")

    office_head = staff(Role.DEPT_HEAD, "县政府办公室", "周明")
    office = open_page("desktop")
    login(office, office_head.username, PASSWORD)
    office.goto(f"/ledger/tasks/{task.pk}/")
    panel = office.get_by_test_id("closure-panel")
    expect(panel).to_contain_text("企业法人数据已全部更新")
    panel.locator("#signoff-note").fill("材料齐全，同意销号。")
    panel.get_by_test_id("sign-off").click()
    expect(office.locator("[data-status=done]").first).to_be_visible()
    expect(office.get_by_test_id("history")).to_contain_text("材料齐全，同意销号。")
    task.refresh_from_db()
    assert task.stage == "closed" and task.closed_at is not None
    expect(office.get_by_test_id("reopen")).to_be_visible()


def test_the_office_imports_the_shipped_ledger_spreadsheet(seeded, open_page, login, tmp_path):
    handler = staff(Role.DEPT_HANDLER, "县政府办公室", "王芳")
    page = open_page("desktop")
    login(page, handler.username, PASSWORD)
    page.goto("/ledger/import/")
    # First a spreadsheet with a mistake: nothing is imported, each problem is shown.
    import openpyxl

    broken = openpyxl.load_workbook(SHIPPED)
    broken.active["F4"] = "县不存在局"
    broken.active["E5"] = "明年"
    bad = tmp_path / "有错.xlsx"
    broken.save(bad)
    form = page.get_by_test_id("import-form")
    form.locator("input[name=file]").set_input_files(str(bad))
    form.locator("input[name=source_title]").fill("2024年重点任务（导入）")
    form.locator("button[type=submit]").click()
    issues = page.get_by_test_id("import-issue")
    expect(issues).to_have_count(2)
    expect(issues.nth(0)).to_contain_text("F4")
    expect(issues.nth(1)).to_contain_text("E5")
    assert not LedgerTask.objects.filter(source__title="2024年重点任务（导入）").exists()
    expect(page.locator("input[name=source_title]")).to_have_value("2024年重点任务（导入）")

    form = page.get_by_test_id("import-form")
    form.locator("input[name=file]").set_input_files(str(SHIPPED))
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("task-row")).to_have_count(10)
    expect(page.get_by_test_id("ledger-table")).to_contain_text("强化数字机关建设支撑保障")
    imported = LedgerTask.objects.filter(source__title="2024年重点任务（导入）")
    assert imported.count() == 10
    assert list(imported.order_by("position").values_list("name", flat=True)) == list(
        LedgerTask.objects.filter(source__code="annex1")
        .order_by("position")
        .values_list("name", flat=True)
    )


def test_the_leaders_dashboard(seeded, open_page, login):
    today = timezone.localdate()
    office_handler = staff(Role.DEPT_HANDLER, "县政府办公室", "王芳")
    task = LedgerTask.objects.get(source__code="payment-plan", position=1)
    services.set_schedule(
        actor=office_handler,
        task_id=task.pk,
        cycle="monthly",
        cycle_starts_on=today.replace(day=1),
        deadline=today + dt.timedelta(days=90),
    )
    reporter = staff(Role.DEPT_HANDLER, "县商务局", "赵磊")
    services.file_report(actor=reporter, task_id=task.pk, text="重点商户名录已确定", percent=30)
    leader = make_user(Role.COUNTY_LEADER, full_name="周文斌")

    page = open_page("desktop")
    login(page, leader.username, PASSWORD)
    page.get_by_test_id("card-ledger-dashboard").click()
    counts = page.get_by_test_id("status-counts")
    # The seeded Annex 1 tasks' deadlines (2024) have passed: all ten are overdue.
    expect(counts.locator("[data-status=overdue] strong")).to_have_text("10")
    expect(counts.locator("[data-status=done] strong")).to_have_text("0")
    for chart in ("chart-status", "chart-trend", "chart-units"):
        expect(page.get_by_test_id(chart).locator("svg.chart")).to_be_visible()
    expect(page.get_by_test_id("overdue").locator("tbody tr")).to_have_count(10)
    expect(page.get_by_test_id("chart-units")).to_contain_text("县行政审批服务局")

    phone = open_page("phone")
    login(phone, leader.username, PASSWORD)
    phone.goto("/ledger/dashboard/")
    expect(phone.get_by_test_id("chart-status").locator("svg.chart")).to_be_visible()
    assert horizontal_overflow(phone) == 0
