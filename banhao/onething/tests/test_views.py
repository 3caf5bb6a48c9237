"""Pages through Django's test client: public bundle page, applicant and clerk journeys, handler
queue and task actions, access per role, and constant query counts on the hot pages."""

import pytest

from banhao.accounts.roles import Role
from banhao.audit.models import AuditRecord
from banhao.onething import services
from banhao.onething.models import Application, Task
from banhao.onething.states import ApplicationState, TaskState
from banhao.org.models import Department, Venue
from banhao.testing import PASSWORD, make_user

from .factories import NEWBORN_ANSWERS, NEWBORN_RESULTS, jpg, newborn_data, pdf, ready_draft

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_public_bundle_page_shows_reform_figures_and_items(client, seeded):
    response = client.get("/services/9/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "新生儿出生“一件事”" in html
    assert 'data-testid="reform-figures"' in html
    figures = response.context["figures"]
    assert figures["bundled"]["days"] == 11
    assert figures["separate"]["materials"] == 15
    assert [i["position"] for i in response.context["items"]] == [1, 2, 3, 4, 5, 6, 7]


def test_bundle_list_lists_every_published_bundle(client, seeded):
    response = client.get("/services/")
    numbers = [row["onething"].number for row in response.context["rows"]]
    assert 3 in numbers and 9 in numbers


def test_bpmn_export_is_well_formed_bpmn(client, seeded):
    from xml.etree import ElementTree as ET

    response = client.get("/services/9/bpmn/")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 (our own export)
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    tasks = root.findall(".//bpmn:userTask", ns)
    assert [t.get("id") for t in tasks] == [f"Task_{p}" for p in (1, 2, 3, 4, 5, 6, 7)]
    flows = {
        (f.get("sourceRef"), f.get("targetRef")) for f in root.findall(".//bpmn:sequenceFlow", ns)
    }
    assert ("Task_1", "Task_3") in flows and ("Task_3", "Task_4") in flows
    assert ("Fork", "Task_2") in flows and ("Task_4", "Join") in flows
    lanes = [lane.get("name") for lane in root.findall(".//bpmn:lane", ns)]
    assert lanes == ["县卫生健康局", "县公安局", "县人力资源社会保障局", "市医疗保障局沂源分局"]


def test_citizen_journey_online(client, citizen, media):
    login(client, citizen)
    response = client.post("/services/9/start/", {"idempotency_key": "abc"})
    app = Application.objects.get(applicant=citizen)
    assert response.url == f"/services/applications/{app.pk}/questions/"
    # A double click on "Apply" with the same key opens the same draft.
    client.post("/services/9/start/", {"idempotency_key": "abc"})
    assert Application.objects.filter(applicant=citizen).count() == 1
    response = client.post(f"/services/applications/{app.pk}/questions/", NEWBORN_ANSWERS)
    assert response.url == f"/services/applications/{app.pk}/form/"
    data = newborn_data()
    bad = {**data, "mother_id_number": "370323199503120011", "contact_mobile": "1390533"}
    response = client.post(
        f"/services/applications/{app.pk}/form/",
        {**bad, "action": "submit", "child_photo": pdf("photo.pdf")},
    )
    assert response.status_code == 422
    targets = [p["target"] for p in response.context["problems"]]
    assert targets[0] == "material:child_photo"  # the refused upload, then pre-review's list
    assert "field:mother_id_number" in targets and "field:contact_mobile" in targets
    assert "material:household_register" in targets
    app.refresh_from_db()
    assert app.data["contact_mobile"] == "1390533"  # kept, so the form shows it again
    assert 'value="1390533"' in response.content.decode()
    files = {
        "mother_id_card": pdf(),
        "father_id_card": pdf(),
        "maternal_health_handbook": pdf(),
        "marriage_certificate": pdf(),
        "household_register": pdf(),
        "child_photo": jpg(),
        "maternity_invoices": pdf(),
        "bank_card": pdf(),
    }
    response = client.post(
        f"/services/applications/{app.pk}/form/", {**data, **files, "action": "submit"}
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == ApplicationState.IN_PROGRESS
    response = client.get(f"/services/applications/{app.pk}/")
    assert response.status_code == 200
    assert [t.state for t in response.context["view"].tasks][:3] == ["ready", "ready", "waiting"]


def test_clerk_takes_a_restaurant_application_at_the_window(client, clerk, media):
    from banhao.testing import valid_credit_code

    login(client, clerk)
    assert client.get("/services/3/start/").status_code == 200
    response = client.post("/services/3/start/", {"name": "某餐饮", "identifier": "123"})
    assert response.status_code == 400
    assert "credit code" in response.content.decode() or "信用代码" in response.content.decode()
    code = valid_credit_code()
    response = client.post(
        "/services/3/start/",
        {"name": "沂源县鲁山示范餐饮有限公司", "identifier": code, "phone": "13805331234"},
    )
    app = Application.objects.get(created_by=clerk)
    assert (app.channel, app.receiving_venue_id, app.applicant_identifier) == (
        "window",
        clerk.venue_id,
        code,
    )
    assert client.get("/services/applications/").context["applications"] == [app]


def submitted(citizen):
    app = ready_draft(citizen)
    services.submit(actor=citizen, application_id=app.pk)
    return app


def test_handler_queue_and_actions(client, citizen, handlers, media):
    app = submitted(citizen)
    health = handlers["县卫生健康局"]
    login(client, health)
    response = client.get("/services/queue/")
    rows = response.context["tasks"]
    assert [(t.application_id, t.position) for t in rows] == [(app.pk, 1), (app.pk, 2), (app.pk, 7)]
    task = Task.objects.get(application=app, position=1)
    response = client.post(f"/services/tasks/{task.pk}/", {"action": "accept", "revision": "0"})
    assert response.status_code == 302
    # A second handler working from the page they loaded earlier gets a conflict, not a repeat.
    response = client.post(
        f"/services/tasks/{task.pk}/",
        {"action": "approve", "revision": "0", "result": NEWBORN_RESULTS[1]},
    )
    assert response.status_code == 409
    assert response.context["error"]
    task.refresh_from_db()
    assert task.state == TaskState.ACCEPTED
    response = client.post(
        f"/services/tasks/{task.pk}/",
        {"action": "approve", "revision": "1", "result": "bad"},
    )
    assert response.status_code == 400
    assert 'value="bad"' in response.content.decode()  # what was typed is shown again
    client.post(
        f"/services/tasks/{task.pk}/",
        {"action": "approve", "revision": "1", "result": NEWBORN_RESULTS[1]},
    )
    task.refresh_from_db()
    assert (task.state, task.result) == (TaskState.APPROVED, NEWBORN_RESULTS[1])


def test_task_page_masks_identifiers_and_audits_reveal(client, citizen, handlers, media):
    app = submitted(citizen)
    task = Task.objects.get(application=app, position=3)
    services.approve(
        actor=handlers["县卫生健康局"],
        task_id=Task.objects.get(application=app, position=1).pk,
        result=NEWBORN_RESULTS[1],
    )
    police = handlers["县公安局"]
    login(client, police)
    response = client.get(f"/services/tasks/{task.pk}/")
    html = response.content.decode()
    assert app.applicant_identifier not in html
    assert app.data["mother_id_number"] not in html
    assert "R370123456" in html  # the birth certificate number passed on
    assert not AuditRecord.objects.filter(action="view_personal", actor=police).exists()
    response = client.get(f"/services/tasks/{task.pk}/?reveal=1")
    assert app.data["mother_id_number"] in response.content.decode()
    assert (
        AuditRecord.objects.filter(
            action="view_personal", actor=police, subject_key=app.applicant_identifier
        ).count()
        == 1
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("other_department", 404),
        ("own_department", 200),
        ("admin", 200),
        ("applicant", 404),
        ("other_venue_clerk", 404),
    ],
)
def test_task_page_access_matrix(client, citizen, handlers, media, who, status):
    app = submitted(citizen)
    task = Task.objects.get(application=app, position=1)  # health
    users = {
        "other_department": handlers["县公安局"],
        "own_department": handlers["县卫生健康局"],
        "admin": make_user(Role.ADMIN),
        "applicant": citizen,
        "other_venue_clerk": make_user(
            Role.WINDOW_CLERK, venue=Venue.objects.exclude(pk__in=[]).order_by("-id").first()
        ),
    }
    if who != "anonymous":
        login(client, users[who])
    assert client.get(f"/services/tasks/{task.pk}/").status_code == status
    # Only the own department may act; everyone else changes nothing.
    client.post(f"/services/tasks/{task.pk}/", {"action": "accept"})
    task.refresh_from_db()
    assert task.state == (TaskState.ACCEPTED if who == "own_department" else TaskState.READY)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("applicant", 200),
        ("other_citizen", 404),
        ("handler", 404),
        ("admin", 200),
    ],
)
def test_application_page_access_matrix(client, citizen, handlers, media, who, status):
    app = submitted(citizen)
    users = {
        "applicant": citizen,
        "other_citizen": make_user(Role.CITIZEN),
        "handler": handlers["县卫生健康局"],
        "admin": make_user(Role.ADMIN),
    }
    if who != "anonymous":
        login(client, users[who])
    assert client.get(f"/services/applications/{app.pk}/").status_code == status


def test_queue_page_query_count_is_constant(
    client, citizen, handlers, media, django_assert_max_num_queries
):
    health = handlers["县卫生健康局"]
    submitted(citizen)
    login(client, health)
    client.get("/services/queue/")  # warm caches (sessions, workday overrides)
    with django_assert_max_num_queries(12) as small:
        client.get("/services/queue/")
    for _ in range(5):
        submitted(citizen)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/services/queue/")
    assert len(response.context["tasks"]) == 18


def test_status_page_query_count_is_constant(
    client, citizen, handlers, media, django_assert_max_num_queries
):
    app = submitted(citizen)
    login(client, citizen)
    client.get(f"/services/applications/{app.pk}/")
    with django_assert_max_num_queries(14) as before:
        client.get(f"/services/applications/{app.pk}/")
    for task in Task.objects.filter(application=app, state=TaskState.READY):
        handler = next(h for h in handlers.values() if h.department_id == task.department_id)
        services.approve(actor=handler, task_id=task.pk, result=NEWBORN_RESULTS[task.position])
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(f"/services/applications/{app.pk}/")


def test_correction_round_trip_through_pages(client, citizen, handlers, media):
    app = submitted(citizen)
    task = Task.objects.get(application=app, position=2)
    health = handlers["县卫生健康局"]
    login(client, health)
    client.post(
        f"/services/tasks/{task.pk}/",
        {
            "action": "correction",
            "message": "请上传清晰的母子健康手册。",
            "materials": ["maternal_health_handbook"],
        },
    )
    task.refresh_from_db()
    assert task.state == TaskState.CORRECTION
    client.logout()
    login(client, citizen)
    page = client.get(f"/services/applications/{app.pk}/")
    correction = page.context["view"].open_corrections[0]
    url = f"/services/applications/{app.pk}/corrections/{correction.pk}/"
    response = client.post(url, {})
    assert response.status_code == 422
    response = client.post(url, {"maternal_health_handbook": pdf("handbook.pdf")})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == TaskState.ACCEPTED


def test_department_placeholder_is_never_a_task_department(seeded):
    assert not Department.objects.filter(is_placeholder=True, onething_tasks__isnull=False).exists()


def test_clerk_can_route_an_application_to_another_jurisdiction(client, clerk, media):
    from banhao.catalog.models import ItemRoute, ServiceItem
    from banhao.org.models import Region
    from banhao.testing import valid_id_number

    yiyuan = Region.objects.get(code="370323")
    other = Region.objects.create(
        name="张店区", code="370303", level="county", kind="county", parent=yiyuan.parent
    )
    dept = Department.objects.create(name="淄博市公安局张店分局", level="county", region=other)
    ItemRoute.objects.create(
        item=ServiceItem.objects.get(name="本市户口登记（申报出生登记）1岁以下婚内本市生育"),
        region=other,
        department=dept,
    )
    login(client, clerk)
    page = client.get("/services/9/start/")
    assert [r.name for r in page.context["regions"]] == ["张店区"]
    client.post(
        "/services/9/start/",
        {"name": "李芳", "identifier": valid_id_number("19950312"), "handling_region": other.pk},
    )
    app = Application.objects.get(created_by=clerk)
    assert app.handling_region == other
    assert app.receiving_venue_id == clerk.venue_id
