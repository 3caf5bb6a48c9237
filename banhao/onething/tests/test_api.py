"""The one-thing API: public bundles, the applicant's calls end to end, handlers' actions,
errors as codes with every problem, access per role, and the OpenAPI schema."""

import json

import pytest

from banhao.accounts.roles import Role
from banhao.onething.models import Application, Task
from banhao.testing import PASSWORD, make_user

from .factories import NEWBORN_ANSWERS, NEWBORN_RESULTS, jpg, newborn_data, pdf

pytestmark = pytest.mark.django_db
API = "/api/v1/onething"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_public_bundles(client, seeded):
    data = client.get(f"{API}/bundles/").json()
    newborn = next(b for b in data if b["number"] == 9)
    assert newborn["figures"]["bundled"]["days"] == 11
    assert newborn["items"] == 7
    detail = client.get(f"{API}/bundles/9/").json()
    assert [q["key"] for q in detail["questions"]] == list(NEWBORN_ANSWERS)
    assert detail["item_list"][2]["depends_on"] == [1]
    assert len({f["key"] for f in detail["fields"]}) == len(detail["fields"])
    assert client.get(f"{API}/bundles/99/").status_code == 404
    xml = client.get(f"{API}/bundles/3/bpmn/")
    assert xml["Content-Type"] == "application/xml"
    assert b"<bpmn:userTask" in xml.content


def test_applicant_end_to_end_over_the_api(client, citizen, handlers, media):
    assert (
        client.post(
            f"{API}/applications/", {"number": 9}, content_type="application/json"
        ).status_code
        == 401
    )
    login(client, citizen)
    first = client.post(
        f"{API}/applications/",
        {"number": 9},
        content_type="application/json",
        headers={"Idempotency-Key": "newborn-1"},
    )
    second = client.post(
        f"{API}/applications/",
        {"number": 9},
        content_type="application/json",
        headers={"Idempotency-Key": "newborn-1"},
    )
    assert first.status_code == second.status_code == 201
    app_id = first.json()["id"]
    assert second.json()["id"] == app_id
    bad = client.put(
        f"{API}/applications/{app_id}/answers/",
        {"answers": {"in_wedlock": "maybe"}},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "bad_answer"
    answers = client.put(
        f"{API}/applications/{app_id}/answers/",
        {"answers": NEWBORN_ANSWERS},
        content_type="application/json",
    )
    assert answers.json()["positions"] == [1, 2, 3, 4, 5, 6, 7]
    data = newborn_data()
    client.put(
        f"{API}/applications/{app_id}/form/",
        {"data": {**data, "child_birth_date": "2099-01-01"}},
        content_type="application/json",
    )
    problems = client.get(f"{API}/applications/{app_id}/prereview/").json()
    assert problems[0] == {
        "target": "field:child_birth_date",
        "code": "date_future",
        "message": problems[0]["message"],
    }
    assert sum(p["code"] == "material_missing" for p in problems) == 8
    refused = client.post(f"{API}/applications/{app_id}/submit/")
    assert refused.status_code == 422
    assert len(refused.json()["problems"]) == len(problems)
    client.put(
        f"{API}/applications/{app_id}/form/", {"data": data}, content_type="application/json"
    )
    for m in client.get(f"{API}/applications/{app_id}/materials/").json():
        f = pdf(f"{m['code']}.pdf") if "pdf" in m["file_types"] else jpg(f"{m['code']}.jpg")
        response = client.post(f"{API}/applications/{app_id}/materials/{m['code']}/", {"file": f})
        assert response.status_code == 201, response.content
    wrong = client.post(
        f"{API}/applications/{app_id}/materials/child_photo/", {"file": pdf("x.pdf")}
    )
    assert wrong.status_code == 400 and wrong.json()["code"] == "file_type"
    assert client.get(f"{API}/applications/{app_id}/prereview/").json() == []
    submitted = client.post(f"{API}/applications/{app_id}/submit/")
    assert submitted.status_code == 200
    assert [t["state"] for t in submitted.json()["tasks"]] == [
        "ready",
        "ready",
        "waiting",
        "waiting",
        "waiting",
        "waiting",
        "ready",
    ]
    again = client.post(f"{API}/applications/{app_id}/submit/")
    assert again.status_code == 200
    assert Application.objects.count() == 1 and Task.objects.count() == 7

    client.logout()
    health = login(client, handlers["县卫生健康局"])
    queue = health.get(f"{API}/queue/").json()
    assert [(t["application_id"], t["position"]) for t in queue] == [
        (app_id, 1),
        (app_id, 2),
        (app_id, 7),
    ]
    task_id = queue[0]["id"]
    detail = health.get(f"{API}/tasks/{task_id}/").json()
    assert "*" in detail["data"]["mother_id_number"]
    assert (
        health.post(
            f"{API}/tasks/{task_id}/approve/", {"result": "x"}, content_type="application/json"
        ).json()["code"]
        == "bad_result"
    )
    ok = health.post(
        f"{API}/tasks/{task_id}/approve/",
        {"result": NEWBORN_RESULTS[1], "revision": 0},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["state"] == "approved"
    conflict = health.post(
        f"{API}/tasks/{task_id}/approve/",
        {"result": NEWBORN_RESULTS[1], "revision": 0},
        content_type="application/json",
    )
    assert conflict.status_code == 409 and conflict.json()["code"] == "task_conflict"
    # Another department cannot see or act on it.
    client.logout()
    police = login(client, handlers["县公安局"])
    assert police.get(f"{API}/tasks/{task_id}/").status_code == 404
    assert (
        police.post(
            f"{API}/tasks/{task_id}/reject/", {"reason": "x"}, content_type="application/json"
        ).status_code
        == 404
    )


def test_correction_over_the_api(client, citizen, handlers, media):
    from banhao.onething import services

    from .factories import ready_draft

    app = ready_draft(citizen)
    services.submit(actor=citizen, application_id=app.pk)
    task = Task.objects.get(application=app, position=2)
    login(client, handlers["县卫生健康局"])
    response = client.post(
        f"{API}/tasks/{task.pk}/correction/",
        {"message": "请补充接种门诊。", "fields": ["vaccination_clinic"], "materials": []},
        content_type="application/json",
    )
    assert response.json()["state"] == "correction"
    client.logout()
    login(client, citizen)
    detail = client.get(f"{API}/applications/{app.pk}/").json()
    assert detail["state"] == "correction"
    correction_id = detail["open_corrections"][0]["id"]
    answered = client.post(
        f"{API}/applications/{app.pk}/corrections/{correction_id}/",
        {"data": json.dumps({"vaccination_clinic": "nanma"})},
    )
    assert answered.status_code == 200, answered.content
    assert answered.json()["state"] == "in_progress"
    assert answered.json()["data"]["vaccination_clinic"] == "nanma"


def test_other_citizen_cannot_read_an_application(client, citizen, media):
    from .factories import ready_draft

    app = ready_draft(citizen)
    login(client, make_user(Role.CITIZEN))
    assert client.get(f"{API}/applications/{app.pk}/").status_code == 404
    assert (
        client.put(
            f"{API}/applications/{app.pk}/form/",
            {"data": {"child_name": "x"}},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert client.post(f"{API}/applications/{app.pk}/submit/").status_code == 404
    app.refresh_from_db()
    assert app.state == "draft" and not app.tasks.exists()
    # Ids that do not exist answer the same.
    assert client.post(f"{API}/applications/0/submit/").status_code == 404
    assert (
        client.post(
            f"{API}/tasks/0/approve/", {"result": "x"}, content_type="application/json"
        ).status_code
        == 404
    )


def test_schema_lists_the_onething_api(client, seeded):
    paths = client.get("/api/schema/").json()["paths"]
    for path in (
        "/api/v1/onething/bundles/",
        "/api/v1/onething/applications/{pk}/submit/",
        "/api/v1/onething/tasks/{pk}/approve/",
        "/api/v1/onething/queue/",
    ):
        assert path in paths
