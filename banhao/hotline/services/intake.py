"""Taking in a ticket from any channel (phone, web, mobile, API, Open311, payments): the checks,
the repeat check against the requester's recent tickets, the insert, and a consultation answered
on the call.

Public entry point for other apps: ``register_ticket`` with a ``TicketIntake`` (e.g. payments
files a "cash refused" ticket with ``channel=Channel.PAYMENT, related_object=place``).
"""

import dataclasses
import datetime as dt
import functools
import mimetypes
from collections.abc import Sequence
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction

from banhao.accounts.models import User
from banhao.core import rows
from banhao.core.identifiers import clean_mobile
from banhao.org.models import Region
from banhao.org.selectors import townships

from .. import errors
from ..errors import HotlineError
from ..models import Attachment, Category, EventKind, Ticket
from ..states import (
    CHANNELS,
    TICKET_TYPES,
    URGENCIES,
    Channel,
    TicketStatus,
    TicketType,
    Urgency,
    check,
)
from .common import (
    add_event,
    audit,
    lock_ticket,
    notify_requester,
    now_or,
    require_centre,
    save_ticket,
    snapshot,
)

MAX_DESCRIPTION = 4000
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_MB = 10
ATTACHMENT_TYPES = frozenset(
    {"image/jpeg", "image/png", "application/pdf", "audio/mpeg", "audio/wav", "audio/x-wav"}
)
# Same requester, same matter within this many days: linked as a repeat (重复件).
REPEAT_WINDOW_DAYS = 30
# Without a category, texts this similar (Jaccard over words) count as the same matter.
SAME_TEXT_SIMILARITY = 0.6
REPEAT_COMPARED = 20
PAYMENT_CATEGORY = "payment_refusal"


@dataclasses.dataclass(frozen=True, slots=True)
class TicketIntake:
    """One request or complaint as a channel took it in, before the intake checks it.

    Every field but ``channel`` and ``description`` has a default, so a channel fills in only
    what it has; ``register_ticket`` checks the values and raises HotlineError (with the field)
    on bad input, as for a form. ``requester`` is the account the ticket is for, if any;
    anonymous tickets keep no contact and no account. ``related_object`` is any model row the
    ticket is about (a payment place). ``suggest`` stores the dispatch suggestion on the ticket.
    """

    channel: str
    description: str
    ticket_type: str = TicketType.COMPLAINT
    category: Category | None = None
    urgency: str = Urgency.NORMAL
    requester: User | None = None
    anonymous: bool = False
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    town: Region | None = None
    address: str = ""
    latitude: Decimal | float | None = None
    longitude: Decimal | float | None = None
    title: str = ""
    attachments: Sequence = ()
    related_object: models.Model | None = None
    media_url: str = ""
    suggest: bool = False


def _clean_phone(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return clean_mobile(value)
    except ValidationError as exc:
        # Landlines (0533-3221234) are common for phone callers.
        compact = value.replace("-", "").replace(" ", "")
        if compact.isdigit() and compact.startswith("0") and 10 <= len(compact) <= 12:
            return compact
        raise HotlineError(errors.BAD_PHONE, "contact_phone", detail=exc.messages[0]) from None


def _check_attachment(upload) -> None:
    if upload.size > MAX_ATTACHMENT_MB * 1024 * 1024:
        raise HotlineError(errors.ATTACHMENT_TOO_LARGE, "attachments", limit=MAX_ATTACHMENT_MB)
    kind = getattr(upload, "content_type", "") or mimetypes.guess_type(upload.name)[0] or ""
    if kind not in ATTACHMENT_TYPES:
        raise HotlineError(errors.ATTACHMENT_TYPE, "attachments")


def _township_of(region: Region) -> Region:
    """The county township a region lies in (a village or community gives its town)."""
    allowed = set(townships().values_list("pk", flat=True))
    current, hops = region, 0
    while current is not None and hops < 4:
        if current.pk in allowed:
            return current
        current = current.parent
        hops += 1
    raise HotlineError(errors.BAD_TOWN, "town")


def _words(text: str) -> set[str]:
    from ..dispatch import tokenize

    return {w for w in tokenize(text) if len(w) > 1}


_RECENT_COLUMNS = (
    "id",
    "category_id",
    "related_type_id",
    "related_id",
    "description",
    "duplicate_of_id",
    "status",
)


def _recent_tickets(
    *, requester_id: int | None, contact_phone: str, since: dt.datetime, exclude_pk: int | None
) -> list[tuple]:
    """The requester's latest REPEAT_COMPARED tickets created since ``since``, newest first, as
    rows of _RECENT_COLUMNS.

    A lean statement (``core.rows``) on purpose: it runs on every intake, and building the same
    query through the ORM (filters, ordering, deferred columns), or even mapping a raw query's
    rows to model instances, cost more CPU than the rest of the repeat check
    (docs/adr/0005-hotline.md, "Intake speed"). The columns need no converters (numbers and
    text). With ``BANHAO_LEAN_SQL`` off, the ORM gives the same rows.
    """
    if requester_id is None and not contact_phone:
        return []
    if not rows.enabled():
        who = models.Q()
        if requester_id is not None:
            who |= models.Q(requester_id=requester_id)
        if contact_phone:
            who |= models.Q(contact_phone=contact_phone)
        query = Ticket.objects.filter(who, created_at__gte=since)
        if exclude_pk:
            query = query.exclude(pk=exclude_pk)
        ordered = query.order_by("-created_at", "-id").values_list(*_RECENT_COLUMNS)
        return list(ordered[:REPEAT_COMPARED])
    sql = _recent_sql(requester_id is not None, bool(contact_phone), bool(exclude_pk))
    params: list = [requester_id] if requester_id is not None else []
    if contact_phone:
        params.append(contact_phone)
    params.append(connection.ops.adapt_datetimefield_value(since))
    if exclude_pk:
        params.append(exclude_pk)
    params.append(REPEAT_COMPARED)
    return rows.fetch(sql, params)


@functools.cache
def _recent_sql(by_requester: bool, by_phone: bool, excluding: bool) -> str:
    """The statement for one shape of the repeat check; names from ``_meta``, values bound."""
    who = [rows.column(Ticket, "requester_id")] if by_requester else []
    if by_phone:
        who.append(rows.column(Ticket, "contact_phone"))
    created, pk = rows.column(Ticket, "created_at"), rows.column(Ticket, "id")
    sql = (
        f"SELECT {', '.join(rows.column(Ticket, name) for name in _RECENT_COLUMNS)}"  # noqa: S608
        f" FROM {rows.table(Ticket)}"
        f" WHERE ({' OR '.join(f'{c} = %s' for c in who)}) AND {created} >= %s"
    )
    if excluding:
        sql += f" AND {pk} <> %s"
    return sql + f" ORDER BY {created} DESC, {pk} DESC LIMIT %s"


def _ticket_from_row(row: tuple) -> Ticket:
    """The matching row as a (deferred) model instance, as a raw query would give it."""
    values = dict(zip(_RECENT_COLUMNS, row, strict=True))
    # from_db takes the values in the model's field order.
    names = [f.attname for f in Ticket._meta.concrete_fields if f.attname in values]
    return Ticket.from_db(connection.alias, names, [values[name] for name in names])


def find_earlier(
    *,
    requester=None,
    contact_phone: str = "",
    category: Category | None = None,
    related_type=None,
    related_id: str = "",
    description: str = "",
    now: dt.datetime,
    exclude_pk: int | None = None,
) -> Ticket | None:
    """The most recent earlier ticket from the same requester on the same matter, in the window.

    Same requester: the same account, or the same contact phone. Same matter: the same related
    object, else the same category, else (when neither is known) a similar text. One query over
    the requester's latest REPEAT_COMPARED tickets.
    """
    if requester is None and not contact_phone:
        return None
    recent = _recent_tickets(
        requester_id=requester.pk if requester is not None else None,
        contact_phone=contact_phone,
        since=now - dt.timedelta(days=REPEAT_WINDOW_DAYS),
        exclude_pk=exclude_pk,
    )
    if not recent:
        return None
    # Row positions in _RECENT_COLUMNS.
    if related_type is not None and related_id:
        for row in recent:
            if row[2] == related_type.pk and row[3] == related_id:
                return _ticket_from_row(row)
    if category is not None:
        for row in recent:
            if row[1] == category.pk:
                return _ticket_from_row(row)
    words = _words(description)
    if not words:
        return None
    for row in recent:
        other = _words(row[4])
        if other and len(words & other) / len(words | other) >= SAME_TEXT_SIMILARITY:
            return _ticket_from_row(row)
    return None


def register_ticket(*, actor, intake: TicketIntake, now: dt.datetime | None = None) -> Ticket:
    """Take in a request or complaint from any channel. Returns the new, registered ticket.

    ``actor`` is who typed it (an operator, the requester, or None for an API client). A repeat
    of an earlier ticket (same requester and matter within REPEAT_WINDOW_DAYS) is linked to it
    through ``duplicate_of``, never merged. Raises HotlineError (with ``field``) on bad input.
    """
    now = now_or(now)
    description = (intake.description or "").strip()
    if not description:
        raise HotlineError(errors.DESCRIPTION_REQUIRED, "description")
    if len(description) > MAX_DESCRIPTION:
        raise HotlineError(errors.DESCRIPTION_TOO_LONG, "description", limit=MAX_DESCRIPTION)
    channel = intake.channel
    if channel not in CHANNELS:
        raise ValueError(f"Unknown channel {channel!r}")
    ticket_type = intake.ticket_type if intake.ticket_type in TICKET_TYPES else TicketType.COMPLAINT
    urgency = intake.urgency if intake.urgency in URGENCIES else Urgency.NORMAL
    category = intake.category
    if category is not None and (category.parent_id is None or not category.is_active):
        raise HotlineError(errors.BAD_CATEGORY, "category")
    town = _township_of(intake.town) if intake.town is not None else None
    if category is None and channel == Channel.PAYMENT:
        # Filed from a payment place's page: cash or card refused.
        category = Category.objects.filter(code=PAYMENT_CATEGORY, is_active=True).first()
    latitude, longitude = intake.latitude, intake.longitude
    if (latitude is None) != (longitude is None) or (
        latitude is not None
        and not (-90 <= float(latitude) <= 90 and -180 <= float(longitude) <= 180)
    ):
        raise HotlineError(errors.BAD_COORDINATES, "latitude")
    attachments = tuple(intake.attachments)
    if len(attachments) > MAX_ATTACHMENTS:
        raise HotlineError(errors.TOO_MANY_ATTACHMENTS, "attachments", limit=MAX_ATTACHMENTS)
    for upload in attachments:
        _check_attachment(upload)
    requester, anonymous = intake.requester, intake.anonymous
    if anonymous:
        requester, contact_name, contact_phone, contact_email = None, "", "", ""
    else:
        contact_name, contact_email = intake.contact_name, intake.contact_email
        contact_phone = _clean_phone(intake.contact_phone)
        if requester is not None:
            contact_name = contact_name or requester.display_name
            contact_phone = contact_phone or requester.phone
            contact_email = contact_email or requester.email
        if not contact_phone and not contact_email and requester is None:
            raise HotlineError(errors.CONTACT_REQUIRED, "contact_phone")
    related_type, related_id = None, ""
    if intake.related_object is not None:
        related_type = ContentType.objects.get_for_model(intake.related_object)
        related_id = str(intake.related_object.pk)
    earlier = None
    if not anonymous:
        earlier = find_earlier(
            requester=requester,
            contact_phone=contact_phone,
            category=category,
            related_type=related_type,
            related_id=related_id,
            description=description,
            now=now,
        )
    checked = dataclasses.replace(
        intake,
        channel=channel,
        description=description,
        ticket_type=ticket_type,
        category=category,
        urgency=urgency,
        requester=requester,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        town=town,
        attachments=attachments,
    )
    # Reads and checks above run outside the transaction, so the write lock (SQLite) is held
    # only for the inserts below. Two repeats typed at the very same moment may both miss each
    # other; the operator still sees the repeat on the next one.
    with transaction.atomic():
        return _insert_ticket(
            checked,
            actor=actor,
            related_type=related_type,
            related_id=related_id,
            earlier=earlier,
            now=now,
        )


def _insert_ticket(
    intake: TicketIntake, *, actor, related_type, related_id: str, earlier, now: dt.datetime
) -> Ticket:
    """Insert the checked ``intake`` as a new ticket, with its attachments and events."""
    ticket = Ticket(
        channel=intake.channel,
        ticket_type=intake.ticket_type,
        urgency=intake.urgency,
        category=intake.category,
        title=(intake.title or "").strip()[:100],
        description=intake.description,
        requester=intake.requester,
        is_anonymous=intake.anonymous,
        contact_name=intake.contact_name.strip()[:100],
        contact_phone=intake.contact_phone,
        contact_email=intake.contact_email.strip(),
        town=intake.town,
        address=(intake.address or "").strip()[:200],
        latitude=intake.latitude,
        longitude=intake.longitude,
        related_type=related_type,
        related_id=related_id,
        media_url=(intake.media_url or "")[:500],
        duplicate_of_id=(earlier.duplicate_of_id or earlier.pk) if earlier else None,
        created_at=now,
    )
    if intake.suggest:
        _store_suggestion(ticket)
    # The ticket's 38-column INSERT built once, not compiled on every intake (Ticket has no
    # save() override and no signal receivers; docs/adr/0005-hotline.md, "Intake speed").
    rows.insert([ticket])
    for upload in intake.attachments:
        attachment = Attachment(
            ticket=ticket,
            name=upload.name[-120:],
            content_type=getattr(upload, "content_type", "") or "",
            size=upload.size,
        )
        attachment.file.save(upload.name[-80:], upload, save=False)
        attachment.save()
    add_event(ticket, EventKind.REGISTERED, actor=actor, at=now, data={"channel": intake.channel})
    if ticket.duplicate_of_id:
        add_event(
            ticket,
            EventKind.LINKED,
            actor=actor,
            at=now,
            data={"earlier": ticket.duplicate_of_id, "earlier_status": earlier.status},
        )
        add_event(
            ticket.duplicate_of, EventKind.LINKED, actor=actor, at=now, data={"repeat": ticket.pk}
        )
    audit(actor, "ticket.registered", ticket, None, extra={"channel": intake.channel})
    notify_requester(ticket, "registered", f"12345: {ticket.number}", intake.description[:60])
    return ticket


def _store_suggestion(ticket: Ticket) -> None:
    """Keep the unit the suggestion proposed (and its confidence), to measure its accuracy."""
    from ..dispatch import suggest as suggest_units

    ranked = suggest_units(
        f"{ticket.title} {ticket.description}", ticket.town_id, ticket.category_id
    )
    if ranked:
        ticket.suggested_department_id = ranked[0].department_id
        ticket.suggestion_confidence = ranked[0].confidence


@transaction.atomic
def answer_directly(*, actor, ticket: Ticket, reply: str, version: int | None = None, now=None):
    """A consultation answered by the operator on the call: closed without dispatch."""
    require_centre(actor)
    now = now_or(now)
    if not (reply or "").strip():
        raise HotlineError(errors.REASON_REQUIRED, "reply")
    ticket = lock_ticket(ticket, version)
    check("answer_directly", ticket.status)
    before = snapshot(ticket)
    ticket.status = TicketStatus.CLOSED
    ticket.reply = reply.strip()
    ticket.replied_at = ticket.closed_at = now
    save_ticket(ticket, "status", "reply", "replied_at", "closed_at")
    add_event(
        ticket, EventKind.ANSWERED, actor=actor, at=now, before_status=before["status"], note=reply
    )
    audit(actor, "ticket.answered", ticket, before)
    return ticket
