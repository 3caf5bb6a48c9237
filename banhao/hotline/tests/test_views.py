import datetime as dt

import pytest
from django.urls import reverse

from banhao.accounts.roles import Role
from banhao.audit.models import AuditRecord
from banhao.hotline.models import Category, Ticket
from banhao.hotline.services import handling, supervision
from banhao.hotline.services.intake import TicketIntake, register_ticket
from banhao.hotline.states import Channel, TicketStatus
from banhao.testing import PASSWORD, make_user


def login(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def ticket_for(operator, **extra):
    values = {
        "channel": Channel.PHONE,
        "description": "包工头拖欠农民工工资",
        "contact_name": "王五",
        "contact_phone": "13905331234",
        "category": Category.objects.get(code="wages"),
    }
    values.update(extra)
    return register_ticket(actor=operator, intake=TicketIntake(**values))


def test_operator_takes_a_call_through_the_form(client, operator, nanma):
    login(client, operator)
    response = client.post(
        reverse("hotline:intake"),
        {
            "ticket_type": "help",
            "category": Category.objects.get(code="wages").pk,
            "urgency": "normal",
            "description": "工地拖欠工资两个月",
            "town": nanma.pk,
            "address": "城区工地",
            "contact_name": "王五",
            "contact_phone": "13905331234",
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "hotline:ticket", args=[ticket.pk]
    )
    assert ticket.channel == "phone" and ticket.requester is None and ticket.town == nanma
    page = client.get(response.url).content.decode()
    assert "县人力资源社会保障局" in page and 'data-testid="suggestions"' in page


def test_bad_intake_keeps_what_was_typed(client, operator):
    login(client, operator)
    response = client.post(
        reverse("hotline:intake"),
        {
            "ticket_type": "help",
            "urgency": "normal",
            "description": "路灯坏了",
            "contact_phone": "123",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "路灯坏了" in page and "This phone number is not valid" in page
    assert Ticket.objects.count() == 0


def test_citizen_files_on_the_web_and_sees_own_tickets_only(client, seeded):
    citizen = make_user(Role.CITIZEN, phone="13800001111")
    other = make_user(Role.CITIZEN)
    login(client, citizen)
    client.post(
        reverse("hotline:intake"),
        {"ticket_type": "complaint", "urgency": "normal", "description": "小区暖气不热"},
    )
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.requester, ticket.contact_phone) == (
        "web",
        citizen,
        "13800001111",
    )
    assert client.get(reverse("hotline:my_ticket", args=[ticket.pk])).status_code == 200
    login(client, other)
    assert client.get(reverse("hotline:my_ticket", args=[ticket.pk])).status_code == 404
    assert client.get(reverse("hotline:ticket", args=[ticket.pk])).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("other_unit", 404),
        ("own_unit", 200),
        ("operator", 200),
        ("leader", 200),
    ],
)
def test_ticket_page_authorisation(
    client, who, status, operator, hrss, market_handler, hrss_handler, leader
):
    ticket = handling.dispatch(actor=operator, ticket=ticket_for(operator), department=hrss)
    users = {
        "other_unit": market_handler,
        "own_unit": hrss_handler,
        "operator": operator,
        "leader": leader,
    }
    if who in users:
        login(client, users[who])
    assert client.get(reverse("hotline:ticket", args=[ticket.pk])).status_code == status


@pytest.mark.parametrize(
    ("name", "allowed", "refused"),
    [
        ("hotline:queue", ["operator", "supervisor"], ["hrss_handler", "leader", "citizen"]),
        ("hotline:unit_queue", ["hrss_handler", "hrss_head"], ["operator", "citizen"]),
        ("hotline:supervision", ["supervisor", "leader"], ["operator", "hrss_handler", "citizen"]),
        ("hotline:duty_list", ["operator", "supervisor", "leader"], ["hrss_handler", "citizen"]),
        ("hotline:ranking", ["supervisor", "leader", "hrss_head", "hrss_handler"], ["citizen"]),
    ],
)
def test_page_authorisation_matrix(client, request, name, allowed, refused, seeded):
    request.getfixturevalue("operator")
    request.getfixturevalue("hrss")
    users = {
        u: request.getfixturevalue(u)
        for u in ("operator", "supervisor", "hrss_handler", "hrss_head", "leader")
    }
    users["citizen"] = make_user(Role.CITIZEN)
    assert client.get(reverse(name)).status_code == 302  # anonymous: to the login page
    for who in allowed:
        login(client, users[who])
        assert client.get(reverse(name)).status_code == 200, who
    for who in refused:
        login(client, users[who])
        assert client.get(reverse(name)).status_code == 403, who


def test_unit_sees_contact_masked_until_granted_and_each_full_view_is_audited(
    client, operator, supervisor, hrss, hrss_handler
):
    ticket = handling.dispatch(actor=operator, ticket=ticket_for(operator), department=hrss)
    login(client, hrss_handler)
    page = client.get(reverse("hotline:ticket", args=[ticket.pk])).content.decode()
    assert "139****1234" in page and "13905331234" not in page
    assert not AuditRecord.objects.filter(event_type="personal_data.viewed").exists()
    supervision.grant_contact_access(actor=supervisor, ticket=ticket, purpose="承办单位回访")
    page = client.get(reverse("hotline:ticket", args=[ticket.pk])).content.decode()
    assert "13905331234" in page
    view = AuditRecord.objects.get(event_type="personal_data.viewed")
    assert view.actor == hrss_handler and view.subject_key == "phone:13905331234"


def test_anonymous_ticket_shows_no_contact_to_anyone(client, operator, hrss, hrss_handler):
    ticket = ticket_for(operator, anonymous=True)
    login(client, operator)
    page = client.get(reverse("hotline:ticket", args=[ticket.pk])).content.decode()
    assert "13905331234" not in page and "王五" not in page


def test_actions_through_pages_and_stale_form_conflict(client, operator, hrss, hrss_handler):
    ticket = ticket_for(operator)
    login(client, operator)
    url = reverse("hotline:ticket_action", args=[ticket.pk, "dispatch"])
    response = client.post(url, {"department": hrss.pk, "version": ticket.version})
    assert response.status_code == 302
    response = client.post(
        url,
        {"department": hrss.pk, "version": ticket.version, "note": "再派一次"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "Someone else changed this ticket" in response.content.decode()
    assert "再派一次" in response.content.decode()
    login(client, hrss_handler)
    ticket.refresh_from_db()
    client.post(
        reverse("hotline:ticket_action", args=[ticket.pk, "accept"]), {"version": ticket.version}
    )
    response = client.post(
        reverse("hotline:ticket_action", args=[ticket.pk, "reply"]), {"text": ""}
    )
    assert (
        response.status_code == 400
        and Ticket.objects.get(pk=ticket.pk).status == TicketStatus.HANDLING
    )
    client.post(reverse("hotline:ticket_action", args=[ticket.pk, "reply"]), {"text": "已支付"})
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.REPLIED


def test_other_unit_cannot_act(client, operator, hrss, market_handler):
    ticket = handling.dispatch(actor=operator, ticket=ticket_for(operator), department=hrss)
    login(client, market_handler)
    response = client.post(reverse("hotline:ticket_action", args=[ticket.pk, "accept"]))
    assert response.status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.DISPATCHED


def test_queue_query_count_is_constant(client, operator, django_assert_max_num_queries):
    login(client, operator)
    for i in range(3):
        ticket_for(operator, contact_phone=f"1390533100{i}")
    client.get(reverse("hotline:queue"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("hotline:queue"))
    for i in range(25):
        ticket_for(operator, contact_phone=f"139053320{i:02d}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("hotline:queue")).status_code == 200


def test_ticket_page_query_count_is_constant(
    client, operator, hrss, hrss_handler, django_assert_max_num_queries
):
    ticket = handling.dispatch(actor=operator, ticket=ticket_for(operator), department=hrss)
    login(client, hrss_handler)
    url = reverse("hotline:ticket", args=[ticket.pk])
    client.get(url)
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    for i in range(10):
        ticket_for(operator, contact_phone="13905331234", description=f"又来电 {i}")
    handling.accept(actor=hrss_handler, ticket=ticket)
    with django_assert_max_num_queries(len(few.captured_queries) + 2):
        client.get(url)


def test_ranking_page_and_exports(client, operator, supervisor, hrss, hrss_handler):
    now = dt.datetime.now(dt.UTC)
    ticket = handling.dispatch(
        actor=operator, ticket=ticket_for(operator), department=hrss, now=now
    )
    handling.accept(actor=hrss_handler, ticket=ticket, now=now)
    handling.reply(actor=hrss_handler, ticket=ticket, text="已处理", now=now)
    handling.callback(
        actor=operator, ticket=ticket, satisfaction="satisfied", resolution="resolved", now=now
    )
    login(client, supervisor)
    page = client.get(reverse("hotline:ranking")).content.decode()
    assert "县人力资源社会保障局" in page and "100%" in page
    xlsx = client.get(reverse("hotline:ranking_export", args=["xlsx"]) + "?period=month")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content))["排名"]
    assert sheet["B3"].value == "县人力资源社会保障局" and sheet["H3"].value == 100.0
    assert len(sheet._charts) == 1
    docx = client.get(reverse("hotline:ranking_export", args=["docx"]) + "?period=year")
    from docx import Document

    document = Document(io.BytesIO(docx.content))
    assert "年度总结" in document.paragraphs[0].text
    assert document.tables[0].rows[1].cells[1].text == "县人力资源社会保障局"
    assert len(document.inline_shapes) == 1  # the chart
    assert AuditRecord.objects.filter(event_type="hotline.ranking.exported").count() == 2


def test_home_cards(client, operator, hrss_handler):
    login(client, operator)
    page = client.get("/").content.decode()
    assert reverse("hotline:intake") in page and reverse("hotline:queue") in page
    login(client, hrss_handler)
    assert reverse("hotline:unit_queue") in client.get("/").content.decode()
