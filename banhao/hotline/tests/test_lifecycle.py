import datetime as dt

import pytest
from django.utils import timezone

from banhao.accounts.roles import Role
from banhao.audit.models import AuditRecord
from banhao.hotline import facts
from banhao.hotline.errors import HotlineError, TransitionRefused
from banhao.hotline.models import Category, DutyAssignment, DutySource, Ticket, UnitDayFact
from banhao.hotline.services import handling, rulings, supervision
from banhao.hotline.services.intake import TicketIntake, register_ticket
from banhao.hotline.states import Channel, SupervisionLevel, TicketStatus, TicketType
from banhao.org.selectors import resolve_department

MON = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # Monday 09:00 in Yiyuan


def new_ticket(operator, now=MON, **extra):
    values = {
        "channel": Channel.PHONE,
        "ticket_type": TicketType.HELP,
        "description": "包工头拖欠农民工工资",
        "contact_phone": "13905331234",
        "category": Category.objects.get(code="wages"),
    }
    values.update(extra)
    return register_ticket(actor=operator, intake=TicketIntake(**values), now=now)


def fact(dept, day):
    return (
        UnitDayFact.objects.filter(department=dept, day=day)
        .values(
            "received",
            "responded",
            "responded_on_time",
            "returned",
            "replied",
            "replied_on_time",
            "rated",
            "satisfied",
            "resolution_rated",
            "resolved",
            "reopened",
        )
        .first()
    )


def test_full_lifecycle_with_deadlines_facts_and_audit(operator, hrss, hrss_handler):
    ticket = new_ticket(operator)
    ticket = handling.dispatch(actor=operator, ticket=ticket, department=hrss, now=MON)
    # accept or return within 2 working days: end of Wednesday 4 March, local time
    assert ticket.respond_due.isoformat() == "2026-03-04T23:59:59+08:00"
    ticket = handling.accept(actor=hrss_handler, ticket=ticket, now=MON + dt.timedelta(hours=2))
    assert ticket.status == TicketStatus.HANDLING
    assert ticket.handle_due.isoformat() == "2026-03-09T23:59:59+08:00"  # 5 working days
    ticket = handling.reply(
        actor=hrss_handler, ticket=ticket, text="已督促支付工资", now=MON + dt.timedelta(days=3)
    )
    assert ticket.status == TicketStatus.REPLIED
    ticket = handling.callback(
        actor=operator,
        ticket=ticket,
        satisfaction="satisfied",
        resolution="resolved",
        now=MON + dt.timedelta(days=4),
    )
    assert ticket.status == TicketStatus.CLOSED
    assert ticket.closed_at == MON + dt.timedelta(days=4)
    assert list(ticket.events.values_list("kind", flat=True)) == [
        "registered",
        "dispatched",
        "accepted",
        "replied",
        "callback",
        "closed",
    ]
    assert (
        AuditRecord.objects.filter(
            object_id=str(ticket.pk), event_type__startswith="hotline."
        ).count()
        == 5
    )
    assert fact(hrss, dt.date(2026, 3, 2)) == {
        "received": 1,
        "responded": 1,
        "responded_on_time": 1,
        "returned": 0,
        "replied": 0,
        "replied_on_time": 0,
        "rated": 0,
        "satisfied": 0,
        "resolution_rated": 0,
        "resolved": 0,
        "reopened": 0,
    }
    assert fact(hrss, dt.date(2026, 3, 5))["replied_on_time"] == 1
    assert fact(hrss, dt.date(2026, 3, 6))["satisfied"] == 1


def test_urgent_deadlines_are_in_hours(operator, hrss, hrss_handler):
    ticket = new_ticket(operator, urgency="critical")
    ticket = handling.dispatch(actor=operator, ticket=ticket, department=hrss, now=MON)
    assert ticket.respond_due == MON + dt.timedelta(hours=1)
    ticket = handling.accept(actor=hrss_handler, ticket=ticket, now=MON)
    assert ticket.handle_due == MON + dt.timedelta(hours=2)


def test_configured_rule_overrides_default(operator, hrss):
    from banhao.hotline import deadlines
    from banhao.hotline.models import DeadlineRule

    DeadlineRule.objects.create(
        stage="respond", ticket_type="", urgency="", amount=1, unit="working_days"
    )
    deadlines.invalidate()
    try:
        ticket = handling.dispatch(
            actor=operator, ticket=new_ticket(operator), department=hrss, now=MON
        )
        assert ticket.respond_due.isoformat() == "2026-03-03T23:59:59+08:00"
    finally:
        deadlines.invalidate()


def test_only_the_holding_unit_may_accept(operator, hrss, market_handler):
    ticket = handling.dispatch(
        actor=operator, ticket=new_ticket(operator), department=hrss, now=MON
    )
    with pytest.raises(HotlineError) as info:
        handling.accept(actor=market_handler, ticket=ticket, now=MON)
    assert info.value.code == "not_your_unit"
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.DISPATCHED and ticket.accepted_at is None


def test_refused_transition_changes_nothing(operator, hrss, hrss_handler):
    ticket = new_ticket(operator)
    with pytest.raises(TransitionRefused):
        handling.reply(actor=hrss_handler, ticket=ticket, text="x")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.REGISTERED and ticket.events.count() == 1


def test_stale_version_is_a_conflict(operator, hrss, market):
    ticket = new_ticket(operator)
    version = ticket.version
    handling.dispatch(actor=operator, ticket=ticket, department=hrss, version=version, now=MON)
    with pytest.raises(HotlineError) as info:
        handling.dispatch(
            actor=operator, ticket=ticket, department=market, version=version, now=MON
        )
    assert info.value.code == "conflict"
    assert Ticket.objects.get(pk=ticket.pk).department == hrss


def test_return_then_ruling_binds_and_feeds_duty_list(
    operator, supervisor, hrss, market, hrss_handler, market_handler
):
    ticket = handling.dispatch(
        actor=operator, ticket=new_ticket(operator), department=hrss, now=MON
    )
    with pytest.raises(HotlineError):
        handling.return_ticket(actor=hrss_handler, ticket=ticket, reason=" ", now=MON)
    ticket = handling.return_ticket(
        actor=hrss_handler, ticket=ticket, reason="属市场主体纠纷", now=MON
    )
    assert ticket.status == TicketStatus.RETURNED and ticket.return_count == 1
    assert fact(hrss, dt.date(2026, 3, 2))["returned"] == 1
    ruling = rulings.request_ruling(
        actor=operator,
        ticket=ticket,
        parties=[hrss, market],
        question="欠薪还是消费纠纷？",
        now=MON,
    )
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.IN_RULING
    from banhao.accounts.roles import Role
    from banhao.testing import make_user

    office = make_user(Role.DEPT_HANDLER, department=resolve_department("县委编办"))
    with pytest.raises(HotlineError):
        rulings.rule(actor=hrss_handler, ruling=ruling, department=hrss, basis="x", now=MON)
    rulings.rule(actor=office, ruling=ruling, department=hrss, basis="依据三定方案", now=MON)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.DISPATCHED and ticket.department == hrss
    line = DutyAssignment.objects.get(category__code="wages", town=None)
    assert line.source == DutySource.RULING and line.department == hrss
    with pytest.raises(HotlineError) as info:
        handling.return_ticket(actor=hrss_handler, ticket=ticket, reason="again", now=MON)
    assert info.value.code == "ruling_binding"
    referral = rulings.refer_to_discipline(
        actor=supervisor, ticket=ticket, departments=[hrss], reason="推诿扯皮", now=MON
    )
    assert [e["kind"] for e in referral.record["events"]][:4] == [
        "registered",
        "dispatched",
        "returned",
        "ruling_requested",
    ]


def test_return_window_closes(operator, hrss, hrss_handler):
    ticket = handling.dispatch(
        actor=operator, ticket=new_ticket(operator), department=hrss, now=MON
    )
    with pytest.raises(HotlineError) as info:
        handling.return_ticket(
            actor=hrss_handler, ticket=ticket, reason="不归我们", now=MON + dt.timedelta(days=4)
        )
    assert info.value.code == "return_window_passed"


def test_extension_approved_by_centre_moves_deadline(operator, supervisor, hrss, hrss_handler):
    ticket = handling.dispatch(
        actor=operator, ticket=new_ticket(operator), department=hrss, now=MON
    )
    ticket = handling.accept(actor=hrss_handler, ticket=ticket, now=MON)
    with pytest.raises(HotlineError) as info:
        handling.request_extension(
            actor=hrss_handler, ticket=ticket, days=11, reason="需协调", now=MON
        )
    assert info.value.code == "extension_too_long"
    request = handling.request_extension(
        actor=hrss_handler, ticket=ticket, days=3, reason="需协调企业", now=MON
    )
    with pytest.raises(HotlineError):
        handling.request_extension(
            actor=hrss_handler, ticket=ticket, days=2, reason="again", now=MON
        )
    with pytest.raises(HotlineError):
        handling.decide_extension(actor=hrss_handler, request=request, approve=True)
    handling.decide_extension(actor=supervisor, request=request, approve=True, now=MON)
    ticket.refresh_from_db()
    assert timezone.localtime(ticket.handle_due).isoformat() == "2026-03-12T23:59:59+08:00"
    assert ticket.extension_days == 3


def test_unsatisfied_callback_reopens_to_same_unit(operator, hrss, hrss_handler):
    ticket = handling.dispatch(
        actor=operator, ticket=new_ticket(operator), department=hrss, now=MON
    )
    handling.accept(actor=hrss_handler, ticket=ticket, now=MON)
    handling.reply(actor=hrss_handler, ticket=ticket, text="已处理", now=MON)
    ticket = handling.callback(
        actor=operator, ticket=ticket, satisfaction="unsatisfied", resolution="unresolved", now=MON
    )
    assert ticket.status == TicketStatus.DISPATCHED and ticket.reopen_count == 1
    assert ticket.department == hrss and ticket.satisfaction == ""
    day = fact(hrss, dt.date(2026, 3, 2))
    assert (day["received"], day["reopened"], day["rated"], day["satisfied"]) == (2, 1, 1, 0)
    handling.accept(actor=hrss_handler, ticket=ticket, now=MON)
    handling.reply(actor=hrss_handler, ticket=ticket, text="已足额支付", now=MON)
    ticket = handling.callback(
        actor=operator, ticket=ticket, satisfaction="basically", resolution="resolved", now=MON
    )
    assert ticket.status == TicketStatus.CLOSED
    ticket = handling.reopen(actor=operator, ticket=ticket, reason="又拖欠了", now=MON)
    assert ticket.status == TicketStatus.DISPATCHED and ticket.reopen_count == 2


def test_unreachable_callback_closes_without_rating(operator, hrss, hrss_handler):
    ticket = handling.dispatch(
        actor=operator, ticket=new_ticket(operator), department=hrss, now=MON
    )
    handling.accept(actor=hrss_handler, ticket=ticket, now=MON)
    handling.reply(actor=hrss_handler, ticket=ticket, text="已处理", now=MON)
    ticket = handling.callback(actor=operator, ticket=ticket, satisfaction="unreachable", now=MON)
    assert ticket.status == TicketStatus.CLOSED
    assert fact(hrss, dt.date(2026, 3, 2))["rated"] == 0


def test_supervision_rules_climb_the_ladder(operator, hrss, hrss_handler):
    ticket = handling.dispatch(
        actor=operator, ticket=new_ticket(operator), department=hrss, now=MON
    )
    handling.accept(actor=hrss_handler, ticket=ticket, now=MON)  # due 9 March
    assert supervision.apply_supervision_rules(now=MON + dt.timedelta(days=1)) == 0
    assert supervision.apply_supervision_rules(now=dt.datetime(2026, 3, 10, 2, tzinfo=dt.UTC)) == 1
    ticket.refresh_from_db()
    assert ticket.supervision_level == SupervisionLevel.REMINDER
    # 3 working days late (12 March): a supervision letter, generated as a document
    assert supervision.apply_supervision_rules(now=dt.datetime(2026, 3, 12, 2, tzinfo=dt.UTC)) == 1
    ticket.refresh_from_db()
    assert ticket.supervision_level == SupervisionLevel.LETTER
    letter = ticket.supervisions.get(level=SupervisionLevel.LETTER)
    assert letter.letter.name.endswith(".docx") and letter.rule.name == "逾期3个工作日发督办函"
    from docx import Document

    text = "\n".join(p.text for p in Document(letter.letter.path).paragraphs)
    assert "督办函" in text and ticket.number in text and "县人力资源社会保障局" in text
    # nothing more to do on the same day
    assert supervision.apply_supervision_rules(now=dt.datetime(2026, 3, 12, 3, tzinfo=dt.UTC)) == 0


def test_unit_notifications_are_written_in_each_recipients_language(operator, hrss, hrss_handler):
    from banhao.notifications.models import Notification
    from banhao.testing import make_user

    english = make_user(Role.DEPT_HEAD, department=hrss, full_name="Li Na")
    english.preferred_language = "en"
    english.save(update_fields=["preferred_language"])
    ticket = handling.dispatch(
        actor=operator, ticket=new_ticket(operator), department=hrss, now=MON
    )
    handling.accept(actor=hrss_handler, ticket=ticket, now=MON)
    supervision.apply_supervision_rules(now=dt.datetime(2026, 3, 10, 2, tzinfo=dt.UTC))
    titles = dict(
        Notification.objects.filter(event_key=f"hotline:{ticket.pk}:supervision:1").values_list(
            "recipient__username", "title"
        )
    )
    assert titles[hrss_handler.username] == f"催办：{ticket.number}"
    assert titles[english.username] == f"Reminder: {ticket.number}"


def test_manual_supervision_meeting_signoff_and_head_callback(
    operator, supervisor, leader, hrss, hrss_handler, hrss_head
):
    ticket = handling.dispatch(
        actor=operator, ticket=new_ticket(operator), department=hrss, now=MON
    )
    with pytest.raises(HotlineError) as info:
        supervision.raise_supervision(actor=supervisor, ticket=ticket, level=3, reason="久拖不决")
    assert info.value.code == "minutes_required"
    supervision.raise_supervision(
        actor=supervisor,
        ticket=ticket,
        level=3,
        reason="久拖不决",
        attendees="人社局、住建局",
        minutes="明确由人社局牵头",
    )
    with pytest.raises(HotlineError) as info:
        supervision.raise_supervision(actor=supervisor, ticket=ticket, level=2, reason="x")
    assert info.value.code == "level_not_higher"
    top = supervision.raise_supervision(actor=supervisor, ticket=ticket, level=5, reason="报县领导")
    with pytest.raises(HotlineError):
        supervision.sign_off(actor=supervisor, supervision=top, instruction="x")
    supervision.sign_off(actor=leader, supervision=top, instruction="请人社局三日内办结")
    top.refresh_from_db()
    assert top.signed_by == leader and top.instruction == "请人社局三日内办结"
    handling.accept(actor=hrss_handler, ticket=ticket, now=MON)
    handling.reply(actor=hrss_handler, ticket=ticket, text="已处理", now=MON)
    with pytest.raises(HotlineError):
        supervision.record_head_callback(
            actor=hrss_handler, ticket=ticket, satisfaction="satisfied", notes="x"
        )
    row = supervision.record_head_callback(
        actor=hrss_head, ticket=ticket, satisfaction="satisfied", notes="局长亲自回访"
    )
    assert row.department == hrss


def test_rebuild_facts_matches_counts_kept_by_services(operator, hrss, hrss_handler):
    for i in range(3):
        t = handling.dispatch(
            actor=operator,
            ticket=new_ticket(operator, contact_phone=f"1390533000{i}"),
            department=hrss,
            now=MON,
        )
        handling.accept(actor=hrss_handler, ticket=t, now=MON)
        handling.reply(actor=hrss_handler, ticket=t, text="ok", now=MON)
        handling.callback(
            actor=operator,
            ticket=t,
            satisfaction="satisfied",
            resolution="resolved",
            reopen=False,
            now=MON,
        )
    kept = fact(hrss, dt.date(2026, 3, 2))
    facts.rebuild()
    assert fact(hrss, dt.date(2026, 3, 2)) == kept


def test_every_retrain_every_closed_tickets_retrain_the_suggestion_after_commit(
    operator, hrss, hrss_handler, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from banhao.hotline import tasks

    started = []
    monkeypatch.setattr(tasks, "RETRAIN_EVERY", 2)
    monkeypatch.setattr(tasks.retrain_dispatch_model, "delay", lambda: started.append(True))
    cache.delete(tasks.CLOSED_SINCE_TRAINING)
    closed = []
    for i in range(5):
        t = handling.dispatch(
            actor=operator,
            ticket=new_ticket(operator, contact_phone=f"1390533100{i}"),
            department=hrss,
            now=MON,
        )
        handling.accept(actor=hrss_handler, ticket=t, now=MON)
        handling.reply(actor=hrss_handler, ticket=t, text="ok", now=MON)
        with django_capture_on_commit_callbacks(execute=True):
            handling.callback(
                actor=operator, ticket=t, satisfaction="satisfied", resolution="resolved", now=MON
            )
        closed.append(len(started))
    assert closed == [0, 1, 1, 2, 2]  # after the 2nd and the 4th closed ticket
