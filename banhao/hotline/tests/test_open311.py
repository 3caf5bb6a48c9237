import datetime as dt
import json
from xml.etree import ElementTree as ET

import pytest

from banhao.hotline.models import Category, Open311Client, Ticket
from banhao.hotline.services.intake import TicketIntake, register_ticket
from banhao.hotline.states import Channel
from banhao.org.models import Region

BASE = "/open311/v2"


def parse_xml(content: bytes):
    return ET.fromstring(content)  # noqa: S314 (our own response, not untrusted input)


@pytest.fixture
def api_key(seeded):
    Open311Client.objects.create(name="FixMyStreet", api_key="k-123")
    return "k-123"


def post(client, api_key, fmt="json", **extra):
    data = {
        "api_key": api_key,
        "jurisdiction_id": "yiyuan.gov.cn",
        "service_code": "streetlight",
        "lat": "36.185",
        "long": "118.17",
        "address_string": "胜利路与振兴路路口",
        "first_name": "明",
        "last_name": "张",
        "phone": "13905331234",
        "email": "zm@example.com",
        "description": "路口路灯坏了三天",
        "media_url": "https://example.com/p.jpg",
        "device_id": "ignored",
        "unknown_param": "ignored",
    }
    data.update(extra)
    return client.post(f"{BASE}/requests.{fmt}", data)


def test_discovery_xml_and_json(client, seeded):
    response = client.get(f"{BASE}/discovery.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = parse_xml(response.content)
    assert root.tag == "discovery"
    assert (
        root.find("endpoints/endpoint/specification").text == "http://wiki.open311.org/GeoReport_v2"
    )
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]
    data = client.get(f"{BASE}/discovery.json").json()
    assert data["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    assert data["endpoints"][0]["url"] == "http://testserver/open311/v2/"


def test_services_list_and_definition(client, seeded):
    services_json = client.get(f"{BASE}/services.json?jurisdiction_id=yiyuan.gov.cn").json()
    leaves = Category.objects.filter(parent__isnull=False).count()
    assert len(services_json) == leaves
    light = next(s for s in services_json if s["service_code"] == "streetlight")
    assert light == {
        "service_code": "streetlight",
        "service_name": "路灯与市政设施",
        "description": "Street lights and municipal facilities",
        "metadata": True,
        "type": "realtime",
        "keywords": "路灯, 不亮, 井盖, 市政, 护栏, 绿化, 树木, 下水道, 排水, 积水, 窨井",
        "group": "城乡建设与交通",
    }
    root = parse_xml(client.get(f"{BASE}/services.xml").content)
    assert len(root.findall("service")) == leaves
    assert root.find("service/metadata").text == "true"
    definition = client.get(f"{BASE}/services/streetlight.json").json()
    assert definition["service_code"] == "streetlight"
    assert [a["code"] for a in definition["attributes"]] == [
        "request_type",
        "urgency",
        "town",
        "anonymous",
    ]
    assert definition["attributes"][2]["values"][0] == {
        "key": str(Region.objects.get(name="南麻街道").pk),
        "name": "南麻街道",
    }
    xml = parse_xml(client.get(f"{BASE}/services/streetlight.xml").content)
    assert xml.tag == "service_definition"
    assert xml.find("attributes/attribute/values/value/key").text == "consultation"


def test_post_creates_ticket_and_get_finds_it(client, api_key):
    nanma = Region.objects.get(name="南麻街道")
    response = post(
        client, api_key, **{"attribute[town]": str(nanma.pk), "attribute[urgency]": "urgent"}
    )
    assert response.status_code == 200
    body = response.json()
    ticket = Ticket.objects.get()
    assert body == [
        {
            "service_request_id": ticket.pk,
            "service_notice": f"12345 {ticket.number}",
            "account_id": None,
        }
    ]
    assert ticket.channel == Channel.OPEN311 and ticket.town == nanma and ticket.urgency == "urgent"
    assert (ticket.contact_name, ticket.contact_phone, ticket.contact_email) == (
        "张 明",
        "13905331234",
        "zm@example.com",
    )
    assert ticket.suggested_department is None  # stored when the centre dispatches
    one = client.get(f"{BASE}/requests/{ticket.pk}.json").json()
    assert len(one) == 1 and one[0]["status"] == "open"
    assert one[0]["service_code"] == "streetlight" and one[0]["lat"] == 36.185
    assert one[0]["media_url"] == "https://example.com/p.jpg"
    assert "13905331234" not in json.dumps(one, ensure_ascii=False)  # no contact detail is public
    xml = parse_xml(client.get(f"{BASE}/requests/{ticket.pk}.xml").content)
    assert xml.find("request/service_request_id").text == str(ticket.pk)
    assert xml.find("request/status").text == "open"
    token = client.get(f"{BASE}/tokens/{ticket.token}.json").json()
    assert token == [{"service_request_id": ticket.pk, "token": str(ticket.token)}]


def test_post_xml_response(client, api_key):
    response = post(client, api_key, fmt="xml")
    root = parse_xml(response.content)
    assert root.tag == "service_requests"
    assert root.find("request/service_request_id").text == str(Ticket.objects.get().pk)
    assert root.find("request/account_id").text is None


def test_post_without_contact_is_anonymous(client, api_key):
    post(client, api_key, phone="", email="", first_name="", last_name="")
    ticket = Ticket.objects.get()
    assert ticket.is_anonymous and ticket.contact_name == ""


@pytest.mark.parametrize(
    ("extra", "status", "fragment"),
    [
        ({"api_key": ""}, 403, "api_key"),
        ({"api_key": "wrong"}, 403, "api_key"),
        ({"service_code": ""}, 400, "service_code was not provided"),
        ({"service_code": "nope"}, 404, "service_code 'nope' was not found"),
        ({"jurisdiction_id": "sfgov.org"}, 404, "jurisdiction_id"),
        ({"lat": "", "long": "", "address_string": ""}, 400, "location"),
        ({"description": ""}, 400, "Describe"),
        ({"attribute[urgency]": "extreme"}, 400, "urgency"),
    ],
)
def test_post_errors(client, api_key, extra, status, fragment, settings):
    settings.LANGUAGE_CODE = "en"
    params = {"api_key": api_key, **extra}
    response = post(client, params.pop("api_key"), **params)
    assert response.status_code == status
    body = response.json()
    assert body[0]["code"] == status and fragment in body[0]["description"]
    assert Ticket.objects.count() == 0


def test_clients_and_matters_are_cached_and_forgotten_on_change(
    client, api_key, settings, django_assert_num_queries
):
    settings.LANGUAGE_CODE = "en"
    assert post(client, api_key).status_code == 200
    # the client and the matter come from memory: the repeat check, then the ticket, its event
    # and its audit record in one transaction
    with django_assert_num_queries(6):
        assert post(client, api_key, phone="13905330001").status_code == 200
    # a client deactivated (saved) is refused at once
    app = Open311Client.objects.get(api_key=api_key)
    app.is_active = False
    app.save()
    assert post(client, api_key).status_code == 403
    Open311Client.objects.create(name="Other", api_key="k-456")
    assert post(client, "k-456", phone="13905330002").status_code == 200
    Open311Client.objects.get(api_key="k-456").delete()
    assert post(client, "k-456").status_code == 403
    # a matter switched off is no longer a service
    streetlight = Category.objects.get(code="streetlight")
    streetlight.is_active = False
    streetlight.save()
    response = post(client, "k-456")
    assert response.status_code == 403  # still no client
    Open311Client.objects.create(name="Third", api_key="k-789")
    response = post(client, "k-789", phone="13905330003")
    assert response.status_code == 404 and "streetlight" in response.json()[0]["description"]


def test_other_processes_changes_are_seen_within_the_reference_time(client, api_key, monkeypatch):
    """A change made elsewhere (another worker process: no signal here) is seen after
    REFERENCE_SECONDS."""
    from banhao.hotline import open311

    clock = [1000.0]
    monkeypatch.setattr(open311.time, "monotonic", lambda: clock[0])
    open311.reset_cache()
    assert post(client, api_key).status_code == 200
    Open311Client.objects.filter(api_key=api_key).update(is_active=False)  # sends no signal
    assert post(client, api_key, phone="13905330001").status_code == 200  # still cached
    clock[0] += open311.REFERENCE_SECONDS + 1
    assert post(client, api_key, phone="13905330002").status_code == 403
    assert Ticket.objects.count() == 2


def test_error_in_xml(client, api_key):
    response = post(client, "bad", fmt="xml")
    root = parse_xml(response.content)
    assert response.status_code == 403
    assert root.tag == "errors" and root.find("error/code").text == "403"


def test_unsupported_format_and_unknown_id(client, seeded):
    assert client.get(f"{BASE}/services.csv").status_code == 400
    response = client.get(f"{BASE}/requests/999.json")
    assert response.status_code == 404 and response.json()[0]["code"] == 404


def test_get_requests_filters(client, api_key, operator):
    now = dt.datetime.now(dt.UTC)
    post(client, api_key)
    post(client, api_key, service_code="water", description="停水两天了", phone="13905330000")
    light, water = Ticket.objects.order_by("pk")
    Ticket.objects.filter(pk=water.pk).update(status="closed", closed_at=now, reply="已恢复供水")
    phone_ticket = register_ticket(
        actor=operator,
        intake=TicketIntake(
            channel=Channel.PHONE,
            description="电话来的投诉",
            contact_phone="13905331111",
        ),
    )

    def ids(query):
        return [r["service_request_id"] for r in client.get(f"{BASE}/requests.json{query}").json()]

    assert ids("") == [water.pk, light.pk]  # phone tickets are not public
    assert phone_ticket.pk not in ids("")
    assert ids("?status=open") == [light.pk]
    assert ids("?status=closed") == [water.pk]
    assert ids("?status=open,closed") == [water.pk, light.pk]
    assert ids("?service_code=water") == [water.pk]
    assert ids(f"?service_request_id={light.pk},{water.pk}&status=closed") == [light.pk, water.pk]
    start = (now - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(f"?start_date={start}") == [water.pk, light.pk]
    old = (now - dt.timedelta(days=200)).strftime("%Y-%m-%dT%H:%M:%SZ")
    older = (now - dt.timedelta(days=150)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(f"?start_date={old}&end_date={older}") == []
    closed = client.get(f"{BASE}/requests/{water.pk}.json").json()[0]
    assert closed["status_notes"] == "已恢复供水"
    assert client.get(f"{BASE}/requests.json?start_date=yesterday").status_code == 400
    assert client.get(f"{BASE}/requests.json?start_date={old}&end_date={start}").status_code == 400
    assert client.get(f"{BASE}/requests.json?status=pending").status_code == 400


def test_open311_skips_session_user_and_messages_but_keeps_the_headers(client, api_key):
    """/open311/ authenticates by api_key: no session, user or message store is prepared there
    (banhao.core.middleware); security headers, CSRF and locale stay as on every page."""
    response = post(client, api_key)
    assert response.status_code == 200
    request = response.wsgi_request
    assert not hasattr(request, "session") and not hasattr(request, "user")
    assert not hasattr(request, "_messages")
    assert "Cookie" not in response.get("Vary", "") and not response.cookies
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Content-Language"] and "Accept-Language" in response["Vary"]
    # a POST to a method that only reads is still refused by the CSRF check
    checked = client.__class__(enforce_csrf_checks=True)
    assert checked.post(f"{BASE}/services.json", {"api_key": api_key}).status_code == 403
    # everywhere else the session, the user and messages are there as before
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert hasattr(page.wsgi_request, "session") and hasattr(page.wsgi_request, "user")
    assert hasattr(page.wsgi_request, "_messages")
    assert "csrftoken" in page.cookies
