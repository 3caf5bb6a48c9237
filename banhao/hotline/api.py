"""HTTP API of the hotline (session auth, CSRF on writes): intake, lists, transitions,
dispatch suggestion and ranking. Handlers parse, call one service or selector, render."""

import datetime as dt
from decimal import Decimal

from django.http import Http404
from ninja import Field, Router, Schema, Status

from banhao.accounts.roles import PUBLIC_ROLES
from banhao.org.models import Department

from . import access, dispatch, errors, evaluation, selectors
from .errors import HotlineError
from .services import handling
from .services.intake import TicketIntake, register_ticket
from .states import Channel, TicketType, Urgency

router = Router(tags=["hotline"])


class TicketIn(Schema):
    description: str = Field(..., max_length=4000)
    ticket_type: TicketType = TicketType.COMPLAINT
    category: str | None = Field(None, description="category code (Open311 service_code)")
    urgency: Urgency = Urgency.NORMAL
    channel: Channel = Channel.API
    anonymous: bool = False
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    town_id: int | None = None
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    title: str = ""


class TicketListOut(Schema):
    """A ticket in a list: no contact details (those are shown, and audited, one by one)."""

    id: int
    number: str
    status: str
    channel: str
    ticket_type: str
    urgency: str
    category: str | None
    title: str
    description: str
    town: str | None
    address: str
    department: str | None
    suggested_department: str | None
    suggestion_confidence: float | None
    duplicate_of: int | None
    supervision_level: int
    reopen_count: int
    created_at: dt.datetime
    respond_due: dt.datetime | None
    handle_due: dt.datetime | None
    version: int

    @staticmethod
    def resolve_category(obj):
        return obj.category.code if obj.category_id else None

    @staticmethod
    def resolve_town(obj):
        return obj.town.name if obj.town_id else None

    @staticmethod
    def resolve_department(obj):
        return obj.department.name if obj.department_id else None

    @staticmethod
    def resolve_suggested_department(obj):
        return obj.suggested_department.name if obj.suggested_department_id else None

    @staticmethod
    def resolve_duplicate_of(obj):
        return obj.duplicate_of_id


class TicketOut(TicketListOut):
    contact: dict

    @staticmethod
    def resolve_contact(obj, context):
        return selectors.contact_for(context["request"].user, obj)


class SuggestIn(Schema):
    text: str = Field(..., min_length=1, max_length=4000)
    town_id: int | None = None
    category: str | None = None


class SuggestionOut(Schema):
    department_id: int
    department: str
    confidence: float
    category: str


class VersionIn(Schema):
    version: int | None = None


class DispatchIn(VersionIn):
    department_id: int
    note: str = ""


class ReasonIn(VersionIn):
    reason: str


class ReplyIn(VersionIn):
    text: str


class CallbackIn(VersionIn):
    satisfaction: str
    resolution: str = ""
    note: str = ""
    reopen: bool | None = None


class RankOut(Schema):
    rank: int
    department_id: int
    department: str
    department_en: str
    received: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    timeliness: float | None
    score: float
    flags: list[str]

    @staticmethod
    def resolve_received(obj):
        return obj.counts["received"]


class RankingOut(Schema):
    period: str
    start: dt.date
    end: dt.date
    units: list[RankOut]


def _ticket(request, pk: int):
    return access.get_ticket_or_404(request.user, pk, selectors.ticket_queryset())


@router.post("/tickets/", response={201: TicketOut})
def create_ticket(request, payload: TicketIn):
    """Take in a ticket. Citizens and enterprises file for themselves (web, mobile or API
    channel); the centre files for callers (phone channel)."""
    user = request.user
    if user.role in PUBLIC_ROLES:
        requester = user
        if payload.channel not in (Channel.WEB, Channel.MOBILE, Channel.API):
            raise HotlineError(errors.BAD_CHANNEL, "channel")
    elif access.is_centre(user):
        requester = None
    else:
        raise HotlineError(errors.NOT_REQUESTER)
    category = selectors.category_by_code(payload.category) if payload.category else None
    town = selectors.town_by_id(payload.town_id) if payload.town_id else None
    ticket = register_ticket(
        actor=user,
        intake=TicketIntake(
            channel=payload.channel,
            description=payload.description,
            ticket_type=payload.ticket_type,
            category=category,
            urgency=payload.urgency,
            requester=requester,
            anonymous=payload.anonymous,
            contact_name=payload.contact_name,
            contact_phone=payload.contact_phone,
            contact_email=payload.contact_email,
            town=town,
            address=payload.address,
            latitude=payload.latitude,
            longitude=payload.longitude,
            title=payload.title,
        ),
    )
    return Status(201, selectors.ticket_queryset().get(pk=ticket.pk))


@router.get("/tickets/", response=list[TicketListOut])
def list_tickets(request, status: str | None = None, limit: int = 50, offset: int = 0):
    qs = access.visible_tickets(request.user, selectors.ticket_queryset())
    if status:
        qs = qs.filter(status=status)
    limit = max(1, min(limit, 200))
    return list(qs.order_by("-created_at", "-id")[offset : offset + limit])


@router.get("/tickets/{ticket_id}/", response=TicketOut)
def get_ticket(request, ticket_id: int):
    return _ticket(request, ticket_id)


@router.post("/suggest/", response=list[SuggestionOut])
def suggest(request, payload: SuggestIn):
    """Ranked units with confidence for a text and town. Creates nothing."""
    category = selectors.category_by_code(payload.category) if payload.category else None
    ranked = dispatch.suggest(payload.text, payload.town_id, category.pk if category else None)
    return [
        {
            "department_id": c.department_id,
            "department": c.department_name,
            "confidence": c.confidence,
            "category": c.category_code,
        }
        for c in ranked
    ]


def _act(request, ticket_id, fn, **kwargs):
    ticket = _ticket(request, ticket_id)
    fn(actor=request.user, ticket=ticket, **kwargs)
    return selectors.ticket_queryset().get(pk=ticket.pk)


@router.post("/tickets/{ticket_id}/dispatch/", response=TicketOut)
def dispatch_ticket(request, ticket_id: int, payload: DispatchIn):
    department = Department.objects.filter(pk=payload.department_id).first()
    if department is None:
        raise Http404
    return _act(
        request,
        ticket_id,
        handling.dispatch,
        department=department,
        note=payload.note,
        version=payload.version,
    )


@router.post("/tickets/{ticket_id}/accept/", response=TicketOut)
def accept_ticket(request, ticket_id: int, payload: VersionIn):
    return _act(request, ticket_id, handling.accept, version=payload.version)


@router.post("/tickets/{ticket_id}/return/", response=TicketOut)
def return_ticket(request, ticket_id: int, payload: ReasonIn):
    return _act(
        request, ticket_id, handling.return_ticket, reason=payload.reason, version=payload.version
    )


@router.post("/tickets/{ticket_id}/reply/", response=TicketOut)
def reply_ticket(request, ticket_id: int, payload: ReplyIn):
    return _act(request, ticket_id, handling.reply, text=payload.text, version=payload.version)


@router.post("/tickets/{ticket_id}/callback/", response=TicketOut)
def callback_ticket(request, ticket_id: int, payload: CallbackIn):
    return _act(
        request,
        ticket_id,
        handling.callback,
        satisfaction=payload.satisfaction,
        resolution=payload.resolution,
        note=payload.note,
        reopen=payload.reopen,
        version=payload.version,
    )


@router.get("/ranking/", response=RankingOut)
def ranking(request, period: str = "month", date: dt.date | None = None):
    if not (access.sees_everything(request.user) or access.is_unit_staff(request.user)):
        raise HotlineError(errors.RANKING_STAFF_ONLY)
    if period not in evaluation.PERIODS:
        raise HotlineError(errors.BAD_PERIOD, "period")
    start, end, rows = evaluation.ranking_with_flags(period, date or dt.date.today())
    return {"period": period, "start": start, "end": end, "units": rows}
