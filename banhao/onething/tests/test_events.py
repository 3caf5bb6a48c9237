"""The hooks other apps plug into (events.py): what receivers get and when, what providers give,
and that one-thing reaches the apps above it only through them."""

import pytest
from django.db import connection

from banhao.audit.models import AuditRecord
from banhao.onething import events, services
from banhao.onething.models import Event, Task
from banhao.onething.states import EventKind, TaskState

from .factories import NEWBORN_RESULTS, ready_draft

# Apps above onething in the layering (docs/adr/0010-domain-events.md); it imports none of them.


@pytest.fixture
def receiver():
    """Register a receiver for one test only."""
    registered = []

    def register(fn):
        events.on_task_approved(fn)
        registered.append(fn)
        return fn

    yield register
    for fn in registered:
        events.disconnect_task_approved(fn)


def _first_ready(citizen, handlers):
    app = ready_draft(citizen)
    services.submit(actor=citizen, application_id=app.pk)
    task = Task.objects.get(application=app, position=1)
    handler = next(h for h in handlers.values() if h.department_id == task.department_id)
    return app, task, handler


@pytest.mark.django_db
def test_receivers_get_the_approval_inside_its_transaction(citizen, handlers, media, receiver):
    app, task, handler = _first_ready(citizen, handlers)
    seen = []

    @receiver
    def look(event: events.TaskApproved) -> None:
        # What the approval wrote is already visible here, uncommitted.
        seen.append(
            (
                event,
                connection.in_atomic_block,
                Task.objects.get(pk=event.task.pk).state,
            )
        )

    services.approve(actor=handler, task_id=task.pk, result=NEWBORN_RESULTS[1])
    [(event, in_transaction, stored_state)] = seen
    assert in_transaction
    assert stored_state == TaskState.APPROVED
    assert event.actor == handler
    assert event.application.pk == app.pk
    assert (event.task.pk, event.task.state, event.task.result) == (
        task.pk,
        TaskState.APPROVED,
        NEWBORN_RESULTS[1],
    )
    # Every task of the application, as the approval left them (dependants now ready).
    assert {t.position: t.state for t in event.siblings}[3] == TaskState.READY
    assert len(event.siblings) == Task.objects.filter(application=app).count()
    with pytest.raises(AttributeError):
        event.task = None  # frozen: a receiver cannot swap what the next receiver sees


@pytest.mark.django_db
def test_a_failing_receiver_rolls_the_approval_back(citizen, handlers, media, receiver):
    app, task, handler = _first_ready(citizen, handlers)

    @receiver
    def refuse(event: events.TaskApproved) -> None:
        raise RuntimeError("the archive is down")

    revision = task.revision
    with pytest.raises(RuntimeError, match="archive is down"):
        services.approve(actor=handler, task_id=task.pk, result=NEWBORN_RESULTS[1])
    task.refresh_from_db()
    assert (task.state, task.result, task.revision) == (TaskState.READY, "", revision)
    assert not Task.objects.filter(application=app, state=TaskState.APPROVED).exists()
    assert not Event.objects.filter(application=app, kind=EventKind.APPROVED).exists()
    assert not AuditRecord.objects.filter(event_type="onething.task_approved").exists()
    # Once the receiver is gone, the same approval goes through.
    events.disconnect_task_approved(refuse)
    services.approve(actor=handler, task_id=task.pk, result=NEWBORN_RESULTS[1])
    task.refresh_from_db()
    assert task.state == TaskState.APPROVED


def test_registering_twice_keeps_one_receiver(monkeypatch, receiver):
    monkeypatch.setattr(events, "_task_approved", [])
    calls = []
    fn = receiver(calls.append)
    receiver(fn)
    events.task_approved(events.TaskApproved(actor=None, application=None, task=None, siblings=()))
    assert len(calls) == 1


def test_form_prefill_first_provider_wins(monkeypatch):
    monkeypatch.setattr(events, "_form_prefill", [])
    events.provide_form_prefill(
        lambda user, keys, application: events.FormPrefill(
            values={"a": events.Prefill("first", "archive")}
        )
    )
    events.provide_form_prefill(
        lambda user, keys, application: events.FormPrefill(
            values={"a": events.Prefill("second", "x"), "b": events.Prefill("B", "x")},
            renews=events.Renews(label="Food business licence", number="JY1"),
        )
    )
    known = events.form_prefill(None, ["a", "b"], None)
    assert known.values == {"a": events.Prefill("first", "archive"), "b": events.Prefill("B", "x")}
    assert known.renews == events.Renews(label="Food business licence", number="JY1")


def test_form_prefill_without_providers_is_empty(monkeypatch):
    monkeypatch.setattr(events, "_form_prefill", [])
    assert events.form_prefill(None, ["a"], None) == events.FormPrefill()


def test_draft_values_win_over_the_prefill():
    prefill = {
        "a": events.Prefill("archive A", "archive"),
        "b": events.Prefill("B", "archive"),
    }
    merged = events.merge_prefill({"a": "typed", "c": ""}, prefill, ["a", "b", "c", "d"])
    assert merged == {"a": ("typed", False), "b": ("B", True), "c": ("", False), "d": ("", False)}
    # A value cleared on purpose stays cleared.
    assert events.merge_prefill({"b": ""}, prefill, ["b"]) == {"b": ("", False)}
