"""The hot path's lean reads and writes give exactly what the ORM gives.

The tests taking ``lean_sql`` run twice: with lean statements (the default, as in production)
and with the ORM fallback switch (``BANHAO_LEAN_SQL = False``).
"""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from banhao.onething import rows, services
from banhao.onething.models import Application, Event, Task
from banhao.onething.states import EventKind, TaskState

from .factories import ready_draft

pytestmark = pytest.mark.django_db

FIELDS = [f.attname for f in Task._meta.concrete_fields]


@pytest.fixture(params=[True, False], ids=["lean", "orm"])
def lean_sql(request, settings):
    settings.BANHAO_LEAN_SQL = request.param
    return request.param


def test_a_bundle_runs_to_its_result_alike_either_way(lean_sql, citizen, handlers, media):
    """Submission and every step through the services, with or without lean statements: the
    same states, timeline, audit trail and notification."""
    from banhao.audit.models import AuditRecord
    from banhao.notifications.models import Notification

    app = ready_draft(citizen)
    services.submit(actor=citizen, application_id=app.pk)
    examples = {i["position"]: i["result_example"] for i in app.definition["items"]}
    by_department = {u.department_id: u for u in handlers.values()}
    while ready := list(Task.objects.filter(application=app, state=TaskState.READY)):
        for task in ready:
            actor = by_department[task.department_id]
            services.accept(actor=actor, task_id=task.pk)
            services.approve(actor=actor, task_id=task.pk, result=examples[task.position])
    app.refresh_from_db()
    assert app.state == "completed" and app.finished_at is not None
    tasks = list(Task.objects.filter(application=app))
    assert tasks and all(t.state == TaskState.APPROVED for t in tasks)
    kinds = list(Event.objects.filter(application=app).values_list("kind", flat=True))
    assert kinds.count(EventKind.APPROVED) == kinds.count(EventKind.ACCEPTED) == len(tasks)
    assert kinds.count(EventKind.FINISHED) == 1
    audited = AuditRecord.objects.filter(event_type__startswith="onething.")
    assert audited.filter(event_type="onething.task_approved").count() == len(tasks)
    assert audited.filter(event_type="onething.finished", object_id=str(app.pk)).count() == 1
    assert Notification.objects.filter(event_key=f"onething.result.{app.pk}").count() == 1


def test_loaded_rows_equal_the_orms(lean_sql, citizen, media):
    app = ready_draft(citizen)
    services.submit(actor=citizen, application_id=app.pk)
    task = Task.objects.filter(application=app).order_by("position").first()
    Task.objects.filter(pk=task.pk).update(
        accepted_at=timezone.now(), paused_on=dt.date(2026, 1, 5), inputs={"1": "R1"}
    )
    with transaction.atomic():
        by_task, siblings_by_task = rows.lock_task(task.pk)  # one round trip on PostgreSQL
    with transaction.atomic():
        by_id = rows.lock_application(app.pk)
        siblings_by_id = rows.tasks_of(by_id)
    expected = Application.objects.with_version().get(pk=app.pk)
    for locked, siblings in ((by_task, siblings_by_task), (by_id, siblings_by_id)):
        for field in Application._meta.concrete_fields:
            assert getattr(locked, field.attname) == getattr(expected, field.attname), field.name
        assert locked.version.digest == expected.version.digest
        assert locked.definition is expected.definition  # the per-process cache, no query
        assert not locked._state.adding
        assert sorted(siblings) == sorted(expected.positions)
        for orm in Task.objects.filter(application=app):
            lean = siblings[orm.position]
            assert {f: getattr(lean, f) for f in FIELDS} == {f: getattr(orm, f) for f in FIELDS}
            assert lean.application is locked
        assert isinstance(siblings[task.position].accepted_at, dt.datetime)
        assert timezone.is_aware(siblings[task.position].accepted_at)
    with transaction.atomic():
        assert rows.lock_task(0) == (None, {})
        assert rows.lock_application(0) is None


def test_writes_equal_what_save_writes(lean_sql, citizen, media):
    app = ready_draft(citizen)
    services.submit(actor=citizen, application_id=app.pk)
    task = Task.objects.filter(application=app, state=TaskState.WAITING).first()
    task.state = TaskState.READY
    task.inputs = {"1": "R370123456"}
    task.started_on = dt.date(2026, 3, 2)
    task.reason = ""
    rows.update(task, ["state", "inputs", "started_on", "reason"])
    task.refresh_from_db()
    assert (task.state, task.inputs, task.started_on) == (
        TaskState.READY,
        {"1": "R370123456"},
        dt.date(2026, 3, 2),
    )
    before = Application.objects.get(pk=app.pk).updated_at
    app.due_date = dt.date(2026, 4, 1)
    rows.update(app, ["due_date", "updated_at"])  # auto_now is set, as by save()
    saved = Application.objects.get(pk=app.pk)
    assert saved.due_date == dt.date(2026, 4, 1)
    assert saved.updated_at >= before
    events = [
        Event(application_id=app.pk, task_id=task.pk, kind=EventKind.APPROVED, note="甲"),
        Event(application_id=app.pk, kind=EventKind.FINISHED),
    ]
    rows.insert(events)
    stored = list(Event.objects.filter(application=app).order_by("-id")[:2])
    assert [(e.kind, e.task_id, e.note) for e in reversed(stored)] == [
        (EventKind.APPROVED, task.pk, "甲"),
        (EventKind.FINISHED, None, ""),
    ]
    assert all(e.created_at is not None for e in stored)


def test_inserted_rows_get_their_ids_by_key(lean_sql, citizen, media):
    from banhao.catalog.models import ServiceItem
    from banhao.org.models import Department

    app = ready_draft(citizen)
    item = ServiceItem.objects.first()
    department = Department.objects.filter(is_placeholder=False).first()
    tasks = [
        Task(
            application=app,
            position=position,
            item=item,
            department=department,
            state=TaskState.WAITING,
            depends_on=[1] if position > 1 else [],
            committed_days=3,
        )
        for position in (3, 1, 2)
    ]
    rows.insert(tasks, key="position")
    assert {t.pk: t.position for t in tasks} == {
        t.pk: t.position for t in Task.objects.filter(application=app)
    }
    assert Task.objects.get(application=app, position=2).depends_on == [1]
    assert all(not t._state.adding for t in tasks)


def test_the_queue_reads_open_tasks_in_index_order(citizen, handlers, media):
    """A department's queue never sorts all its open tasks (their number grows with volume)."""
    from django.db import connection

    from banhao.onething import selectors

    if connection.vendor != "sqlite":
        pytest.skip("query plans are checked on SQLite; PostgreSQL plans by table statistics")
    services.submit(actor=citizen, application_id=ready_draft(citizen).pk)
    health = handlers["县卫生健康局"]
    assert selectors.handler_queue(health)
    # explain() runs the statement as the page does, with its parameters bound.
    plan = selectors.queue_queryset(health)[:50].explain()
    assert "onething_task_open_queue" in plan
    assert "TEMP B-TREE" not in plan


def test_deadline_flags_with_one_horizon_match_counting_working_days(seeded):
    """A page flags its tasks against one precomputed date; the flag is the same as counting
    the working days left for each task (weekends and the calendar's overrides included)."""
    from banhao.core.workdays import working_days_between
    from banhao.onething.selectors import WARN_WORKING_DAYS, deadline_flag, warn_horizon

    start = dt.date(2026, 9, 28)  # a week with the National Day holidays after it
    for offset in range(21):
        today = start + dt.timedelta(days=offset)
        horizon = warn_horizon(today)
        for ahead in range(-2, 15):
            due = today + dt.timedelta(days=ahead)
            task = Task(state=TaskState.READY, due_date=due)
            counted = (
                "overdue"
                if today > due
                else "due_soon"
                if working_days_between(today, due) <= WARN_WORKING_DAYS
                else ""
            )
            assert deadline_flag(task, today, horizon) == counted == deadline_flag(task, today)
