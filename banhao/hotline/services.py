"""Every write of the hotline: intake, the ticket lifecycle, rulings, supervision, grants.

Each function runs in one transaction, locks the ticket, checks its state (states.check raises
TransitionRefused), writes a TicketEvent and an audit record, keeps the per-unit daily facts
(UnitDayFact) up to date, and queues notifications that go out after commit.

Public entry point for other apps: ``register_ticket`` (e.g. payments files a "cash refused"
ticket with ``channel=Channel.PAYMENT, related_object=place``).
"""

import datetime as dt
import mimetypes
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from banhao.accounts.roles import Role
from banhao.audit.models import AuditAction
from banhao.audit.services import record
from banhao.core import rows
from banhao.core.i18n import user_language
from banhao.core.identifiers import clean_mobile
from banhao.notifications.services import notify
from banhao.org.models import Department, Region
from banhao.org.selectors import townships

from . import access, deadlines, errors
from .errors import HotlineError
from .models import (
    Attachment,
    Category,
    ContactGrant,
    DisciplineReferral,
    DutyAssignment,
    DutySource,
    EventKind,
    ExtensionRequest,
    HeadCallback,
    Ruling,
    Supervision,
    SupervisionRule,
    Ticket,
    TicketEvent,
    UnitDayFact,
)
from .states import (
    CHANNELS,
    TICKET_TYPES,
    URGENCIES,
    Channel,
    DeadlineStage,
    RequestStatus,
    Resolution,
    Satisfaction,
    SupervisionLevel,
    TicketStatus,
    TicketType,
    Urgency,
    check,
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
CONTACT_GRANT_HOURS = 72


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _local_day(at: dt.datetime) -> dt.date:
    return at.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def _snapshot(ticket: Ticket) -> dict:
    return {
        "status": ticket.status,
        "department_id": ticket.department_id,
        "supervision_level": ticket.supervision_level,
        "handle_due": ticket.handle_due.isoformat() if ticket.handle_due else None,
    }


def _event(ticket, kind, *, actor, at, before_status="", note="", data=None, department=None):
    # rows.insert: the INSERT statement built once instead of compiled per event (TicketEvent
    # has no save() override and no signal receivers).
    rows.insert(
        [
            TicketEvent(
                ticket=ticket,
                kind=kind,
                at=at,
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                department_id=department.pk if department else ticket.department_id,
                from_status=before_status,
                to_status=ticket.status,
                note=note,
                data=data or {},
            )
        ]
    )


def _audit(actor, event_type, ticket, before, summary="", extra=None, action=None):
    record(
        actor=actor,
        action=action or (AuditAction.TRANSITION if before else AuditAction.CREATE),
        event_type=f"hotline.{event_type}",
        obj=ticket,
        summary=summary or ticket.number,
        before=before,
        after=_snapshot(ticket),
        extra=extra,
    )


def _fact(department_id: int | None, at: dt.datetime, **increments: int) -> None:
    """Add to the unit's counts for the local day of ``at`` (created on first use)."""
    if not department_id or not increments:
        return
    day = _local_day(at)
    updates = {k: F(k) + v for k, v in increments.items()}
    if UnitDayFact.objects.filter(department_id=department_id, day=day).update(**updates):
        return
    try:
        with transaction.atomic():
            UnitDayFact.objects.create(department_id=department_id, day=day, **increments)
    except IntegrityError:  # created by a concurrent transaction a moment ago
        UnitDayFact.objects.filter(department_id=department_id, day=day).update(**updates)


def _lock(ticket: Ticket | int, version: int | None = None) -> Ticket:
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    locked = Ticket.objects.select_for_update(of=("self",)).select_related("department").get(pk=pk)
    if version is not None and locked.version != version:
        raise HotlineError(errors.CONFLICT)
    return locked


def _save(ticket: Ticket, *fields: str) -> None:
    ticket.version += 1
    ticket.save(update_fields=[*fields, "version"])


def _require_centre(actor) -> None:
    if actor is not None and not access.is_centre(actor):
        raise HotlineError(errors.NOT_CENTRE)


def _require_holder(actor, ticket: Ticket) -> None:
    if not access.holds(actor, ticket):
        raise HotlineError(errors.NOT_YOUR_UNIT)


UNIT_TITLE = _("12345: %(number)s")


def _notify_unit(
    ticket: Ticket, department_id: int, key: str, title=UNIT_TITLE, body: str = "", **params
) -> None:
    """Tell a unit's handlers and head; ``title`` (a lazy message with ``%(number)s`` and
    ``params``, which may be lazy too) is written in each recipient's language."""
    from banhao.accounts.models import User

    url = f"/hotline/tickets/{ticket.pk}/"
    staff = User.objects.filter(
        department_id=department_id, role__in=[Role.DEPT_HANDLER, Role.DEPT_HEAD], is_active=True
    )
    for user in staff:
        with translation.override(user_language(user)):
            text = str(title) % {"number": ticket.number, **{k: str(v) for k, v in params.items()}}
        notify(
            recipient=user,
            event_key=f"hotline:{ticket.pk}:{key}",
            kind="hotline",
            title=text,
            body=body,
            url=url,
        )


def _notify_requester(ticket: Ticket, key: str, title: str, body: str = "") -> None:
    if ticket.requester_id:
        notify(
            recipient=ticket.requester,
            event_key=f"hotline:{ticket.pk}:{key}",
            kind="hotline",
            title=title,
            body=body,
            url=f"/hotline/my/{ticket.pk}/",
            channels=("sms",),
        )


# --- intake ---------------------------------------------------------------------------------


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


PAYMENT_CATEGORY = "payment_refusal"


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
    from .dispatch import tokenize

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

    Written as SQL on a plain cursor on purpose: it runs on every intake, and building the same
    query through the ORM (filters, ordering, deferred columns), or even mapping a raw query's
    rows to model instances, cost more CPU than the rest of the repeat check
    (docs/adr/0005-hotline.md, "Intake speed"). Only values are parameters; the text is fixed.
    The columns need no converters (numbers and text).
    """
    who, params = [], []
    if requester_id is not None:
        who.append("requester_id = %s")
        params.append(requester_id)
    if contact_phone:
        who.append("contact_phone = %s")
        params.append(contact_phone)
    if not who:
        return []
    params.append(connection.ops.adapt_datetimefield_value(since))
    # Fixed column names and conditions; the values are parameters.
    sql = f"SELECT {', '.join(_RECENT_COLUMNS)} FROM {Ticket._meta.db_table}"  # noqa: S608
    sql += f" WHERE ({' OR '.join(who)}) AND created_at >= %s"
    if exclude_pk:
        sql += " AND id <> %s"
        params.append(exclude_pk)
    sql += " ORDER BY created_at DESC, id DESC LIMIT %s"
    params.append(REPEAT_COMPARED)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


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


def register_ticket(
    *,
    actor,
    channel: str,
    description: str,
    ticket_type: str = TicketType.COMPLAINT,
    category: Category | None = None,
    urgency: str = Urgency.NORMAL,
    requester=None,
    anonymous: bool = False,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    town: Region | None = None,
    address: str = "",
    latitude=None,
    longitude=None,
    title: str = "",
    attachments: Iterable = (),
    related_object=None,
    media_url: str = "",
    suggest: bool = False,
    now: dt.datetime | None = None,
) -> Ticket:
    """Take in a request or complaint from any channel. Returns the new, registered ticket.

    ``actor`` is who typed it (an operator, the requester, or None for an API client);
    ``requester`` the account it is for, if any. Anonymous tickets keep no contact and no
    account. A repeat of an earlier ticket (same requester and matter within
    REPEAT_WINDOW_DAYS) is linked to it through ``duplicate_of``, never merged.
    ``related_object`` is any model row the ticket is about (a payment place).
    Raises HotlineError (with ``field``) on bad input.
    """
    now = _now(now)
    description = (description or "").strip()
    if not description:
        raise HotlineError(errors.DESCRIPTION_REQUIRED, "description")
    if len(description) > MAX_DESCRIPTION:
        raise HotlineError(errors.DESCRIPTION_TOO_LONG, "description", limit=MAX_DESCRIPTION)
    if channel not in CHANNELS:
        raise ValueError(f"Unknown channel {channel!r}")
    if ticket_type not in TICKET_TYPES:
        ticket_type = TicketType.COMPLAINT
    if urgency not in URGENCIES:
        urgency = Urgency.NORMAL
    if category is not None and (category.parent_id is None or not category.is_active):
        raise HotlineError(errors.BAD_CATEGORY, "category")
    if town is not None:
        town = _township_of(town)
    if category is None and channel == Channel.PAYMENT:
        # Filed from a payment place's page: cash or card refused.
        category = Category.objects.filter(code=PAYMENT_CATEGORY, is_active=True).first()
    if (latitude is None) != (longitude is None) or (
        latitude is not None
        and not (-90 <= float(latitude) <= 90 and -180 <= float(longitude) <= 180)
    ):
        raise HotlineError(errors.BAD_COORDINATES, "latitude")
    attachments = list(attachments)
    if len(attachments) > MAX_ATTACHMENTS:
        raise HotlineError(errors.TOO_MANY_ATTACHMENTS, "attachments", limit=MAX_ATTACHMENTS)
    for upload in attachments:
        _check_attachment(upload)
    if anonymous:
        requester, contact_name, contact_phone, contact_email = None, "", "", ""
    else:
        contact_phone = _clean_phone(contact_phone)
        if requester is not None:
            contact_name = contact_name or requester.display_name
            contact_phone = contact_phone or requester.phone
            contact_email = contact_email or requester.email
        if not contact_phone and not contact_email and requester is None:
            raise HotlineError(errors.CONTACT_REQUIRED, "contact_phone")
    related_type, related_id = None, ""
    if related_object is not None:
        related_type = ContentType.objects.get_for_model(related_object)
        related_id = str(related_object.pk)
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
    # Reads and checks above run outside the transaction, so the write lock (SQLite) is held
    # only for the inserts below. Two repeats typed at the very same moment may both miss each
    # other; the operator still sees the repeat on the next one.
    with transaction.atomic():
        return _insert_ticket(
            actor=actor,
            channel=channel,
            ticket_type=ticket_type,
            urgency=urgency,
            category=category,
            title=title,
            description=description,
            requester=requester,
            anonymous=anonymous,
            contact_name=contact_name,
            contact_phone=contact_phone,
            contact_email=contact_email,
            town=town,
            address=address,
            latitude=latitude,
            longitude=longitude,
            related_type=related_type,
            related_id=related_id,
            media_url=media_url,
            earlier=earlier,
            attachments=attachments,
            suggest=suggest,
            now=now,
        )


def _insert_ticket(
    *,
    actor,
    channel,
    ticket_type,
    urgency,
    category,
    title,
    description,
    requester,
    anonymous,
    contact_name,
    contact_phone,
    contact_email,
    town,
    address,
    latitude,
    longitude,
    related_type,
    related_id,
    media_url,
    earlier,
    attachments,
    suggest,
    now,
) -> Ticket:
    ticket = Ticket(
        channel=channel,
        ticket_type=ticket_type,
        urgency=urgency,
        category=category,
        title=(title or "").strip()[:100],
        description=description,
        requester=requester,
        is_anonymous=anonymous,
        contact_name=contact_name.strip()[:100],
        contact_phone=contact_phone,
        contact_email=contact_email.strip(),
        town=town,
        address=(address or "").strip()[:200],
        latitude=latitude,
        longitude=longitude,
        related_type=related_type,
        related_id=related_id,
        media_url=(media_url or "")[:500],
        duplicate_of_id=(earlier.duplicate_of_id or earlier.pk) if earlier else None,
        created_at=now,
    )
    if suggest:
        _store_suggestion(ticket)
    # The ticket's 38-column INSERT built once, not compiled on every intake (Ticket has no
    # save() override and no signal receivers; docs/adr/0005-hotline.md, "Intake speed").
    rows.insert([ticket])
    for upload in attachments:
        attachment = Attachment(
            ticket=ticket,
            name=upload.name[-120:],
            content_type=getattr(upload, "content_type", "") or "",
            size=upload.size,
        )
        attachment.file.save(upload.name[-80:], upload, save=False)
        attachment.save()
    _event(ticket, EventKind.REGISTERED, actor=actor, at=now, data={"channel": channel})
    if ticket.duplicate_of_id:
        _event(
            ticket,
            EventKind.LINKED,
            actor=actor,
            at=now,
            data={"earlier": ticket.duplicate_of_id, "earlier_status": earlier.status},
        )
        _event(
            ticket.duplicate_of, EventKind.LINKED, actor=actor, at=now, data={"repeat": ticket.pk}
        )
    _audit(actor, "ticket.registered", ticket, None, extra={"channel": channel})
    _notify_requester(ticket, "registered", f"12345: {ticket.number}", description[:60])
    return ticket


@transaction.atomic
def answer_directly(*, actor, ticket: Ticket, reply: str, version: int | None = None, now=None):
    """A consultation answered by the operator on the call: closed without dispatch."""
    _require_centre(actor)
    now = _now(now)
    if not (reply or "").strip():
        raise HotlineError(errors.REASON_REQUIRED, "reply")
    ticket = _lock(ticket, version)
    check("answer_directly", ticket.status)
    before = _snapshot(ticket)
    ticket.status = TicketStatus.CLOSED
    ticket.reply = reply.strip()
    ticket.replied_at = ticket.closed_at = now
    _save(ticket, "status", "reply", "replied_at", "closed_at")
    _event(
        ticket, EventKind.ANSWERED, actor=actor, at=now, before_status=before["status"], note=reply
    )
    _audit(actor, "ticket.answered", ticket, before)
    return ticket


# --- dispatch, accept, return ---------------------------------------------------------------


def _store_suggestion(ticket: Ticket) -> None:
    """Keep the unit the suggestion proposed (and its confidence), to measure its accuracy."""
    from .dispatch import suggest as suggest_units

    ranked = suggest_units(
        f"{ticket.title} {ticket.description}", ticket.town_id, ticket.category_id
    )
    if ranked:
        ticket.suggested_department_id = ranked[0].department_id
        ticket.suggestion_confidence = ranked[0].confidence


def _check_unit(department: Department) -> None:
    if department is None or department.is_placeholder or not department.is_active:
        raise HotlineError(errors.BAD_DEPARTMENT, "department")


def _assign(ticket: Ticket, department: Department, now: dt.datetime) -> None:
    ticket.department = department
    ticket.status = TicketStatus.DISPATCHED
    ticket.dispatched_at = now
    ticket.accepted_at = None
    ticket.respond_due = deadlines.due(
        now, DeadlineStage.RESPOND, ticket.ticket_type, ticket.urgency
    )
    ticket.handle_due = None
    _fact(department.pk, now, received=1)


@transaction.atomic
def dispatch(
    *, actor, ticket: Ticket, department: Department, note: str = "", version=None, now=None
):
    """The centre sends a registered or returned ticket to a unit."""
    _require_centre(actor)
    _check_unit(department)
    now = _now(now)
    ticket = _lock(ticket, version)
    check("dispatch", ticket.status)
    if ticket.status == TicketStatus.RETURNED and ticket.department_id == department.pk:
        raise HotlineError(errors.SAME_DEPARTMENT, "department")
    before = _snapshot(ticket)
    _assign(ticket, department, now)
    _save(
        ticket, "department", "status", "dispatched_at", "accepted_at", "respond_due", "handle_due"
    )
    _event(
        ticket,
        EventKind.DISPATCHED,
        actor=actor,
        at=now,
        before_status=before["status"],
        note=note,
        data={
            "suggested": ticket.suggested_department_id,
            "confidence": ticket.suggestion_confidence,
        },
    )
    _audit(actor, "ticket.dispatched", ticket, before)
    _notify_unit(ticket, department.pk, f"dispatch:{ticket.version}")
    return ticket


@transaction.atomic
def accept(*, actor, ticket: Ticket, version=None, now=None):
    """The unit signs for the ticket (签收); the handling deadline starts."""
    now = _now(now)
    ticket = _lock(ticket, version)
    check("accept", ticket.status)
    _require_holder(actor, ticket)
    before = _snapshot(ticket)
    ticket.status = TicketStatus.HANDLING
    ticket.accepted_at = now
    ticket.handle_due = deadlines.due(now, DeadlineStage.HANDLE, ticket.ticket_type, ticket.urgency)
    _save(ticket, "status", "accepted_at", "handle_due")
    on_time = int(ticket.respond_due is None or now <= ticket.respond_due)
    _fact(ticket.department_id, now, responded=1, responded_on_time=on_time)
    _event(ticket, EventKind.ACCEPTED, actor=actor, at=now, before_status=before["status"])
    _audit(actor, "ticket.accepted", ticket, before)
    return ticket


def _bound_by_ruling(ticket: Ticket) -> bool:
    return ticket.rulings.filter(
        status=RequestStatus.APPROVED, decided_department_id=ticket.department_id
    ).exists()


@transaction.atomic
def return_ticket(*, actor, ticket: Ticket, reason: str, version=None, now=None):
    """The unit returns a wrongly assigned ticket (退回) within the respond window, with a reason."""
    now = _now(now)
    reason = (reason or "").strip()
    if not reason:
        raise HotlineError(errors.REASON_REQUIRED, "reason")
    ticket = _lock(ticket, version)
    check("return", ticket.status)
    _require_holder(actor, ticket)
    if ticket.respond_due and now > ticket.respond_due:
        raise HotlineError(errors.RETURN_WINDOW_PASSED)
    if _bound_by_ruling(ticket):
        raise HotlineError(errors.RULING_BINDING)
    before = _snapshot(ticket)
    ticket.status = TicketStatus.RETURNED
    ticket.return_count += 1
    _save(ticket, "status", "return_count")
    _fact(ticket.department_id, now, responded=1, responded_on_time=1, returned=1)
    _event(
        ticket, EventKind.RETURNED, actor=actor, at=now, before_status=before["status"], note=reason
    )
    _audit(actor, "ticket.returned", ticket, before, extra={"reason": reason})
    return ticket


# --- three-party ruling and discipline referral -------------------------------------------


@transaction.atomic
def request_ruling(*, actor, ticket: Ticket, parties: list[Department], question: str, now=None):
    """三方联动: the centre sends a disputed, returned ticket to the establishment office."""
    _require_centre(actor)
    now = _now(now)
    parties = [p for p in dict.fromkeys(parties) if p is not None]
    if len(parties) < 2:
        raise HotlineError(errors.RULING_PARTIES, "parties")
    if not (question or "").strip():
        raise HotlineError(errors.REASON_REQUIRED, "question")
    ticket = _lock(ticket)
    check("request_ruling", ticket.status)
    before = _snapshot(ticket)
    ruling = Ruling.objects.create(
        ticket=ticket, requested_by=actor, requested_at=now, question=question.strip()
    )
    ruling.parties.set(parties)
    ticket.status = TicketStatus.IN_RULING
    _save(ticket, "status")
    _event(
        ticket,
        EventKind.RULING_REQUESTED,
        actor=actor,
        at=now,
        before_status=before["status"],
        note=question,
        data={"ruling": ruling.pk, "parties": [p.pk for p in parties]},
    )
    _audit(actor, "ruling.requested", ticket, before, extra={"ruling": ruling.pk})
    office = Department.objects.filter(name=access.ESTABLISHMENT_OFFICE, level="county").first()
    if office:
        _notify_unit(ticket, office.pk, f"ruling:{ruling.pk}", _("Three-party ruling: %(number)s"))
    return ruling


@transaction.atomic
def rule(
    *,
    actor,
    ruling: Ruling,
    department: Department,
    basis: str,
    apply_to_duty_list: bool = True,
    now=None,
):
    """The establishment office decides the responsible unit. Binding: the ticket goes to that
    unit, which may not return it, and (by default) the duty list follows the ruling."""
    if not (access.is_establishment_office(actor) or access.is_supervisor(actor)):
        raise HotlineError(errors.NOT_ESTABLISHMENT_OFFICE)
    _check_unit(department)
    if not (basis or "").strip():
        raise HotlineError(errors.REASON_REQUIRED, "basis")
    now = _now(now)
    ticket = _lock(ruling.ticket_id)
    ruling = Ruling.objects.select_for_update().get(pk=ruling.pk)
    if ruling.status != RequestStatus.PENDING:
        raise HotlineError(errors.NOT_PENDING)
    check("rule", ticket.status)
    before = _snapshot(ticket)
    ruling.status = RequestStatus.APPROVED
    ruling.decided_department = department
    ruling.decided_by = actor
    ruling.decided_at = now
    ruling.basis = basis.strip()
    if apply_to_duty_list and ticket.category_id:
        town_line = DutyAssignment.objects.filter(
            category_id=ticket.category_id, town=ticket.town
        ).first()
        town = ticket.town if town_line is not None else None
        line, _created = DutyAssignment.objects.update_or_create(
            category_id=ticket.category_id,
            town=town,
            defaults={
                "department": department,
                "source": DutySource.RULING,
                "basis": f"三方联动 #{ruling.pk}: {ruling.basis}"[:300],
            },
        )
        ruling.applied_to_duty_list = True
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            event_type="hotline.duty.ruled",
            obj=line,
            summary=f"{ticket.category} → {department}",
            after={"department_id": department.pk, "town_id": town.pk if town else None},
        )
    ruling.save()
    _assign(ticket, department, now)
    _save(
        ticket, "department", "status", "dispatched_at", "accepted_at", "respond_due", "handle_due"
    )
    _event(
        ticket,
        EventKind.RULED,
        actor=actor,
        at=now,
        before_status=before["status"],
        note=ruling.basis,
        data={"ruling": ruling.pk, "duty_list": ruling.applied_to_duty_list},
    )
    _audit(actor, "ruling.decided", ticket, before, extra={"ruling": ruling.pk})
    _notify_unit(ticket, department.pk, f"ruled:{ruling.pk}")
    return ruling


def ticket_record(ticket: Ticket) -> dict:
    """The full record of a ticket as plain data (frozen into referrals and exports)."""
    return {
        "number": ticket.number,
        "type": ticket.ticket_type,
        "category": ticket.category.name if ticket.category_id else "",
        "description": ticket.description,
        "created_at": ticket.created_at.isoformat(),
        "status": ticket.status,
        "department": ticket.department.name if ticket.department_id else "",
        "events": [
            {
                "kind": e.kind,
                "at": e.at.isoformat(),
                "actor": e.actor.username if e.actor_id else "",
                "department": e.department.name if e.department_id else "",
                "note": e.note,
            }
            for e in ticket.events.select_related("actor", "department")
        ],
        "rulings": [
            {
                "question": r.question,
                "decided": r.decided_department.name if r.decided_department_id else "",
                "basis": r.basis,
            }
            for r in ticket.rulings.select_related("decided_department")
        ],
    }


@transaction.atomic
def refer_to_discipline(
    *, actor, ticket: Ticket, departments: list[Department], reason: str, now=None
):
    """Refer buck-passing to 县纪委监委, with the ticket's full record frozen at this moment."""
    if not access.is_supervisor(actor):
        raise HotlineError(errors.NOT_CENTRE)
    if not (reason or "").strip():
        raise HotlineError(errors.REASON_REQUIRED, "reason")
    now = _now(now)
    ticket = _lock(ticket)
    referral = DisciplineReferral.objects.create(
        ticket=ticket,
        referred_by=actor,
        referred_at=now,
        reason=reason.strip(),
        record=ticket_record(ticket),
    )
    referral.departments.set(departments)
    _event(
        ticket, EventKind.REFERRED, actor=actor, at=now, note=reason, data={"referral": referral.pk}
    )
    _audit(actor, "ticket.referred", ticket, _snapshot(ticket), extra={"referral": referral.pk})
    commission = Department.objects.filter(name="县纪委监委", level="county").first()
    if commission:
        _notify_unit(ticket, commission.pk, f"referral:{referral.pk}")
    return referral


# --- extension, reply, callback, reopen -------------------------------------------------------


@transaction.atomic
def request_extension(*, actor, ticket: Ticket, days: int, reason: str, plan: str = "", now=None):
    """计划性办结: the handling unit asks for more working days, within the configured maximum."""
    now = _now(now)
    if not (reason or "").strip():
        raise HotlineError(errors.REASON_REQUIRED, "reason")
    ticket = _lock(ticket)
    check("request_extension", ticket.status)
    _require_holder(actor, ticket)
    limit, _unit = deadlines.rule_for(DeadlineStage.EXTENSION, ticket.ticket_type, ticket.urgency)
    if days < 1 or ticket.extension_days + days > limit:
        raise HotlineError(errors.EXTENSION_TOO_LONG, "days", limit=limit)
    if ticket.extensions.filter(status=RequestStatus.PENDING).exists():
        raise HotlineError(errors.EXTENSION_PENDING)
    request = ExtensionRequest.objects.create(
        ticket=ticket,
        department_id=ticket.department_id,
        requested_by=actor,
        days=days,
        reason=reason.strip(),
        plan=(plan or "").strip(),
        requested_at=now,
    )
    _event(
        ticket, EventKind.EXTENSION_REQUESTED, actor=actor, at=now, note=reason, data={"days": days}
    )
    _audit(actor, "extension.requested", ticket, _snapshot(ticket), extra={"days": days})
    return request


@transaction.atomic
def decide_extension(*, actor, request: ExtensionRequest, approve: bool, note: str = "", now=None):
    """The centre approves (the handling deadline moves by the days asked) or rejects."""
    if not access.is_supervisor(actor):
        raise HotlineError(errors.NOT_CENTRE)
    now = _now(now)
    ticket = _lock(request.ticket_id)
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RequestStatus.PENDING:
        raise HotlineError(errors.NOT_PENDING)
    before = _snapshot(ticket)
    request.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    request.decided_by = actor
    request.decided_at = now
    request.decision_note = (note or "").strip()
    request.save()
    if approve and ticket.status == TicketStatus.HANDLING:
        ticket.handle_due = deadlines.end_of_working_day(ticket.handle_due or now, request.days)
        ticket.extension_days += request.days
        _save(ticket, "handle_due", "extension_days")
    _event(
        ticket,
        EventKind.EXTENSION_DECIDED,
        actor=actor,
        at=now,
        note=request.decision_note,
        data={"approved": approve, "days": request.days},
    )
    _audit(actor, "extension.decided", ticket, before, extra={"approved": approve})
    _notify_unit(ticket, request.department_id, f"extension:{request.pk}")
    return request


@transaction.atomic
def reply(*, actor, ticket: Ticket, text: str, version=None, now=None):
    """The unit reports how it handled the matter (办结答复); the centre calls back next."""
    now = _now(now)
    text = (text or "").strip()
    if not text:
        raise HotlineError(errors.REASON_REQUIRED, "text")
    ticket = _lock(ticket, version)
    check("reply", ticket.status)
    _require_holder(actor, ticket)
    before = _snapshot(ticket)
    ticket.status = TicketStatus.REPLIED
    ticket.reply = text
    ticket.replied_at = now
    _save(ticket, "status", "reply", "replied_at")
    on_time = int(ticket.handle_due is None or now <= ticket.handle_due)
    _fact(ticket.department_id, now, replied=1, replied_on_time=on_time)
    _event(
        ticket, EventKind.REPLIED, actor=actor, at=now, before_status=before["status"], note=text
    )
    _audit(actor, "ticket.replied", ticket, before)
    _notify_requester(ticket, f"replied:{ticket.version}", f"12345: {ticket.number}", text[:60])
    return ticket


def _reopen(ticket: Ticket, actor, now, reason: str, before: dict) -> None:
    department = ticket.department
    ticket.reopen_count += 1
    ticket.satisfaction = ""
    ticket.resolution = ""
    ticket.closed_at = None
    _assign(ticket, department, now)
    _fact(department.pk, now, reopened=1)
    _save(
        ticket,
        "reopen_count",
        "satisfaction",
        "resolution",
        "closed_at",
        "department",
        "status",
        "dispatched_at",
        "accepted_at",
        "respond_due",
        "handle_due",
    )
    _event(
        ticket, EventKind.REOPENED, actor=actor, at=now, before_status=before["status"], note=reason
    )
    _audit(actor, "ticket.reopened", ticket, before, extra={"reason": reason})
    _notify_unit(ticket, department.pk, f"reopen:{ticket.reopen_count}", _("Reopened: %(number)s"))


@transaction.atomic
def callback(
    *,
    actor,
    ticket: Ticket,
    satisfaction: str,
    resolution: str = "",
    note: str = "",
    reopen: bool | None = None,
    version=None,
    now=None,
):
    """The centre calls the requester back (回访) and records satisfaction and resolution.

    Unsatisfied or unresolved tickets are reopened (续报) to the same unit unless ``reopen`` is
    False; otherwise the ticket closes. 无法回访 closes without rating the unit.
    """
    _require_centre(actor)
    now = _now(now)
    if satisfaction not in Satisfaction.values:
        raise HotlineError(errors.BAD_SATISFACTION, "satisfaction")
    if resolution and resolution not in Resolution.values:
        raise HotlineError(errors.BAD_SATISFACTION, "resolution")
    reachable = satisfaction != Satisfaction.UNREACHABLE
    if reachable and not resolution:
        raise HotlineError(errors.BAD_SATISFACTION, "resolution")
    ticket = _lock(ticket, version)
    check("callback", ticket.status)
    before = _snapshot(ticket)
    facts = {}
    if reachable:
        satisfied = satisfaction in (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)
        resolved = resolution in (Resolution.RESOLVED, Resolution.BASICALLY_RESOLVED)
        facts = {
            "rated": 1,
            "satisfied": int(satisfied),
            "resolution_rated": 1,
            "resolved": int(resolved),
        }
        if reopen is None:
            reopen = not (satisfied and resolved)
    _fact(ticket.department_id, now, **facts)
    ticket.satisfaction = satisfaction
    ticket.resolution = resolution if reachable else ""
    ticket.callback_at = now
    _event(
        ticket,
        EventKind.CALLBACK,
        actor=actor,
        at=now,
        before_status=before["status"],
        note=note,
        data={"satisfaction": satisfaction, "resolution": ticket.resolution},
    )
    if reopen:
        ticket.save(update_fields=["callback_at"])
        _reopen(ticket, actor, now, note or str(Satisfaction(satisfaction).label), before)
        return ticket
    ticket.status = TicketStatus.CLOSED
    ticket.closed_at = now
    _save(ticket, "satisfaction", "resolution", "callback_at", "status", "closed_at")
    _event(ticket, EventKind.CLOSED, actor=actor, at=now, before_status=before["status"])
    _audit(actor, "ticket.callback", ticket, before, extra={"satisfaction": satisfaction})
    _after_close()
    return ticket


@transaction.atomic
def reopen(*, actor, ticket: Ticket, reason: str, version=None, now=None):
    """续报: the requester calls again about a replied or closed ticket; it goes back to the unit."""
    _require_centre(actor)
    now = _now(now)
    if not (reason or "").strip():
        raise HotlineError(errors.REASON_REQUIRED, "reason")
    ticket = _lock(ticket, version)
    check("reopen", ticket.status)
    if ticket.department_id is None:  # answered at intake: dispatch it as a new matter
        raise HotlineError(errors.BAD_DEPARTMENT, "department")
    _reopen(ticket, actor, now, reason.strip(), _snapshot(ticket))
    return ticket


def _after_close() -> None:
    """Retrain the dispatch suggestion after every RETRAIN_EVERY handled tickets."""
    from django.core.cache import cache

    from .tasks import RETRAIN_EVERY, retrain_dispatch_model

    key = "hotline.closed_since_training"
    cache.add(key, 0, None)
    try:
        count = cache.incr(key)
    except ValueError:
        return
    if count % RETRAIN_EVERY == 0:
        transaction.on_commit(retrain_dispatch_model.delay)


# --- supervision -----------------------------------------------------------------------------


@transaction.atomic
def raise_supervision(
    *,
    actor,
    ticket: Ticket,
    level: int,
    reason: str,
    attendees: str = "",
    minutes: str = "",
    rule: SupervisionRule | None = None,
    now=None,
) -> Supervision:
    """Move a ticket up the supervision ladder (only up). A supervision letter (督办函) is
    generated as a document; a joint meeting needs attendees and minutes; a leader sign-off
    waits for a county leader. ``actor`` None means the rules engine."""
    if actor is not None and not access.is_supervisor(actor):
        raise HotlineError(errors.NOT_CENTRE)
    now = _now(now)
    level = SupervisionLevel(int(level))
    if not (reason or "").strip():
        raise HotlineError(errors.REASON_REQUIRED, "reason")
    if (
        level == SupervisionLevel.JOINT_MEETING
        and actor is not None
        and not (attendees.strip() and minutes.strip())
    ):
        raise HotlineError(errors.MINUTES_REQUIRED, "minutes")
    ticket = _lock(ticket)
    check("supervise", ticket.status)
    if ticket.department_id is None:
        raise HotlineError(errors.BAD_DEPARTMENT)
    if level <= ticket.supervision_level:
        raise HotlineError(errors.LEVEL_NOT_HIGHER, "level")
    before = _snapshot(ticket)
    supervision = Supervision.objects.create(
        ticket=ticket,
        level=level,
        department_id=ticket.department_id,
        raised_by=actor,
        rule=rule,
        raised_at=now,
        reason=reason.strip(),
        attendees=attendees.strip(),
        minutes=minutes.strip(),
    )
    if level >= SupervisionLevel.LETTER:
        from django.core.files.base import ContentFile

        from .reports import supervision_letter

        supervision.letter.save(
            f"dubanhan-{ticket.pk}-{int(level)}.docx",
            ContentFile(supervision_letter(supervision)),
            save=True,
        )
    ticket.supervision_level = level
    _save(ticket, "supervision_level")
    _event(
        ticket,
        EventKind.SUPERVISED,
        actor=actor,
        at=now,
        note=reason,
        data={"level": int(level), "rule": rule.pk if rule else None},
    )
    _audit(actor, "ticket.supervised", ticket, before, extra={"level": int(level)})
    _notify_unit(
        ticket,
        ticket.department_id,
        f"supervision:{int(level)}",
        _("%(level)s: %(number)s"),
        level=level.label,
    )
    return supervision


@transaction.atomic
def record_meeting(*, actor, supervision: Supervision, attendees: str, minutes: str, now=None):
    """Attendees and minutes of a joint meeting raised by the rules engine."""
    if not access.is_supervisor(actor):
        raise HotlineError(errors.NOT_CENTRE)
    if not (attendees.strip() and minutes.strip()):
        raise HotlineError(errors.MINUTES_REQUIRED, "minutes")
    supervision = Supervision.objects.select_for_update().get(pk=supervision.pk)
    before = {"attendees": supervision.attendees, "minutes": supervision.minutes}
    supervision.attendees, supervision.minutes = attendees.strip(), minutes.strip()
    supervision.save(update_fields=["attendees", "minutes"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        event_type="hotline.meeting.recorded",
        obj=supervision,
        before=before,
        after={"attendees": supervision.attendees, "minutes": supervision.minutes},
    )
    return supervision


@transaction.atomic
def sign_off(*, actor, supervision: Supervision, instruction: str, now=None):
    """县领导签批: a county leader signs a leader-level supervision with an instruction."""
    if not access.is_leader(actor):
        raise HotlineError(errors.NOT_LEADER)
    if not (instruction or "").strip():
        raise HotlineError(errors.REASON_REQUIRED, "instruction")
    now = _now(now)
    supervision = Supervision.objects.select_for_update().get(pk=supervision.pk)
    if supervision.level != SupervisionLevel.LEADER_SIGNOFF or supervision.signed_at:
        raise HotlineError(errors.NOT_PENDING)
    supervision.signed_by = actor
    supervision.signed_at = now
    supervision.instruction = instruction.strip()
    supervision.save(update_fields=["signed_by", "signed_at", "instruction"])
    ticket = supervision.ticket
    _event(
        ticket, EventKind.SUPERVISED, actor=actor, at=now, note=instruction, data={"signed": True}
    )
    _audit(
        actor,
        "supervision.signed",
        ticket,
        _snapshot(ticket),
        extra={"supervision": supervision.pk},
    )
    _notify_unit(
        ticket,
        supervision.department_id,
        f"signed:{supervision.pk}",
        _("County leader sign-off: %(number)s"),
    )
    return supervision


def _rule_value(rule: SupervisionRule, ticket: Ticket, now) -> int | None:
    if rule.trigger == SupervisionRule.Trigger.REOPENS:
        return ticket.reopen_count
    if rule.trigger == SupervisionRule.Trigger.OPEN_DAYS:
        return deadlines.working_days_open(ticket.created_at, now)
    due = ticket.handle_due if ticket.status == TicketStatus.HANDLING else ticket.respond_due
    if ticket.status not in (TicketStatus.DISPATCHED, TicketStatus.HANDLING):
        return None
    return deadlines.working_days_late(due, now)


def apply_supervision_rules(*, now=None) -> int:
    """Raise every open ticket to the highest level its active rules reach. Returns how many
    tickets moved. Idempotent: a ticket already at that level is left alone."""
    now = _now(now)
    rules = list(SupervisionRule.objects.filter(is_active=True))
    if not rules:
        return 0
    top = max(r.level for r in rules)
    min_reopens = min((r.threshold for r in rules if r.trigger == "reopens"), default=None)
    candidates = Q(status__in=[TicketStatus.DISPATCHED], respond_due__lt=now) | Q(
        status=TicketStatus.HANDLING, handle_due__lt=now
    )
    if min_reopens is not None:
        candidates |= Q(reopen_count__gte=min_reopens)
    min_open = min((r.threshold for r in rules if r.trigger == "open_days"), default=None)
    if min_open is not None:
        candidates |= Q(created_at__lt=now - dt.timedelta(days=min_open))
    moved = 0
    qs = Ticket.objects.filter(
        candidates,
        status__in=[s for s in TicketStatus.values if s != TicketStatus.CLOSED],
        department__isnull=False,
        supervision_level__lt=top,
    ).order_by("pk")
    for ticket in qs.iterator(chunk_size=500):
        reached = [
            r for r in rules if (v := _rule_value(r, ticket, now)) is not None and v >= r.threshold
        ]
        if not reached:
            continue
        best = max(reached, key=lambda r: r.level)
        if best.level <= ticket.supervision_level:
            continue
        try:
            raise_supervision(
                actor=None, ticket=ticket, level=best.level, reason=best.name, rule=best, now=now
            )
        except HotlineError:
            continue
        moved += 1
    return moved


@transaction.atomic
def record_head_callback(*, actor, ticket: Ticket, satisfaction: str, notes: str, now=None):
    """“一把手”回访: the head of the handling unit calls the requester personally."""
    now = _now(now)
    if actor.role != Role.DEPT_HEAD or not access.holds(actor, ticket):
        raise HotlineError(errors.NOT_HEAD)
    if satisfaction not in Satisfaction.values:
        raise HotlineError(errors.BAD_SATISFACTION, "satisfaction")
    if not (notes or "").strip():
        raise HotlineError(errors.REASON_REQUIRED, "notes")
    ticket = _lock(ticket)
    check("head_callback", ticket.status)
    callback_row = HeadCallback.objects.create(
        ticket=ticket,
        head=actor,
        department_id=ticket.department_id,
        at=now,
        satisfaction=satisfaction,
        notes=notes.strip(),
    )
    _event(
        ticket,
        EventKind.HEAD_CALLBACK,
        actor=actor,
        at=now,
        note=notes,
        data={"satisfaction": satisfaction},
    )
    _audit(actor, "ticket.head_callback", ticket, _snapshot(ticket))
    return callback_row


# --- privacy ---------------------------------------------------------------------------------


@transaction.atomic
def grant_contact_access(
    *, actor, ticket: Ticket, purpose: str, hours: int = CONTACT_GRANT_HOURS, now=None
):
    """The centre lets the handling unit see the requester's contact in full, for a callback."""
    if not access.is_supervisor(actor):
        raise HotlineError(errors.NOT_CENTRE)
    if not (purpose or "").strip():
        raise HotlineError(errors.REASON_REQUIRED, "purpose")
    now = _now(now)
    ticket = _lock(ticket)
    if ticket.is_anonymous or ticket.department_id is None:
        raise HotlineError(errors.NO_CONTACT)
    grant = ContactGrant.objects.create(
        ticket=ticket,
        department_id=ticket.department_id,
        granted_by=actor,
        granted_at=now,
        expires_at=now + dt.timedelta(hours=hours),
        purpose=purpose.strip(),
    )
    _event(
        ticket, EventKind.CONTACT_GRANTED, actor=actor, at=now, note=purpose, data={"hours": hours}
    )
    _audit(actor, "contact.granted", ticket, _snapshot(ticket), extra={"grant": grant.pk})
    return grant


# --- duty list -------------------------------------------------------------------------------


@transaction.atomic
def set_duty(
    *, actor, category: Category, town: Region | None, department: Department, basis: str = ""
):
    """A supervisor edits one line of the duty list."""
    if not access.is_supervisor(actor):
        raise HotlineError(errors.NOT_CENTRE)
    _check_unit(department)
    if category.parent_id is None:
        raise HotlineError(errors.BAD_CATEGORY, "category")
    existing = (
        DutyAssignment.objects.select_for_update().filter(category=category, town=town).first()
    )
    before = {"department_id": existing.department_id} if existing else None
    line, _created = DutyAssignment.objects.update_or_create(
        category=category,
        town=town,
        defaults={
            "department": department,
            "source": DutySource.EDITED,
            "basis": basis.strip()[:300],
        },
    )
    record(
        actor=actor,
        action=AuditAction.UPDATE if existing else AuditAction.CREATE,
        event_type="hotline.duty.edited",
        obj=line,
        summary=f"{category.name} / {town or '—'} → {department.name}",
        before=before,
        after={"department_id": department.pk},
    )
    return line


def rebuild_facts(*, start: dt.date | None = None, end: dt.date | None = None) -> int:
    """Recompute UnitDayFact from the tickets (for generated volumes, or to check the counts).

    Counts each ticket once, for its current unit: received on the dispatch day, responded on
    acceptance, replied, and rated on the callback day. Reassignments and reopenings counted by
    the services in between are not reconstructed; see docs/adr/0005-hotline.md.
    """
    from .facts import rebuild

    return rebuild(start=start, end=end)
