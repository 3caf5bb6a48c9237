"""What the hotline tells units' systems: a dispatch and a passed deadline, each written in a
transaction of the change, once, with no personal data (docs/adr/0017-outbound-webhooks.md)."""

import datetime as dt
import json

from banhao.hotline.models import Category
from banhao.hotline.services import handling, supervision
from banhao.hotline.services.intake import TicketIntake, register_ticket
from banhao.hotline.states import Channel, TicketType
from banhao.webhooks.models import OutboxEvent
from banhao.webhooks.states import EventType

MON = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # Monday 09:00 in Yiyuan


def new_ticket(operator):
    intake = TicketIntake(
        channel=Channel.PHONE,
        ticket_type=TicketType.HELP,
        description="包工头拖欠农民工工资",
        contact_name="王五",
        contact_phone="13905331234",
        category=Category.objects.get(code="wages"),
    )
    return register_ticket(actor=operator, intake=intake, now=MON)


def test_dispatch_and_passed_deadlines_are_reported_once(operator, hrss, hrss_handler):
    ticket = handling.dispatch(
        actor=operator, ticket=new_ticket(operator), department=hrss, now=MON
    )
    (sent,) = OutboxEvent.objects.filter(event_type=EventType.TICKET_DISPATCHED)
    assert (sent.unit_id, sent.region_id) == (hrss.pk, hrss.region_id)
    assert sent.subject == f"hotline.ticket:{ticket.pk}"
    assert sent.payload["ticket"]["number"] == ticket.number
    assert sent.payload["ticket"]["status"] == "dispatched"
    assert dt.datetime.fromisoformat(sent.payload["ticket"]["respond_due"]) == ticket.respond_due
    assert sent.payload["links"]["ticket"] == f"/hotline/tickets/{ticket.pk}/"
    text = json.dumps(sent.payload, ensure_ascii=False)
    assert "王五" not in text and "13905331234" not in text and "工资" not in text

    # Before the respond deadline nothing is due; after it, once, however often the job runs.
    assert supervision.report_due_tickets(now=MON + dt.timedelta(days=1)) == 0
    late = MON + dt.timedelta(days=5)
    assert supervision.report_due_tickets(now=late) == 1
    assert supervision.report_due_tickets(now=late + dt.timedelta(hours=1)) == 0
    (due,) = OutboxEvent.objects.filter(event_type=EventType.TICKET_DUE)
    assert due.unit_id == hrss.pk and due.payload["stage"] == "respond"
    assert dt.datetime.fromisoformat(due.payload["deadline"]) == ticket.respond_due

    # Accepted late, the handling deadline is a new one: reported once more when it passes.
    ticket = handling.accept(actor=hrss_handler, ticket=ticket, now=late)
    assert supervision.report_due_tickets(now=late + dt.timedelta(days=1)) == 0
    assert supervision.report_due_tickets(now=late + dt.timedelta(days=30)) == 1
    stages = OutboxEvent.objects.filter(event_type=EventType.TICKET_DUE).order_by("id")
    assert [e.payload["stage"] for e in stages] == ["respond", "handle"]
