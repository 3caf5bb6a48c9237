"""What one-thing tells department systems (outbound webhooks, docs/adr/0017): ids, states,
the unit and links, never the applicant's name, ID number or phone. Called by the services
inside their transaction, so an event exists exactly when its change committed."""

__all__ = ["correction_asked", "result_issued", "task_ready", "together"]

from django.urls import reverse

from banhao.webhooks.services import emit, link, together
from banhao.webhooks.states import EventType


def _task(application, task, **extra) -> dict:
    return {
        "task": {
            "id": task.pk,
            "state": task.state,
            "item_id": task.item_id,
            "position": task.position,
            "due_date": task.due_date,
            "revision": task.revision,
        },
        "application": {
            "id": application.pk,
            "reference": application.reference,
            "bundle_id": application.onething_id,
            "state": application.state,
        },
        "links": {"task": link(reverse("onething:task", args=[task.pk]))},
        **extra,
    }


def _emit(event_type: str, application, task, **extra) -> None:
    emit(
        event_type,
        # The region is the handling region when the application names one; otherwise the
        # fan-out takes the unit's own region (no read here).
        region_id=application.handling_region_id,
        unit_id=task.department_id,
        subject=f"onething.task:{task.pk}",
        payload=_task(application, task, **extra),
    )


def task_ready(application, task) -> None:
    _emit(EventType.TASK_READY, application, task)


def result_issued(application, task) -> None:
    # Not the result itself: for some items it is a person's ID number (a newborn's household
    # registration). The department system reads it through the link, as an authorised user.
    _emit(EventType.RESULT_ISSUED, application, task)


def correction_asked(application, task, correction) -> None:
    # What was asked (field keys, material codes), not the handler's free-text message.
    _emit(
        EventType.CORRECTION_ASKED,
        application,
        task,
        correction={
            "id": correction.pk,
            "fields": list(correction.fields),
            "materials": list(correction.materials),
        },
    )
