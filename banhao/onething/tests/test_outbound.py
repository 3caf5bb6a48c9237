"""What one-thing tells department systems: events written in the step's transaction, with
ids, states, units and links and no personal data (docs/adr/0017-outbound-webhooks.md)."""

import json

import pytest

from banhao.onething import services
from banhao.onething.models import Application, Task
from banhao.onething.states import TaskState
from banhao.webhooks.models import OutboxEvent
from banhao.webhooks.states import EventType

from .factories import NEWBORN_RESULTS, ready_draft

pytestmark = pytest.mark.django_db


def tasks_of(application) -> dict[int, Task]:
    return {t.position: t for t in Task.objects.filter(application=application)}


def events(event_type) -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(event_type=event_type).order_by("id"))


def test_each_step_writes_its_event_without_personal_data(citizen, handlers, media):
    app = ready_draft(citizen)
    services.submit(actor=citizen, application_id=app.pk)
    tasks = tasks_of(app)
    ready = {t.pk: t for t in tasks.values() if t.state == TaskState.READY}
    assert {e.payload["task"]["id"] for e in events(EventType.TASK_READY)} == set(ready)
    for event in events(EventType.TASK_READY):
        task = ready[event.payload["task"]["id"]]
        assert event.unit_id == task.department_id
        assert event.subject == f"onething.task:{task.pk}"
        assert event.payload["task"]["due_date"] == task.due_date.isoformat()
        assert event.payload["links"]["task"] == f"/services/tasks/{task.pk}/"

    first = tasks[1]  # its approval starts two dependants
    handler = next(h for h in handlers.values() if h.department_id == first.department_id)
    services.approve(actor=handler, task_id=first.pk, result=NEWBORN_RESULTS[1])
    (issued,) = events(EventType.RESULT_ISSUED)
    assert issued.payload["task"] == {**issued.payload["task"], "id": first.pk, "state": "approved"}
    started = {t.pk for t in tasks_of(app).values() if t.state == TaskState.READY} - set(ready)
    assert len(started) == 2
    assert {e.payload["task"]["id"] for e in events(EventType.TASK_READY)} == set(ready) | started

    second = tasks_of(app)[2]
    handler = next(h for h in handlers.values() if h.department_id == second.department_id)
    correction = services.request_correction(
        actor=handler,
        task_id=second.pk,
        message="母亲身份证照片不清晰，请重新上传。",
        fields=["birth_hospital"],
        materials=["mother_id_card"],
    )
    (asked,) = events(EventType.CORRECTION_ASKED)
    assert asked.payload["correction"] == {
        "id": correction.pk,
        "fields": ["birth_hospital"],
        "materials": ["mother_id_card"],
    }

    application = Application.objects.get(pk=app.pk)
    text = json.dumps([e.payload for e in OutboxEvent.objects.all()], ensure_ascii=False)
    for personal in (
        application.applicant_name,
        application.applicant_identifier,
        application.applicant_phone,
        citizen.full_name,
        "母亲身份证",  # the handler's free text
    ):
        assert not personal or personal not in text


def test_a_refused_step_writes_no_event(citizen, handlers, media):
    app = ready_draft(citizen)
    services.submit(actor=citizen, application_id=app.pk)
    before = OutboxEvent.objects.count()
    task = tasks_of(app)[1]
    handler = next(h for h in handlers.values() if h.department_id == task.department_id)
    with pytest.raises(services.OneThingError):
        services.approve(actor=handler, task_id=task.pk, result="not a result")
    assert OutboxEvent.objects.count() == before
