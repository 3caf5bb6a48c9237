import datetime as dt

from django.core.management import call_command
from django.urls import reverse

from banhao.hotline.models import Category, ExtensionRequest, Supervision, Ticket
from banhao.hotline.services import handling, supervision
from banhao.hotline.services.intake import TicketIntake, register_ticket
from banhao.hotline.states import Channel, SupervisionLevel
from banhao.testing import PASSWORD

MON = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


def login(client, user):
    client.login(username=user.username, password=PASSWORD)


def handled_ticket(operator, hrss, handler, now=MON):
    t = register_ticket(
        actor=operator,
        intake=TicketIntake(
            channel=Channel.PHONE,
            description="拖欠工资",
            contact_phone="13905331234",
            category=Category.objects.get(code="wages"),
        ),
        now=now,
    )
    handling.dispatch(actor=operator, ticket=t, department=hrss, now=now)
    return handling.accept(actor=handler, ticket=t, now=now)


def test_supervisor_decides_extension_on_the_page(client, operator, supervisor, hrss, hrss_handler):
    ticket = handled_ticket(operator, hrss, hrss_handler)
    request = handling.request_extension(
        actor=hrss_handler, ticket=ticket, days=2, reason="需现场核查", now=MON
    )
    login(client, supervisor)
    page = client.get(reverse("hotline:supervision")).content.decode()
    assert "需现场核查" in page
    client.post(
        reverse("hotline:supervision_action", args=["extension"]),
        {"request": request.pk, "approve": "yes"},
    )
    assert ExtensionRequest.objects.get().status == "approved"
    assert Ticket.objects.get().extension_days == 2


def test_handler_cannot_decide_extension_or_run_rules(client, operator, hrss, hrss_handler):
    ticket = handled_ticket(operator, hrss, hrss_handler)
    request = handling.request_extension(
        actor=hrss_handler, ticket=ticket, days=2, reason="x", now=MON
    )
    login(client, hrss_handler)
    client.post(
        reverse("hotline:supervision_action", args=["extension"]),
        {"request": request.pk, "approve": "yes"},
    )
    assert ExtensionRequest.objects.get().status == "pending"
    assert client.post(reverse("hotline:supervision_action", args=["run_rules"])).status_code == 403


def test_rules_command_and_letter_download(
    client, operator, supervisor, hrss, hrss_handler, market_handler
):
    handled_ticket(operator, hrss, hrss_handler, now=dt.datetime(2025, 1, 6, 1, tzinfo=dt.UTC))
    call_command("hotline_supervise")
    ticket = Ticket.objects.get()
    assert (
        ticket.supervision_level == SupervisionLevel.LEADER_SIGNOFF
    )  # open for far more than 60 working days
    letter = Supervision.objects.get(level=SupervisionLevel.LEADER_SIGNOFF)
    login(client, hrss_handler)
    response = client.get(reverse("hotline:letter", args=[letter.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    login(client, market_handler)
    assert client.get(reverse("hotline:letter", args=[letter.pk])).status_code == 404


def test_leader_signs_on_the_ranking_page(client, operator, supervisor, leader, hrss, hrss_handler):
    ticket = handled_ticket(operator, hrss, hrss_handler)
    supervision.raise_supervision(actor=supervisor, ticket=ticket, level=5, reason="久拖不决")
    login(client, leader)
    page = client.get(reverse("hotline:ranking")).content.decode()
    assert 'data-testid="signoff"' in page
    top = Supervision.objects.get()
    client.post(
        reverse("hotline:supervision_action", args=["sign"]),
        {"supervision": top.pk, "instruction": "限期办结"},
    )
    top.refresh_from_db()
    assert top.signed_by == leader and top.instruction == "限期办结"


def test_supervisor_edits_the_duty_list(client, supervisor, operator, seeded):
    from banhao.hotline.models import DutyAssignment
    from banhao.org.selectors import resolve_department

    login(client, supervisor)
    heating = Category.objects.get(code="heating")
    unit = resolve_department("县发展改革局")
    client.post(
        reverse("hotline:duty_list"),
        {"category": heating.pk, "town": "", "department": unit.pk, "basis": "机构改革"},
    )
    line = DutyAssignment.objects.get(category=heating, town=None)
    assert line.department == unit and line.source == "edited" and line.basis == "机构改革"
    login(client, operator)  # operators read the list but cannot change it
    assert (
        client.post(
            reverse("hotline:duty_list"), {"category": heating.pk, "department": unit.pk}
        ).status_code
        == 403
    )
