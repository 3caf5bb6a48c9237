"""The application lifecycle through the real services: draft, pre-review, submit, fan-out,
handler actions with results flowing on, correction, rejection, conflicts, one result."""

import datetime as dt

import pytest
from django.utils import timezone

from banhao.audit.models import AuditRecord
from banhao.catalog.models import OneThing, ServiceItemProfile
from banhao.catalog.services import publish_bundle
from banhao.core.workdays import add_working_days
from banhao.notifications.models import Notification
from banhao.onething import services
from banhao.onething.errors import Conflict, OneThingError, PreReviewFailed, TransitionRefused
from banhao.onething.models import Application, Correction, Event, Task
from banhao.onething.states import ApplicationState, EventKind, TaskState

from .factories import NEWBORN_RESULTS, newborn_data, pdf, ready_draft

pytestmark = pytest.mark.django_db


def tasks_of(application) -> dict[int, Task]:
    return {t.position: t for t in Task.objects.filter(application=application)}


def states_of(application) -> dict[int, str]:
    return {p: t.state for p, t in tasks_of(application).items()}


def handler_for(handlers, task):
    return next(h for h in handlers.values() if h.department_id == task.department_id)


def test_prereview_reports_every_problem_at_once_and_keeps_what_was_typed(citizen, media):
    onething = OneThing.objects.get(number=9)
    app = services.start_application(actor=citizen, onething=onething)
    services.save_answers(
        actor=citizen,
        application_id=app.pk,
        answers={
            "born_in_city": "yes",
            "in_wedlock": "yes",
            "parent_local_hukou": "yes",
            "under_one": "yes",
            "mother_employee_insured": "no",
            "parenting_guidance": "no",
        },
    )
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    data = {
        **newborn_data(),
        "child_birth_date": future,
        "mother_id_number": "370323199503120011",
        "contact_mobile": "12345",
        "father_name": "",
    }
    services.save_form(actor=citizen, application_id=app.pk, data=data)
    app.refresh_from_db()
    problems = services.review(app)
    got = [(p["target"], p["code"]) for p in problems]
    assert got == [
        ("field:child_birth_date", "date_future"),
        ("field:mother_id_number", "id_checksum"),
        ("field:father_name", "required"),
        ("field:contact_mobile", "mobile_invalid"),
        ("material:mother_id_card", "material_missing"),
        ("material:father_id_card", "material_missing"),
        ("material:maternal_health_handbook", "material_missing"),
        ("material:marriage_certificate", "material_missing"),
        ("material:household_register", "material_missing"),
        ("material:child_photo", "material_missing"),
    ]
    # Nothing typed is lost; the draft is still a draft and submitting changes nothing.
    assert app.data["child_birth_date"] == future
    assert app.data["contact_mobile"] == "12345"
    with pytest.raises(PreReviewFailed) as exc:
        services.submit(actor=citizen, application_id=app.pk)
    assert len(exc.value.problems) == 10
    app.refresh_from_db()
    assert app.state == ApplicationState.DRAFT
    assert not Task.objects.filter(application=app).exists()


def test_upload_of_wrong_type_or_size_is_refused(citizen, media):
    app = ready_draft(citizen)
    with pytest.raises(OneThingError) as exc:
        services.attach_material(
            actor=citizen, application_id=app.pk, code="child_photo", upload=pdf("photo.pdf")
        )
    assert exc.value.code == "file_type"
    with pytest.raises(OneThingError) as exc:
        services.attach_material(
            actor=citizen,
            application_id=app.pk,
            code="child_photo",
            upload=pdf("photo.jpg", size=3 * 1024 * 1024),
        )
    assert exc.value.code == "file_size"


def test_submit_fans_out_and_a_repeated_submit_creates_nothing(citizen, media):
    app = ready_draft(citizen)
    assert services.review(app) == []
    services.submit(actor=citizen, application_id=app.pk)
    again = services.submit(actor=citizen, application_id=app.pk)
    assert again.pk == app.pk
    assert Application.objects.filter(applicant=citizen).count() == 1
    assert states_of(app) == {
        1: TaskState.READY,
        2: TaskState.READY,
        3: TaskState.WAITING,
        4: TaskState.WAITING,
        5: TaskState.WAITING,
        6: TaskState.WAITING,
        7: TaskState.READY,
    }
    tasks = tasks_of(app)
    today = timezone.localdate()
    assert tasks[1].due_date == add_working_days(today, 1)
    assert tasks[3].due_date is None
    assert tasks[3].department.name == "县公安局"
    app.refresh_from_db()
    assert app.state == ApplicationState.IN_PROGRESS
    assert app.due_date == add_working_days(today, 11)
    assert Event.objects.filter(application=app, kind=EventKind.TASK_STARTED).count() == 3
    assert (
        AuditRecord.objects.filter(event_type="onething.submitted", object_id=str(app.pk)).count()
        == 1
    )


def test_idempotency_key_returns_the_same_draft(citizen, media):
    onething = OneThing.objects.get(number=9)
    a = services.start_application(actor=citizen, onething=onething, idempotency_key="k-1")
    b = services.start_application(actor=citizen, onething=onething, idempotency_key="k-1")
    assert a.pk == b.pk
    assert Application.objects.count() == 1


def test_full_newborn_flow_results_flow_to_dependants(citizen, handlers, media):
    app = ready_draft(citizen)
    services.submit(actor=citizen, application_id=app.pk)
    tasks = tasks_of(app)
    services.approve(
        actor=handler_for(handlers, tasks[1]), task_id=tasks[1].pk, result=NEWBORN_RESULTS[1]
    )
    assert states_of(app)[3] == TaskState.READY
    assert states_of(app)[5] == TaskState.READY
    assert tasks_of(app)[3].inputs == {"1": "R370123456"}
    assert states_of(app)[4] == TaskState.WAITING
    police = handler_for(handlers, tasks[3])
    services.accept(actor=police, task_id=tasks[3].pk)
    services.approve(actor=police, task_id=tasks[3].pk, result=NEWBORN_RESULTS[3])
    assert tasks_of(app)[4].inputs == {"3": "370323202611260012"}
    for position in (2, 4, 5, 6):
        task = tasks_of(app)[position]
        services.approve(
            actor=handler_for(handlers, task), task_id=task.pk, result=NEWBORN_RESULTS[position]
        )
    app.refresh_from_db()
    assert app.state == ApplicationState.IN_PROGRESS
    assert Notification.objects.filter(recipient=citizen, kind="onething.result").count() == 0
    task = tasks_of(app)[7]
    services.approve(actor=handler_for(handlers, task), task_id=task.pk, result=NEWBORN_RESULTS[7])
    app.refresh_from_db()
    assert app.state == ApplicationState.COMPLETED
    assert app.finished_at is not None
    assert {p: t.result for p, t in tasks_of(app).items()} == NEWBORN_RESULTS
    note = Notification.objects.get(recipient=citizen, kind="onething.result")
    assert note.url == f"/services/applications/{app.pk}/"


def test_bad_result_is_refused_and_nothing_changes(citizen, handlers, media):
    app = ready_draft(citizen)
    services.submit(actor=citizen, application_id=app.pk)
    task = tasks_of(app)[1]
    with pytest.raises(OneThingError) as exc:
        services.approve(actor=handler_for(handlers, task), task_id=task.pk, result="12")
    assert exc.value.code == "bad_result"
    task.refresh_from_db()
    assert (task.state, task.result, task.revision) == (TaskState.READY, "", 0)


def test_handler_of_another_department_cannot_act(citizen, handlers, media):
    app = ready_draft(citizen)
    services.submit(actor=citizen, application_id=app.pk)
    task = tasks_of(app)[1]  # health
    with pytest.raises(OneThingError) as exc:
        services.accept(actor=handlers["县公安局"], task_id=task.pk)
    assert exc.value.code == "not_yours"
    task.refresh_from_db()
    assert task.state == TaskState.READY


def test_two_handlers_at_once_get_a_conflict_and_nothing_is_applied_twice(citizen, handlers, media):
    from banhao.accounts.roles import Role
    from banhao.testing import make_user

    app = ready_draft(citizen)
    services.submit(actor=citizen, application_id=app.pk)
    task = tasks_of(app)[1]
    first = handler_for(handlers, task)
    second = make_user(Role.DEPT_HANDLER, department=first.department)
    seen = task.revision  # both opened the task at this revision
    services.approve(actor=first, task_id=task.pk, result="R370123456", expected_revision=seen)
    with pytest.raises(Conflict) as exc:
        services.approve(actor=second, task_id=task.pk, result="R370999999", expected_revision=seen)
    assert exc.value.code == "task_conflict"
    with pytest.raises(TransitionRefused):
        services.approve(actor=second, task_id=task.pk, result="R370999999")
    task.refresh_from_db()
    assert (task.result, task.handler_id, task.revision) == ("R370123456", first.pk, 1)
    assert AuditRecord.objects.filter(event_type="onething.task_approved").count() == 1


def test_correction_resumes_the_same_task_and_extends_the_deadline(citizen, handlers, media):
    app = ready_draft(citizen)
    services.submit(actor=citizen, application_id=app.pk)
    task = tasks_of(app)[1]
    handler = handler_for(handlers, task)
    services.accept(actor=handler, task_id=task.pk)
    correction = services.request_correction(
        actor=handler,
        task_id=task.pk,
        message="母亲身份证照片不清晰，请重新上传；出生医院名称请写全称。",
        fields=["birth_hospital"],
        materials=["mother_id_card"],
    )
    app.refresh_from_db()
    assert app.state == ApplicationState.CORRECTION
    note = Notification.objects.get(recipient=citizen, kind="onething.correction")
    assert note.body.startswith("母亲身份证照片不清晰")
    # Answering without the file is refused with every problem, and changes nothing.
    with pytest.raises(PreReviewFailed) as exc:
        services.answer_correction(
            actor=citizen, correction_id=correction.pk, data={"birth_hospital": ""}
        )
    assert [p["code"] for p in exc.value.problems] == ["required", "material_missing"]
    services.answer_correction(
        actor=citizen,
        correction_id=correction.pk,
        data={"birth_hospital": "沂源县妇幼保健院"},
        files={"mother_id_card": pdf("id.pdf")},
    )
    task.refresh_from_db()
    app.refresh_from_db()
    assert task.state == TaskState.ACCEPTED
    assert Task.objects.filter(application=app, position=1).count() == 1
    assert app.state == ApplicationState.IN_PROGRESS
    assert app.data["birth_hospital"] == "沂源县妇幼保健院"
    assert Correction.objects.get(pk=correction.pk).answered_at is not None
    services.approve(actor=handler, task_id=task.pk, result="R370123456")
    assert tasks_of(app)[3].state == TaskState.READY


def test_rejection_cancels_dependants_and_the_rest_finishes_partly(citizen, handlers, media):
    app = ready_draft(citizen)
    services.submit(actor=citizen, application_id=app.pk)
    tasks = tasks_of(app)
    services.approve(
        actor=handler_for(handlers, tasks[1]), task_id=tasks[1].pk, result="R370123456"
    )
    with pytest.raises(OneThingError):
        services.reject(actor=handler_for(handlers, tasks[3]), task_id=tasks[3].pk, reason=" ")
    services.reject(
        actor=handler_for(handlers, tasks[3]),
        task_id=tasks[3].pk,
        reason="父母双方均非本市户籍，不符合本地出生登记条件。",
    )
    assert states_of(app)[4] == TaskState.CANCELLED
    assert states_of(app)[6] == TaskState.CANCELLED
    for position in (2, 5, 7):
        task = tasks_of(app)[position]
        services.approve(
            actor=handler_for(handlers, task), task_id=task.pk, result=NEWBORN_RESULTS[position]
        )
    app.refresh_from_db()
    assert app.state == ApplicationState.PARTLY_COMPLETED
    assert Notification.objects.filter(recipient=citizen, kind="onething.result").count() == 1


def test_a_bundle_edit_never_alters_a_submitted_application(citizen, handlers, media):
    app = ready_draft(citizen)
    services.submit(actor=citizen, application_id=app.pk)
    profile = ServiceItemProfile.objects.get(item__name="《出生医学证明》办理（首签）")
    profile.result_pattern = r"^X\d{3}$"
    profile.save()
    new_version = publish_bundle(OneThing.objects.get(number=9))
    assert new_version.pk != app.version_id
    task = tasks_of(app)[1]
    # The old rule still applies to the old application.
    services.approve(actor=handler_for(handlers, task), task_id=task.pk, result="R370123456")
    fresh = ready_draft(citizen)
    assert fresh.version_id == new_version.pk
    # The new version's rule reaches new applications (the per-process cache keys on it).
    services.submit(actor=citizen, application_id=fresh.pk)
    first = tasks_of(fresh)[1]
    with pytest.raises(OneThingError):
        services.approve(actor=handler_for(handlers, first), task_id=first.pk, result="R370123456")
    services.approve(actor=handler_for(handlers, first), task_id=first.pk, result="X123")
    assert tasks_of(fresh)[1].result == "X123"


def test_window_clerk_applies_on_behalf_and_links_the_account(clerk, citizen, media):
    details = services.ApplicantDetails(
        name="李芳", identifier=citizen.id_number, phone="13905331234"
    )
    app = ready_draft(clerk, applicant=details)
    assert (app.channel, app.receiving_venue_id, app.applicant_id, app.created_by_id) == (
        "window",
        clerk.venue_id,
        citizen.pk,
        clerk.pk,
    )
    services.submit(actor=clerk, application_id=app.pk)
    with pytest.raises(OneThingError) as exc:
        services.start_application(
            actor=clerk,
            onething=OneThing.objects.get(number=9),
            applicant=services.ApplicantDetails(name="李芳", identifier="370323"),
        )
    assert exc.value.code == "bad_identifier"


def test_citizen_cannot_edit_someone_elses_draft(citizen, media):
    from banhao.accounts.roles import Role
    from banhao.testing import make_user

    app = ready_draft(citizen)
    other = make_user(Role.CITIZEN)
    with pytest.raises(OneThingError) as exc:
        services.save_form(actor=other, application_id=app.pk, data={"child_name": "x"})
    assert exc.value.code == "not_yours"
    app.refresh_from_db()
    assert app.data["child_name"] == "王小宝"


def test_deadline_warnings_and_flags_notify_once(citizen, handlers, media):
    from banhao.onething.selectors import deadline_flag

    app = ready_draft(citizen)
    services.submit(actor=citizen, application_id=app.pk)
    task = tasks_of(app)[2]  # vaccination certificate, 1 working day
    health = handlers["县卫生健康局"]
    today = timezone.localdate()
    assert deadline_flag(task, today) == "due_soon"
    late = add_working_days(task.due_date, 1)
    assert deadline_flag(task, late) == "overdue"
    first = services.notify_deadlines(today=late)
    assert first >= 1
    assert services.notify_deadlines(today=late) == 0  # repeated run: nothing new
    titles = list(
        Notification.objects.filter(recipient=health, kind="onething.overdue").values_list(
            "title", flat=True
        )
    )
    assert any("预防接种证办理" in t for t in titles)
    # A task in correction is not flagged: the clock stops while the applicant corrects.
    services.request_correction(
        actor=health, task_id=task.pk, message="请补充", fields=["vaccination_clinic"]
    )
    task.refresh_from_db()
    assert deadline_flag(task, late) == ""


def test_a_handler_step_runs_a_constant_small_number_of_queries(citizen, handlers, media):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    app = ready_draft(citizen)
    services.submit(actor=citizen, application_id=app.pk)
    task = tasks_of(app)[1]  # starts two dependants
    handler = handler_for(handlers, task)
    with CaptureQueriesContext(connection) as queries:
        services.approve(actor=handler, task_id=task.pk, result=NEWBORN_RESULTS[1])
    # lock application, lock tasks, update task, two dependants, events, audit, outbound
    # events (one insert for the result and both dependants) (+ savepoints).
    # Django logs a server-bound lean statement's SQL as None on PostgreSQL (ADR 0011); it
    # still counts.
    logged = [q["sql"] or "" for q in queries.captured_queries]
    statements = [sql for sql in logged if "SAVEPOINT" not in sql]
    assert len(statements) <= 8, statements
