"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2/) at /open311/v2/.

Every method of the specification: service discovery, GET services, GET a service definition,
POST a service request (with ``api_key``), GET service_request_id from a token, GET service
requests (service_request_id, service_code, start_date, end_date, status) and GET one request.
``.xml`` and ``.json`` by extension (XML declaration, UTF-8, Spark-convention JSON). Errors as
``<errors><error><code/><description/></error></errors>`` (JSON: a list of {code, description})
with the HTTP status the specification names. ``jurisdiction_id`` is optional (one
jurisdiction); another jurisdiction's id answers 404. Unknown parameters are ignored.

Privacy: GET requests lists only tickets filed through Open311 and never any contact detail;
other tickets (phone calls, reports of wrongdoing) are not public (docs/adr/0005-hotline.md).
"""

import datetime as dt
import json
import re
import time
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from banhao.org.selectors import townships

from .errors import HotlineError
from .models import Category, Open311Client, Ticket
from .services.intake import TicketIntake, register_ticket
from .states import TICKET_TYPES, URGENCIES, Channel, TicketStatus, TicketType, Urgency

SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-26T00:00:00+08:00"
FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
MAX_RESULTS = 1000
DEFAULT_DAYS = 90


def jurisdiction() -> str:
    return getattr(settings, "BANHAO_OPEN311_JURISDICTION", "yiyuan.gov.cn")


class Open311Error(Exception):
    def __init__(self, status: int, description: str, code: int | None = None):
        super().__init__(description)
        self.status = status
        self.code = code or status
        self.description = description


# --- rendering -------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xml_node(parent, tag: str, value) -> None:
    node = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, item in value.items():
            _xml_node(node, key, item)
    elif isinstance(value, tuple):  # (child tag, [items]) for lists
        child_tag, items = value
        for item in items:
            _xml_node(node, child_tag, item)
    else:
        node.text = _text(value)


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value[1]]
    return value


def render(fmt: str, root: str, value, status: int = 200) -> HttpResponse:
    """``value`` is a dict (one element) or a (child tag, items) tuple (a list)."""
    if fmt == "json":
        body = json.dumps(_jsonable(value), ensure_ascii=False)
    else:
        element = ET.Element(root)
        if isinstance(value, tuple):
            for item in value[1]:
                _xml_node(element, value[0], item)
        else:
            for key, item in value.items():
                _xml_node(element, key, item)
        body = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="unicode")
    return HttpResponse(body.encode("utf-8"), status=status, content_type=FORMATS[fmt])


def error_response(fmt: str, error: Open311Error) -> HttpResponse:
    fmt = fmt if fmt in FORMATS else "xml"
    items = [{"code": error.code, "description": error.description}]
    return render(fmt, "errors", ("error", items), status=error.status)


def endpoint(view):
    """Format check, jurisdiction check and error rendering shared by every method."""

    def wrapped(request, fmt: str, **kwargs):
        try:
            if fmt not in FORMATS:
                raise Open311Error(400, f"Format '{fmt}' is not supported; use xml or json.")
            params = request.POST if request.method == "POST" else request.GET
            given = params.get("jurisdiction_id", "").strip()
            if given and given != jurisdiction():
                raise Open311Error(404, f"jurisdiction_id '{given}' was not found.")
            return view(request, fmt, params, **kwargs)
        except Open311Error as exc:
            return error_response(fmt, exc)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _w3(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


# --- services --------------------------------------------------------------------------------


def _service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.name_en or category.description,
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(category.keywords.split()),
        "group": category.parent.name if category.parent_id else "",
    }


def _leaf_categories():
    return Category.objects.filter(is_active=True, parent__isnull=False).select_related("parent")


@require_http_methods(["GET"])
@endpoint
def discovery(request, fmt, params):
    url = request.build_absolute_uri("/open311/v2/")
    return render(
        fmt,
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": "沂源县政府市民投诉中心 12345",
            "key_service": "Ask the citizen complaint centre for an api_key.",
            "endpoints": (
                "endpoint",
                [
                    {
                        "specification": SPEC,
                        "url": url,
                        "changeset": CHANGESET,
                        "type": "production",
                        "formats": ("format", ["text/xml", "application/json"]),
                    }
                ],
            ),
        },
    )


@require_http_methods(["GET"])
@endpoint
def service_list(request, fmt, params):
    return render(fmt, "services", ("service", [_service(c) for c in _leaf_categories()]))


def _attributes() -> list[dict]:
    def values(pairs):
        return ("value", [{"key": k, "name": str(n)} for k, n in pairs])

    return [
        {
            "variable": True,
            "code": "request_type",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": "咨询、求助、投诉、举报、建议或表扬 (default: complaint)",
            "order": 1,
            "description": "What kind of request is this?",
            "values": values(TicketType.choices),
        },
        {
            "variable": True,
            "code": "urgency",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": "default: normal",
            "order": 2,
            "description": "How urgent is it?",
            "values": values(Urgency.choices),
        },
        {
            "variable": True,
            "code": "town",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": "The town or subdistrict where it is",
            "order": 3,
            "description": "镇（街道）",
            "values": values([(str(t.pk), t.name) for t in townships()]),
        },
        {
            "variable": True,
            "code": "anonymous",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": "true: no contact details are kept",
            "order": 4,
            "description": "File anonymously?",
            "values": values([("false", "No"), ("true", "Yes")]),
        },
    ]


# --- reference data kept in memory ---------------------------------------------------------
# Every POST needs its client (by api_key) and its matter (by service_code). Both change rarely,
# on admin screens, so each worker process keeps them in memory instead of querying them on
# every request. A save or delete of a Category or an Open311Client empties the copy of the
# process that made it at once (signals connected in apps.py); other worker processes reload
# within REFERENCE_SECONDS, so a deactivated api_key stops working everywhere within that time.
REFERENCE_SECONDS = 30


@dataclass(frozen=True)
class _Reference:
    loaded_at: float
    categories: dict[str, Category]  # leaf matters by code
    clients: dict[str, int]  # active clients: api_key -> pk


class _Cache:
    current: _Reference | None = None
    generation = 0  # bumped by every reset, so a load that raced with a change is not kept


def reset_cache(**_signal_kwargs) -> None:
    """Forget the cached matters and clients (after one of them changed)."""
    _Cache.generation += 1
    _Cache.current = None


def _reference() -> _Reference:
    now = time.monotonic()
    current = _Cache.current
    if current is not None and now - current.loaded_at <= REFERENCE_SECONDS:
        return current
    generation = _Cache.generation
    current = _Reference(
        loaded_at=now,
        categories={c.code: c for c in _leaf_categories()},
        clients=dict(Open311Client.objects.filter(is_active=True).values_list("api_key", "pk")),
    )
    if generation == _Cache.generation:
        _Cache.current = current
    return current


def _category(code: str) -> Category:
    category = _reference().categories.get(code)
    if category is None:
        raise Open311Error(404, f"service_code '{code}' was not found.")
    return category


def _client_id(api_key: str) -> int | None:
    return _reference().clients.get(api_key) if api_key else None


@require_http_methods(["GET"])
@endpoint
def service_definition(request, fmt, params, service_code: str):
    category = _category(service_code)
    return render(
        fmt,
        "service_definition",
        {"service_code": category.code, "attributes": ("attribute", _attributes())},
    )


# --- requests --------------------------------------------------------------------------------


def _attribute(params, code: str) -> str:
    return (params.get(f"attribute[{code}]") or "").strip()


def _create(request, fmt, params):
    if _client_id(params.get("api_key", "").strip()) is None:
        raise Open311Error(403, "api_key is missing or invalid.")
    code = params.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code was not provided.")
    category = _category(code)
    lat, lon = params.get("lat", "").strip(), params.get("long", "").strip()
    address = params.get("address_string", "").strip()
    address_id = params.get("address_id", "").strip()
    if not ((lat and lon) or address or address_id):
        raise Open311Error(
            400, "A location is required: lat and long, address_string or address_id."
        )
    try:
        latitude, longitude = (float(lat), float(lon)) if lat and lon else (None, None)
    except ValueError:
        raise Open311Error(400, "lat and long must be numbers (WGS84).") from None
    town = None
    town_key = _attribute(params, "town")
    if town_key:
        town = townships().filter(pk=town_key if town_key.isdigit() else 0).first()
        if town is None:
            raise Open311Error(
                400, f"attribute[town] '{town_key}' is not one of the listed values."
            )
    ticket_type = (
        _attribute(params, "request_type") or category.default_type or TicketType.COMPLAINT
    )
    if ticket_type not in TICKET_TYPES:
        raise Open311Error(
            400, f"attribute[request_type] '{ticket_type}' is not one of the listed values."
        )
    urgency = _attribute(params, "urgency") or Urgency.NORMAL
    if urgency not in URGENCIES:
        raise Open311Error(400, f"attribute[urgency] '{urgency}' is not one of the listed values.")
    name = " ".join(
        p for p in (params.get("last_name", ""), params.get("first_name", "")) if p
    ).strip()
    phone = params.get("phone", "").strip()
    email = params.get("email", "").strip()
    anonymous = _attribute(params, "anonymous") == "true" or not (phone or email)
    try:
        ticket = register_ticket(
            actor=None,
            intake=TicketIntake(
                channel=Channel.OPEN311,
                description=params.get("description", ""),
                ticket_type=ticket_type,
                category=category,
                urgency=urgency,
                anonymous=anonymous,
                contact_name=name,
                contact_phone=phone,
                contact_email=email,
                town=town,
                address=address or (f"address_id {address_id}" if address_id else ""),
                latitude=None if latitude is None else round(latitude, 6),
                longitude=None if longitude is None else round(longitude, 6),
                media_url=params.get("media_url", "").strip(),
            ),
        )
    except HotlineError as exc:
        raise Open311Error(400, exc.message) from None
    account_id = params.get("account_id", "").strip() or None
    return render(
        fmt,
        "service_requests",
        (
            "request",
            [
                {
                    "service_request_id": ticket.pk,
                    "service_notice": f"12345 {ticket.number}",
                    "account_id": account_id,
                }
            ],
        ),
    )


def _public_tickets():
    return Ticket.objects.filter(channel=Channel.OPEN311).select_related(
        "category", "department", "town"
    )


def _request_row(ticket: Ticket) -> dict:
    stamps = [
        ticket.created_at,
        ticket.dispatched_at,
        ticket.accepted_at,
        ticket.replied_at,
        ticket.callback_at,
        ticket.closed_at,
    ]
    closed = ticket.status == TicketStatus.CLOSED
    return {
        "service_request_id": ticket.pk,
        "status": "closed" if closed else "open",
        "status_notes": ticket.reply
        if closed and ticket.reply
        else str(TicketStatus(ticket.status).label),
        "service_name": ticket.category.name if ticket.category_id else "",
        "service_code": ticket.category.code if ticket.category_id else "",
        "description": ticket.description,
        "agency_responsible": ticket.department.name if ticket.department_id else None,
        "service_notice": f"12345 {ticket.number}",
        "requested_datetime": _w3(ticket.created_at),
        "updated_datetime": _w3(ticket.closed_at if closed else max(s for s in stamps if s)),
        "expected_datetime": _w3(ticket.handle_due),
        "address": " ".join(
            p for p in (ticket.address, ticket.town.name if ticket.town_id else "") if p
        ),
        "address_id": None,
        "zipcode": None,
        "lat": float(ticket.latitude) if ticket.latitude is not None else None,
        "long": float(ticket.longitude) if ticket.longitude is not None else None,
        "media_url": ticket.media_url or None,
    }


def _date(params, name: str) -> dt.datetime | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    value = parse_datetime(raw.replace(" ", "+"))  # '+' in a query string arrives as a space
    if value is None or timezone.is_naive(value):
        raise Open311Error(
            400, f"{name} must be a w3 date-time with a time zone, e.g. 2010-01-01T00:00:00Z."
        )
    return value


def _split(params, name: str) -> list[str]:
    return [v.strip() for raw in params.getlist(name) for v in raw.split(",") if v.strip()]


def _search(request, fmt, params):
    qs = _public_tickets()
    ids = _split(params, "service_request_id")
    if ids:  # overrides all other arguments
        if not all(re.fullmatch(r"\d{1,12}", i) for i in ids):
            raise Open311Error(400, "service_request_id must be numbers, comma delimited.")
        by_id = {t.pk: t for t in qs.filter(pk__in=[int(i) for i in ids])}
        rows = [_request_row(by_id[int(i)]) for i in ids if int(i) in by_id]
        return render(fmt, "service_requests", ("request", rows))
    start, end = _date(params, "start_date"), _date(params, "end_date")
    if start and end and end - start > dt.timedelta(days=DEFAULT_DAYS):
        raise Open311Error(400, "start_date and end_date may not span more than 90 days.")
    if start and end and end < start:
        raise Open311Error(400, "end_date is before start_date.")
    if end is None:
        end = start + dt.timedelta(days=DEFAULT_DAYS) if start else timezone.now()
    if start is None:
        start = end - dt.timedelta(days=DEFAULT_DAYS)
    qs = qs.filter(created_at__gte=start, created_at__lte=end)
    codes = _split(params, "service_code")
    if codes:
        qs = qs.filter(category__code__in=codes)
    statuses = set(_split(params, "status"))
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status must be open or closed.")
    if statuses == {"open"}:
        qs = qs.exclude(status=TicketStatus.CLOSED)
    elif statuses == {"closed"}:
        qs = qs.filter(status=TicketStatus.CLOSED)
    rows = [_request_row(t) for t in qs.order_by("-created_at", "-id")[:MAX_RESULTS]]
    return render(fmt, "service_requests", ("request", rows))


@csrf_exempt
@require_http_methods(["GET", "POST"])
@endpoint
def requests_view(request, fmt, params):
    if request.method == "POST":
        return _create(request, fmt, params)
    return _search(request, fmt, params)


@require_http_methods(["GET"])
@endpoint
def request_detail(request, fmt, params, service_request_id: str):
    ticket = (
        _public_tickets().filter(pk=int(service_request_id)).first()
        if service_request_id.isdigit()
        else None
    )
    if ticket is None:
        raise Open311Error(404, f"service_request_id '{service_request_id}' was not found.")
    return render(fmt, "service_requests", ("request", [_request_row(ticket)]))


@require_http_methods(["GET"])
@endpoint
def token_view(request, fmt, params, token: str):
    ticket = None
    if re.fullmatch(r"[0-9a-fA-F-]{32,36}", token):
        ticket = (
            Ticket.objects.filter(channel=Channel.OPEN311, token=token).only("pk", "token").first()
        )
    if ticket is None:
        raise Open311Error(404, f"token '{token}' was not found.")
    return render(
        fmt,
        "service_requests",
        ("request", [{"service_request_id": ticket.pk, "token": str(ticket.token)}]),
    )
