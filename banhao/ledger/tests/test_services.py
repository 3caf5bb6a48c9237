"""Scheduling, progress reports, chasing, reminders, closing and reopening through the services."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from banhao.accounts.roles import Role
from banhao.audit.models import AuditRecord
from banhao.ledger import schedule, services
from banhao.ledger.errors import LedgerError
from banhao.ledger.models import Closure, Evidence, LedgerTask, ProgressReport, TaskEvent, TaskUnit
from banhao.ledger.states import Stage, Status
from banhao.ledger.tests.factories import office, task, unit_staff
from banhao.notifications.models import Notification

pytestmark = pytest.mark.django_db


def pdf(name: str = "进展材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 evidence", content_type="application/pdf")


def weekly(obj, starts_on: dt.date):
    return services.set_schedule(
        actor=office(Role.DEPT_HANDLER),
        task_id=obj.pk,
        cycle="weekly",
        cycle_starts_on=starts_on,
        deadline=obj.deadline,
    )


# --- scheduling --------------------------------------------------------------------------------


def test_office_sets_a_cycle_and_every_unit_owes_the_first_period():
    today = timezone.localdate()
    obj = task(responsible=("悦庄镇人民政府",), deadline=today + dt.timedelta(days=300))
    monday = today - dt.timedelta(days=today.weekday())
    weekly(obj, monday)
    obj.refresh_from_db()
    due = schedule.due_date(monday, monday + dt.timedelta(days=6))
    assert (obj.cycle, obj.cycle_starts_on, obj.next_report_due) == ("weekly", monday, due)
    assert set(TaskUnit.objects.filter(task=obj).values_list("next_report_due", flat=True)) == {due}
    record = AuditRecord.objects.get(event_type="ledger.schedule_set")
    assert record.after["cycle"] == "weekly" and record.before["cycle"] == "none"


@pytest.mark.parametrize("role", [Role.DEPT_HANDLER, Role.DEPT_HEAD, Role.HOTLINE_SUPERVISOR])
def test_only_the_office_sets_schedules(role):
    obj = task()
    user = (
        unit_staff(role=role)
        if role != Role.HOTLINE_SUPERVISOR
        else unit_staff("县政府市民投诉中心", role)
    )
    with pytest.raises(LedgerError) as exc:
        services.set_schedule(actor=user, task_id=obj.pk, cycle="weekly")
    assert exc.value.code == "office_only"
    obj.refresh_from_db()
    assert obj.cycle == "none"
    assert not AuditRecord.objects.filter(event_type="ledger.schedule_set").exists()


def test_deadline_before_start_is_refused():
    obj = task(starts_on=dt.date(2026, 3, 1))
    with pytest.raises(LedgerError) as exc:
        services.set_schedule(
            actor=office(), task_id=obj.pk, cycle="none", deadline=dt.date(2026, 2, 1)
        )
    assert (exc.value.code, exc.value.field) == ("deadline_before_start", "deadline")


# --- progress reports -------------------------------------------------------------------------


def test_a_unit_files_a_report_with_evidence_and_progress_is_the_mean_of_its_units():
    today = timezone.localdate()
    obj = task(responsible=("悦庄镇人民政府",), deadline=today + dt.timedelta(days=300))
    weekly(obj, today - dt.timedelta(days=today.weekday()))
    handler = unit_staff()
    report = services.file_report(
        actor=handler,
        task_id=obj.pk,
        text="已完成进驻事项梳理",
        percent=60,
        files=[pdf(), pdf("现场照片.jpg")],
    )
    assert (report.unit.name, report.percent, report.is_late) == ("县行政审批服务局", 60, False)
    assert [e.original_name for e in report.evidence.all()] == ["进展材料.pdf", "现场照片.jpg"]
    stored = report.evidence.first()
    assert stored.file.name.startswith(f"ledger/evidence/{obj.pk}/") and stored.file.name.endswith(
        ".pdf"
    )
    assert stored.file.read() == b"%PDF-1.4 evidence"
    obj.refresh_from_db()
    assert obj.progress == 30  # (60 + 0) / 2
    link = TaskUnit.objects.get(task=obj, department__name="县行政审批服务局")
    start, end = schedule.period_containing("weekly", today)
    next_start = end + dt.timedelta(days=1)
    assert link.next_report_due == schedule.due_date(next_start, next_start + dt.timedelta(days=6))
    # The township has not reported: the task's next due date is still this week's.
    assert obj.next_report_due == schedule.due_date(start, end)
    assert TaskEvent.objects.filter(task=obj, kind="report_filed").count() == 1
    assert AuditRecord.objects.get(event_type="ledger.report_filed").after["percent"] == 60


def test_second_report_for_the_same_period_is_refused_and_nothing_changes():
    obj = task()
    weekly(obj, timezone.localdate())
    handler = unit_staff()
    services.file_report(actor=handler, task_id=obj.pk, text="一", percent=10)
    with pytest.raises(LedgerError) as exc:
        services.file_report(actor=handler, task_id=obj.pk, text="二", percent=50, files=[pdf()])
    assert exc.value.code == "period_reported"
    assert ProgressReport.objects.count() == 1
    assert Evidence.objects.count() == 0
    assert TaskUnit.objects.get(task=obj).last_percent == 10


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"text": " ", "percent": 10}, "text_required", "text"),
        ({"text": "x", "percent": 101}, "percent_range", "percent"),
        ({"text": "x", "percent": "abc"}, "percent_range", "percent"),
        (
            {"text": "x", "percent": 5, "files": [SimpleUploadedFile("a.exe", b"MZ")]},
            "file_type",
            "files",
        ),
        (
            {"text": "x", "percent": 5, "period_start": dt.date(2020, 1, 6)},
            "period_invalid",
            "period",
        ),
    ],
)
def test_bad_reports_are_refused_with_a_specific_error(kwargs, code, field):
    obj = task()
    weekly(obj, timezone.localdate())
    with pytest.raises(LedgerError) as exc:
        services.file_report(actor=unit_staff(), task_id=obj.pk, **kwargs)
    assert (exc.value.code, exc.value.field) == (code, field)
    assert not ProgressReport.objects.exists()


def test_a_unit_not_on_the_task_cannot_report():
    obj = task()
    with pytest.raises(LedgerError) as exc:
        services.file_report(actor=unit_staff("县公安局"), task_id=obj.pk, text="x", percent=5)
    assert exc.value.code == "not_your_task"
    assert not ProgressReport.objects.exists()


def test_a_missed_period_makes_the_task_at_risk_and_a_late_catch_up_is_marked_late():
    today = timezone.localdate()
    obj = task(deadline=today + dt.timedelta(days=300), starts_on=today - dt.timedelta(days=20))
    three_weeks_ago = today - dt.timedelta(days=21)
    weekly(obj, three_weeks_ago)
    obj.refresh_from_db()
    assert schedule.status_of(obj, today) == Status.AT_RISK
    first_start = schedule.period_containing("weekly", three_weeks_ago)[0]
    report = services.file_report(
        actor=unit_staff(), task_id=obj.pk, text="补报", percent=20, period_start=first_start
    )
    assert report.is_late is True


# --- chasing and reminders --------------------------------------------------------------------


def test_late_units_are_chased_once_per_missed_period():
    today = timezone.localdate()
    obj = task(responsible=("悦庄镇人民政府",))
    weekly(obj, today - dt.timedelta(days=21))
    head = unit_staff(role=Role.DEPT_HEAD)
    town = unit_staff("悦庄镇人民政府")
    other = unit_staff("县公安局")
    assert services.chase_late_reports(today=today) == 2
    assert services.chase_late_reports(today=today) == 0  # already chased today
    for user in (head, town):
        note = Notification.objects.get(recipient=user, kind="ledger.report_late")
        assert obj.name in note.title
    assert not Notification.objects.filter(recipient=other).exists()
    # Tomorrow the same missed period is not chased again (same event key).
    services.chase_late_reports(today=today + dt.timedelta(days=1))
    assert Notification.objects.filter(kind="ledger.report_late").count() == 2


def test_reminders_before_a_report_and_a_deadline():
    today = timezone.localdate()
    obj = task(deadline=today + dt.timedelta(days=5))
    handler = unit_staff()
    TaskUnit.objects.filter(task=obj).update(next_report_due=today + dt.timedelta(days=1))
    assert services.send_reminders(today=today) == 2
    kinds = sorted(Notification.objects.filter(recipient=handler).values_list("kind", flat=True))
    assert kinds == ["ledger.deadline_near", "ledger.report_due"]
    assert services.send_reminders(today=today) == 0


def test_the_daily_task_runs_both():
    from banhao.ledger import tasks

    assert tasks.daily() == {"chased": 0, "reminded": 0}


# --- closing, sign-off, reopening -------------------------------------------------------------


def test_closing_needs_evidence_lead_confirmation_and_office_sign_off():
    obj = task(leads=("县行政审批服务局", "县大数据中心"), responsible=("悦庄镇人民政府",))
    town = unit_staff("悦庄镇人民政府")
    approval_head = unit_staff(role=Role.DEPT_HEAD)
    data_head = unit_staff("县大数据中心", Role.DEPT_HEAD)
    office_head = office()

    with pytest.raises(LedgerError) as exc:
        services.propose_closure(actor=town, task_id=obj.pk, summary="已完成", files=[])
    assert exc.value.code == "evidence_required"
    assert not Closure.objects.exists()

    closure = services.propose_closure(actor=town, task_id=obj.pk, summary="已完成", files=[pdf()])
    obj.refresh_from_db()
    assert (obj.stage, closure.round, closure.state) == (Stage.CLOSURE_PROPOSED, 1, "proposed")
    assert Notification.objects.filter(kind="ledger.confirmation_requested").count() == 2

    with pytest.raises(LedgerError) as exc:  # the office cannot skip the lead units
        services.sign_off(actor=office_head, task_id=obj.pk)
    assert exc.value.code == "wrong_stage"
    with pytest.raises(LedgerError) as exc:  # a responsible unit cannot confirm
        services.confirm_closure(actor=unit_staff("悦庄镇人民政府", Role.DEPT_HEAD), task_id=obj.pk)
    assert exc.value.code == "lead_head_only"

    services.confirm_closure(actor=approval_head, task_id=obj.pk)
    obj.refresh_from_db()
    assert obj.stage == Stage.CLOSURE_PROPOSED  # one lead unit still to confirm
    with pytest.raises(LedgerError) as exc:
        services.confirm_closure(actor=approval_head, task_id=obj.pk)
    assert exc.value.code == "already_confirmed"
    services.confirm_closure(actor=data_head, task_id=obj.pk)
    obj.refresh_from_db()
    assert obj.stage == Stage.LEAD_CONFIRMED
    assert Notification.objects.filter(
        recipient=office_head, kind="ledger.signoff_requested"
    ).exists()

    with pytest.raises(LedgerError) as exc:
        services.sign_off(actor=office(Role.DEPT_HANDLER), task_id=obj.pk)
    assert exc.value.code == "sign_off_only"
    services.sign_off(actor=office_head, task_id=obj.pk, note="同意销号")
    obj.refresh_from_db()
    closure.refresh_from_db()
    assert obj.stage == Stage.CLOSED and obj.closed_at is not None
    assert schedule.status_of(obj, timezone.localdate()) == Status.DONE
    assert (closure.state, closure.decided_by, closure.decision_note) == (
        "signed_off",
        office_head,
        "同意销号",
    )
    assert [
        r.event_type
        for r in AuditRecord.objects.filter(event_type__startswith="ledger.").order_by("pk")
    ] == [
        "ledger.closure_proposed",
        "ledger.closure_confirmed",
        "ledger.closure_confirmed",
        "ledger.signed_off",
    ]


def test_a_lead_head_proposing_confirms_for_the_unit():
    obj = task()
    services.propose_closure(
        actor=unit_staff(role=Role.DEPT_HEAD), task_id=obj.pk, summary="完成", files=[pdf()]
    )
    obj.refresh_from_db()
    assert obj.stage == Stage.LEAD_CONFIRMED


def test_a_task_without_a_lead_unit_cannot_be_closed_until_the_office_names_one():
    obj = task(leads=(), responsible=("县商务局",))
    commerce = unit_staff("县商务局", Role.DEPT_HEAD)
    with pytest.raises(LedgerError) as exc:
        services.propose_closure(actor=commerce, task_id=obj.pk, summary="完成", files=[pdf()])
    assert exc.value.code == "no_lead_unit"
    assert LedgerTask.objects.get(pk=obj.pk).stage == Stage.OPEN
    from banhao.testing import department

    with pytest.raises(LedgerError) as exc:
        services.add_unit(
            actor=office(), task_id=obj.pk, department=department("县商务局"), role="lead"
        )
    assert exc.value.code == "unit_already_on_task"
    services.add_unit(
        actor=office(),
        task_id=obj.pk,
        department=department("中国人民银行淄博市分行沂源营业管理部"),
        role="lead",
    )
    services.propose_closure(actor=commerce, task_id=obj.pk, summary="完成", files=[pdf()])
    assert LedgerTask.objects.get(pk=obj.pk).stage == Stage.CLOSURE_PROPOSED


def test_send_back_and_reopen_keep_the_history():
    obj = task()
    lead_head = unit_staff(role=Role.DEPT_HEAD)
    office_head = office()
    services.propose_closure(actor=unit_staff(), task_id=obj.pk, summary="第一次", files=[pdf()])
    with pytest.raises(LedgerError) as exc:
        services.send_back(actor=lead_head, task_id=obj.pk, note="")
    assert exc.value.code == "reason_required"
    services.send_back(actor=lead_head, task_id=obj.pk, note="佐证材料不全")
    obj.refresh_from_db()
    assert obj.stage == Stage.OPEN
    services.propose_closure(actor=lead_head, task_id=obj.pk, summary="第二次", files=[pdf()])
    services.sign_off(actor=office_head, task_id=obj.pk)
    with pytest.raises(LedgerError) as exc:
        services.file_report(actor=unit_staff(), task_id=obj.pk, text="x", percent=5)
    assert exc.value.code == "task_closed"

    services.reopen(actor=office_head, task_id=obj.pk, reason="群众反映问题反弹")
    obj.refresh_from_db()
    assert (obj.stage, obj.closed_at, obj.reopened_count) == (Stage.OPEN, None, 1)
    rounds = list(Closure.objects.filter(task=obj).values_list("round", "state", "summary"))
    assert rounds == [(1, "rejected", "第一次"), (2, "signed_off", "第二次")]
    assert Evidence.objects.filter(task=obj).count() == 2
    kinds = list(TaskEvent.objects.filter(task=obj).values_list("kind", flat=True))
    assert kinds == [
        "closure_proposed",
        "closure_sent_back",
        "closure_proposed",
        "closure_lead_confirmed",
        "closure_confirmed_by_leads",
        "signed_off",
        "reopened",
    ]
    # Reopened, it can go round again.
    services.propose_closure(actor=lead_head, task_id=obj.pk, summary="第三次", files=[pdf()])
    assert Closure.objects.get(task=obj, round=3).state == "confirmed"


def test_reopen_needs_an_office_head_and_a_closed_task():
    obj = task()
    with pytest.raises(LedgerError) as exc:
        services.reopen(actor=office(), task_id=obj.pk, reason="x")
    assert exc.value.code == "wrong_stage"
    with pytest.raises(LedgerError) as exc:
        services.reopen(actor=unit_staff(role=Role.DEPT_HEAD), task_id=obj.pk, reason="x")
    assert exc.value.code == "sign_off_only"


@pytest.mark.django_db(transaction=True)
def test_the_chasing_job_runs_as_a_background_task():
    """Through Celery: in-process in the embedded setup, a real worker on PostgreSQL/Redis."""
    import time

    from banhao.ledger import tasks

    today = timezone.localdate()
    obj = task()
    weekly(obj, today - dt.timedelta(days=21))
    handler = unit_staff()
    tasks.daily.delay()
    deadline = time.monotonic() + 30
    while not Notification.objects.filter(recipient=handler, kind="ledger.report_late").exists():
        assert time.monotonic() < deadline, "the chasing job did not run"
        time.sleep(0.2)
    assert TaskUnit.objects.get(task=obj).last_chased_on == today


def test_the_daily_command_for_cron(capsys):
    from django.core.management import call_command

    obj = task()
    weekly(obj, timezone.localdate() - dt.timedelta(days=21))
    unit_staff()
    call_command("ledger_daily")
    assert capsys.readouterr().out == "chased 1, reminded 0\n"
