"""Every one of the 13 bundles carried from questionnaire to one combined result; cross-region
routing; the placeholder row of credit repair routed to the real listing department."""

import pytest

from banhao.accounts.roles import Role
from banhao.catalog.models import ItemRoute, OneThing, ServiceItem
from banhao.catalog.services import latest_version
from banhao.onething import selectors, services
from banhao.onething.models import Task
from banhao.onething.states import ApplicationState, TaskState
from banhao.org.models import Department, Region
from banhao.testing import make_user

from .factories import complete_draft

pytestmark = pytest.mark.django_db


def answers_applying_everything(definition: dict) -> dict:
    """yes to every yes/no question, the first choice otherwise (school: local family)."""
    answers = {}
    for q in definition["questions"]:
        answers[q["key"]] = "yes" if q["kind"] == "yes_no" else q["choices"][0]["value"]
    return answers


def carry_to_completion(application) -> None:
    """Approve every task as it becomes ready, by a handler of its department."""
    definition = application.version.definition
    examples = {i["position"]: i["result_example"] for i in definition["items"]}
    handlers: dict[int, object] = {}
    while True:
        ready = list(Task.objects.filter(application=application, state=TaskState.READY))
        if not ready:
            break
        for task in ready:
            handler = handlers.get(task.department_id)
            if handler is None:
                handler = handlers[task.department_id] = make_user(
                    Role.DEPT_HANDLER, department=task.department
                )
            services.approve(actor=handler, task_id=task.pk, result=examples[task.position])


@pytest.mark.parametrize("number", range(1, 14))
def test_every_bundle_runs_to_one_combined_result(seeded, media, number):
    onething = OneThing.objects.get(number=number)
    definition = latest_version(onething).definition
    actor = make_user(Role.ENTERPRISE if onething.audience == "enterprise" else Role.CITIZEN)
    app = complete_draft(actor, number, answers_applying_everything(definition))
    assert app.positions, "some item applies"
    assert services.review(app) == []
    services.submit(actor=actor, application_id=app.pk)
    carry_to_completion(app)
    app.refresh_from_db()
    assert app.state == ApplicationState.COMPLETED
    view = selectors.application_view(app)
    assert all(t.result for t in view.tasks)
    assert not any(t.department.is_placeholder for t in view.tasks)


def test_credit_repair_goes_to_the_department_that_listed_the_enterprise(seeded, media):
    actor = make_user(Role.ENTERPRISE)
    answers = {
        "has_penalty_record": "no",
        "has_abnormal_listing": "no",
        "has_serious_listing": "yes",
        "listing_department": "县税务局",
    }
    app = complete_draft(actor, 5, answers)
    services.submit(actor=actor, application_id=app.pk)
    task = Task.objects.get(application=app, position=4)
    assert task.department.name == "县税务局"
    assert task.state == TaskState.WAITING  # after the coordination row


def test_cross_region_application_is_handled_by_the_other_jurisdiction(seeded, media):
    """Received at a Yiyuan window, the birth registration handled by another district's
    police; both the receiving clerk and the handling department see their part."""
    yiyuan = Region.objects.get(code="370323")
    zhangdian = Region.objects.create(
        name="张店区",
        name_en="Zhangdian District",
        code="370303",
        level="county",
        kind="county",
        parent=yiyuan.parent,
    )
    other_police = Department.objects.create(
        name="淄博市公安局张店分局",
        name_en="Zhangdian Public Security Sub-bureau",
        level="county",
        region=zhangdian,
    )
    item = ServiceItem.objects.get(name="本市户口登记（申报出生登记）1岁以下婚内本市生育")
    ItemRoute.objects.create(item=item, region=zhangdian, department=other_police)
    clerk = make_user(Role.WINDOW_CLERK)
    citizen = make_user(Role.CITIZEN)
    details = services.ApplicantDetails(name="李芳", identifier=citizen.id_number)
    definition = latest_version(OneThing.objects.get(number=9)).definition
    app = complete_draft(
        clerk,
        9,
        answers_applying_everything(definition),
        applicant=details,
        handling_region=zhangdian,
    )
    services.submit(actor=clerk, application_id=app.pk)
    task = Task.objects.get(application=app, position=3)
    assert task.department == other_police
    local_police = make_user(Role.DEPT_HANDLER, department=Department.objects.get(name="县公安局"))
    remote_police = make_user(Role.DEPT_HANDLER, department=other_police)
    # Birth certificate first, then the remote department's queue has the registration.
    health_task = Task.objects.get(application=app, position=1)
    services.approve(
        actor=make_user(Role.DEPT_HANDLER, department=health_task.department),
        task_id=health_task.pk,
        result="R370123456",
    )
    assert [t.pk for t in selectors.handler_queue(remote_police)] == [task.pk]
    assert selectors.handler_queue(local_police) == []
    clerk_view = selectors.handler_queue(clerk, state="")
    assert task.pk in [t.pk for t in clerk_view]
    services.approve(actor=remote_police, task_id=task.pk, result="370323202611260012")
    assert Task.objects.get(application=app, position=4).inputs == {"3": "370323202611260012"}
