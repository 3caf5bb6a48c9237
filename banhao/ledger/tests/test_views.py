"""Pages through real HTTP requests: who may see and do what, and constant query counts."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from banhao.accounts.roles import Role
from banhao.ledger import services
from banhao.ledger.models import Evidence, LedgerTask, ProgressReport
from banhao.ledger.tests.factories import office, task, unit_staff
from banhao.testing import department, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "anonymous": None,
        "citizen": make_user(Role.CITIZEN),
        "other_unit": unit_staff("县公安局"),
        "own_unit": unit_staff(),
        "own_head": unit_staff(role=Role.DEPT_HEAD),
        "office": office(Role.DEPT_HANDLER),
        "office_head": office(),
        "leader": make_user(Role.COUNTY_LEADER),
    }


def client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client


def pdf(name="材料.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 x", content_type="application/pdf")


@pytest.mark.parametrize(
    ("who", "status", "listed"),
    [
        ("anonymous", 302, False),
        ("citizen", 403, False),
        ("other_unit", 200, False),
        ("own_unit", 200, True),
        ("office", 200, True),
        ("leader", 200, True),
    ],
)
def test_ledger_list(client, people, who, status, listed):
    obj = task()
    response = client_for(client, people[who]).get("/ledger/")
    assert response.status_code == status
    if status == 200:
        assert (obj.name in response.content.decode()) is listed


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("citizen", 403),
        ("other_unit", 404),
        ("own_unit", 200),
        ("office", 200),
        ("leader", 200),
    ],
)
def test_task_page(client, people, who, status):
    obj = task()
    response = client_for(client, people[who]).get(f"/ledger/tasks/{obj.pk}/")
    assert response.status_code == status
    if status == 200:
        assert obj.name in response.content.decode()


def test_a_unit_files_a_report_through_the_page(client, people):
    obj = task(deadline=timezone.localdate() + dt.timedelta(days=200))
    client = client_for(client, people["own_unit"])
    page = client.get(f"/ledger/tasks/{obj.pk}/report/")
    assert page.status_code == 200
    response = client.post(
        f"/ledger/tasks/{obj.pk}/report/",
        {"text": "已梳理进驻事项 120 项", "percent": "40", "files": [pdf(), pdf("照片.png")]},
    )
    assert response.status_code == 302 and response["Location"] == f"/ledger/tasks/{obj.pk}/"
    report = ProgressReport.objects.get()
    assert (report.text, report.percent, report.evidence.count()) == (
        "已梳理进驻事项 120 项",
        40,
        2,
    )
    detail = client.get(f"/ledger/tasks/{obj.pk}/").content.decode()
    assert "已梳理进驻事项 120 项" in detail and "照片.png" in detail


def test_a_refused_report_keeps_what_was_typed(client, people):
    obj = task()
    response = client_for(client, people["own_unit"]).post(
        f"/ledger/tasks/{obj.pk}/report/", {"text": "写了很多内容", "percent": "120"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "写了很多内容" in body and 'value="120"' in body
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("other_unit", 404), ("office", 403), ("leader", 403)])
def test_only_the_tasks_units_report(client, people, who, status):
    obj = task()
    response = client_for(client, people[who]).post(
        f"/ledger/tasks/{obj.pk}/report/", {"text": "x", "percent": "5"}
    )
    assert response.status_code == status
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"), [("other_unit", 404), ("own_unit", 200), ("leader", 200), ("anonymous", 302)]
)
def test_evidence_download(client, people, who, status):
    obj = task()
    services.file_report(
        actor=people["own_unit"], task_id=obj.pk, text="x", percent=5, files=[pdf()]
    )
    evidence = Evidence.objects.get()
    response = client_for(client, people[who]).get(f"/ledger/evidence/{evidence.pk}/")
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == b"%PDF-1.4 x"
        assert "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize(("who", "status"), [("own_head", 403), ("leader", 403), ("office", 200)])
def test_schedule_page(client, people, who, status):
    obj = task()
    client = client_for(client, people[who])
    assert client.get(f"/ledger/tasks/{obj.pk}/schedule/").status_code == status
    response = client.post(
        f"/ledger/tasks/{obj.pk}/schedule/",
        {
            "cycle": "monthly",
            "cycle_starts_on": "2026-01-01",
            "starts_on": "2026-01-01",
            "deadline": "2026-12-31",
        },
    )
    obj.refresh_from_db()
    if status == 200:
        assert response.status_code == 302
        assert (obj.cycle, obj.deadline) == ("monthly", dt.date(2026, 12, 31))
    else:
        assert response.status_code == 403 and obj.cycle == "none"


def test_closing_through_the_pages(client, people):
    obj = task()
    unit = client_for(client, people["own_head"])
    response = unit.post(
        f"/ledger/tasks/{obj.pk}/close/", {"summary": "全部完成", "files": [pdf()]}
    )
    assert response.status_code == 302
    obj.refresh_from_db()
    assert obj.stage == "lead_confirmed"
    client.logout()
    office_client = client_for(client, people["office"])
    office_client.post(f"/ledger/tasks/{obj.pk}/sign-off/", {"note": ""})
    obj.refresh_from_db()
    assert obj.stage == "lead_confirmed"  # a handler may not sign off
    client.logout()
    head = client_for(client, people["office_head"])
    assert head.post(f"/ledger/tasks/{obj.pk}/sign-off/", {"note": "同意"}).status_code == 302
    obj.refresh_from_db()
    assert obj.stage == "closed"
    head.post(f"/ledger/tasks/{obj.pk}/reopen/", {"note": "复核发现问题"})
    obj.refresh_from_db()
    assert (obj.stage, obj.reopened_count) == ("open", 1)
    assert "复核发现问题" in head.get(f"/ledger/tasks/{obj.pk}/").content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("own_unit", 403), ("other_unit", 403), ("office", 200), ("leader", 200)],
)
def test_dashboard_access(client, people, who, status):
    task()
    assert client_for(client, people[who]).get("/ledger/dashboard/").status_code == status


@pytest.mark.parametrize(("who", "status"), [("own_unit", 403), ("leader", 403), ("office", 200)])
def test_import_page_access(client, people, who, status):
    assert client_for(client, people[who]).get("/ledger/import/").status_code == status


def _grow(n: int, reporter):
    today = timezone.localdate()
    for i in range(n):
        t = task(
            f"任务{LedgerTask.objects.count() + 1}",
            responsible=("悦庄镇人民政府", "县公安局"),
            deadline=today + dt.timedelta(days=(i % 3 - 1) * 30),
        )
        services.file_report(actor=reporter, task_id=t.pk, text="进展", percent=10 * (i % 10))


def test_dashboard_and_unit_view_query_counts_do_not_grow(
    client, people, django_assert_max_num_queries
):
    leader = client_for(client, people["leader"])
    _grow(3, people["own_unit"])
    with django_assert_max_num_queries(26):
        assert leader.get("/ledger/dashboard/").status_code == 200
    _grow(12, people["own_unit"])
    with django_assert_max_num_queries(26):
        assert leader.get("/ledger/dashboard/").status_code == 200
    client.logout()
    unit = client_for(client, people["own_unit"])
    with django_assert_max_num_queries(12):
        assert unit.get("/ledger/mine/").status_code == 200
    with django_assert_max_num_queries(12):
        assert unit.get("/ledger/").status_code == 200


def test_task_page_query_count_does_not_grow_with_reports(
    client, people, django_assert_max_num_queries
):
    obj = task(responsible=("悦庄镇人民政府",))
    services.file_report(
        actor=people["own_unit"], task_id=obj.pk, text="a", percent=5, files=[pdf()]
    )
    town = unit_staff("悦庄镇人民政府")
    viewer = client_for(client, people["leader"])
    with django_assert_max_num_queries(16) as first:
        viewer.get(f"/ledger/tasks/{obj.pk}/")
    services.file_report(
        actor=town, task_id=obj.pk, text="b", percent=5, files=[pdf(), pdf("b.pdf")]
    )
    with django_assert_max_num_queries(len(first.captured_queries)):
        viewer.get(f"/ledger/tasks/{obj.pk}/")


def test_unit_view_lists_what_is_owed(client, people):
    today = timezone.localdate()
    obj = task(deadline=today + dt.timedelta(days=100))
    services.set_schedule(
        actor=people["office"],
        task_id=obj.pk,
        cycle="weekly",
        cycle_starts_on=today - dt.timedelta(days=14),
        deadline=obj.deadline,
    )
    body = client_for(client, people["own_unit"]).get("/ledger/mine/").content.decode()
    assert obj.name in body
    assert 'data-testid="late"' in body


@pytest.mark.parametrize(("who", "status"), [("own_head", 403), ("leader", 403), ("office", 302)])
def test_naming_a_lead_unit(client, people, who, status):
    from banhao.ledger.models import TaskUnit

    obj = task(leads=(), responsible=("县商务局",))
    bank = department("中国人民银行淄博市分行沂源营业管理部")
    response = client_for(client, people[who]).post(
        f"/ledger/tasks/{obj.pk}/units/", {"department": bank.pk, "role": "lead"}
    )
    assert response.status_code == status
    assert TaskUnit.objects.filter(task=obj, department=bank, role="lead").exists() is (
        status == 302
    )


def test_weights_typed_are_kept_on_error(client, people):
    from banhao.ledger.models import Indicator

    Indicator.objects.create(
        code="ledger-completion", source="ledger.completion", name="完成率", weight=30
    )
    response = client_for(client, people["office"]).post(
        "/ledger/indicators/", {"weight-ledger-completion": "3o"}
    )
    assert response.status_code == 200
    assert 'value="3o"' in response.content.decode()
    assert Indicator.objects.get().weight == 30


def test_the_cached_dashboard_follows_every_change(client, people):
    today = timezone.localdate()
    obj = task(deadline=today + dt.timedelta(days=300), starts_on=today)
    leader = client_for(client, people["leader"])

    def done_count():
        body = leader.get("/ledger/dashboard/").content.decode()
        return body.split('data-status="done"')[1].split("<strong>")[1].split("</strong>")[0]

    assert done_count() == "0"
    services.propose_closure(
        actor=people["own_head"], task_id=obj.pk, summary="完成", files=[pdf()]
    )
    assert done_count() == "0"
    services.sign_off(actor=people["office_head"], task_id=obj.pk)
    assert done_count() == "1"
