"""The ledger API: scoping, a report filed over HTTP, errors as codes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from banhao.accounts.roles import Role
from banhao.ledger.models import ProgressReport
from banhao.ledger.tests.factories import office, task, unit_staff
from banhao.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "status", "names"),
    [
        ("anonymous", 401, None),
        ("citizen", 403, None),
        ("other", 200, []),
        ("own", 200, ["甲"]),
        ("leader", 200, ["甲", "乙"]),
    ],
)
def test_task_list_is_scoped(client, who, status, names):
    task("甲")
    task("乙", leads=("县大数据中心",))
    users = {
        "citizen": lambda: make_user(Role.CITIZEN),
        "other": lambda: unit_staff("县公安局"),
        "own": unit_staff,
        "leader": lambda: make_user(Role.COUNTY_LEADER),
    }
    if who != "anonymous":
        client.force_login(users[who]())
    response = client.get("/api/v1/ledger/tasks/")
    assert response.status_code == status
    if names is not None:
        assert [t["name"] for t in response.json()] == names


def test_detail_of_another_units_task_is_404(client):
    obj = task()
    client.force_login(unit_staff("县公安局"))
    assert client.get(f"/api/v1/ledger/tasks/{obj.pk}/").status_code == 404
    client.force_login(office())
    body = client.get(f"/api/v1/ledger/tasks/{obj.pk}/").json()
    assert body["units"][0]["name"] == "县行政审批服务局" and body["status"] == "on_track"


def test_file_a_report_over_http(client):
    obj = task()
    client.force_login(unit_staff())
    response = client.post(
        f"/api/v1/ledger/tasks/{obj.pk}/reports/",
        {"text": "进展", "percent": "35", "files": [SimpleUploadedFile("a.pdf", b"%PDF")]},
    )
    assert response.status_code == 201, response.content
    assert response.json()["percent"] == 35 and response.json()["evidence"] == ["a.pdf"]
    again = client.post(
        f"/api/v1/ledger/tasks/{obj.pk}/reports/", {"text": "再报", "percent": "40"}
    )
    assert again.status_code == 400
    assert again.json()["code"] == "period_reported"
    assert ProgressReport.objects.count() == 1


def test_dashboard_api_is_for_leaders_and_the_office(client):
    task()
    client.force_login(unit_staff())
    assert client.get("/api/v1/ledger/dashboard/").status_code == 403
    client.force_login(make_user(Role.COUNTY_LEADER))
    body = client.get("/api/v1/ledger/dashboard/").json()
    assert body["total"] == 1 and body["by_status"]["on_track"] == 1
