"""Supervision of late or repeated tickets: the ladder (督办函 → 联席会议 → 提级督办 → 县领导签批)
raised by hand or by the rules engine, the head's own callback (“一把手”回访), and the centre's
grant of a requester's contact to the handling unit."""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from banhao.accounts.roles import Role
from banhao.audit.models import AuditAction
from banhao.audit.services import record

from .. import access, deadlines, errors, outbound
from ..errors import HotlineError
from ..models import ContactGrant, EventKind, HeadCallback, Supervision, SupervisionRule, Ticket
from ..states import DeadlineStage, Satisfaction, SupervisionLevel, TicketStatus, check
from .common import add_event, audit, lock_ticket, notify_unit, now_or, save_ticket, snapshot

CONTACT_GRANT_HOURS = 72


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
    now = now_or(now)
    level = SupervisionLevel(int(level))
    if not (reason or "").strip():
        raise HotlineError(errors.REASON_REQUIRED, "reason")
    if (
        level == SupervisionLevel.JOINT_MEETING
        and actor is not None
        and not (attendees.strip() and minutes.strip())
    ):
        raise HotlineError(errors.MINUTES_REQUIRED, "minutes")
    ticket = lock_ticket(ticket)
    check("supervise", ticket.status)
    if ticket.department_id is None:
        raise HotlineError(errors.BAD_DEPARTMENT)
    if level <= ticket.supervision_level:
        raise HotlineError(errors.LEVEL_NOT_HIGHER, "level")
    before = snapshot(ticket)
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

        from ..reports import supervision_letter

        supervision.letter.save(
            f"dubanhan-{ticket.pk}-{int(level)}.docx",
            ContentFile(supervision_letter(supervision)),
            save=True,
        )
    ticket.supervision_level = level
    save_ticket(ticket, "supervision_level")
    add_event(
        ticket,
        EventKind.SUPERVISED,
        actor=actor,
        at=now,
        note=reason,
        data={"level": int(level), "rule": rule.pk if rule else None},
    )
    audit(actor, "ticket.supervised", ticket, before, extra={"level": int(level)})
    notify_unit(
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
    now = now_or(now)
    supervision = Supervision.objects.select_for_update().get(pk=supervision.pk)
    if supervision.level != SupervisionLevel.LEADER_SIGNOFF or supervision.signed_at:
        raise HotlineError(errors.NOT_PENDING)
    supervision.signed_by = actor
    supervision.signed_at = now
    supervision.instruction = instruction.strip()
    supervision.save(update_fields=["signed_by", "signed_at", "instruction"])
    ticket = supervision.ticket
    add_event(
        ticket, EventKind.SUPERVISED, actor=actor, at=now, note=instruction, data={"signed": True}
    )
    audit(
        actor,
        "supervision.signed",
        ticket,
        snapshot(ticket),
        extra={"supervision": supervision.pk},
    )
    notify_unit(
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
    now = now_or(now)
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


def report_due_tickets(*, now=None) -> int:
    """Tell the units' systems about every ticket whose current deadline has passed while the
    unit holds it (dispatched: the respond deadline; handling: the handle deadline) — the same
    tickets ``selectors.overdue`` lists. Once per ticket, stage and deadline (the outbox key),
    so the job can run as often as wanted. Returns how many events were written."""
    from banhao.webhooks.models import OutboxEvent

    now = now_or(now)
    ids = list(
        Ticket.objects.filter(
            Q(status=TicketStatus.HANDLING, handle_due__lt=now)
            | Q(status=TicketStatus.DISPATCHED, respond_due__lt=now),
            department__isnull=False,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    written = 0
    for start in range(0, len(ids), 500):
        due = []
        for ticket in Ticket.objects.filter(pk__in=ids[start : start + 500]).order_by("pk"):
            if ticket.status == TicketStatus.HANDLING:
                stage, deadline = DeadlineStage.HANDLE, ticket.handle_due
            else:
                stage, deadline = DeadlineStage.RESPOND, ticket.respond_due
            due.append((ticket, stage, deadline, outbound.due_key(ticket.pk, stage, deadline)))
        # Most overdue tickets were reported by an earlier run: skip them with one read.
        keys = [key for *_, key in due]
        seen = set(OutboxEvent.objects.filter(key__in=keys).values_list("key", flat=True))
        with transaction.atomic():
            for ticket, stage, deadline, key in due:
                if key not in seen and outbound.due(ticket, stage, deadline):
                    written += 1
    return written


@transaction.atomic
def record_head_callback(*, actor, ticket: Ticket, satisfaction: str, notes: str, now=None):
    """“一把手”回访: the head of the handling unit calls the requester personally."""
    now = now_or(now)
    if actor.role != Role.DEPT_HEAD or not access.holds(actor, ticket):
        raise HotlineError(errors.NOT_HEAD)
    if satisfaction not in Satisfaction.values:
        raise HotlineError(errors.BAD_SATISFACTION, "satisfaction")
    if not (notes or "").strip():
        raise HotlineError(errors.REASON_REQUIRED, "notes")
    ticket = lock_ticket(ticket)
    check("head_callback", ticket.status)
    callback_row = HeadCallback.objects.create(
        ticket=ticket,
        head=actor,
        department_id=ticket.department_id,
        at=now,
        satisfaction=satisfaction,
        notes=notes.strip(),
    )
    add_event(
        ticket,
        EventKind.HEAD_CALLBACK,
        actor=actor,
        at=now,
        note=notes,
        data={"satisfaction": satisfaction},
    )
    audit(actor, "ticket.head_callback", ticket, snapshot(ticket))
    return callback_row


@transaction.atomic
def grant_contact_access(
    *, actor, ticket: Ticket, purpose: str, hours: int = CONTACT_GRANT_HOURS, now=None
):
    """The centre lets the handling unit see the requester's contact in full, for a callback."""
    if not access.is_supervisor(actor):
        raise HotlineError(errors.NOT_CENTRE)
    if not (purpose or "").strip():
        raise HotlineError(errors.REASON_REQUIRED, "purpose")
    now = now_or(now)
    ticket = lock_ticket(ticket)
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
    add_event(
        ticket, EventKind.CONTACT_GRANTED, actor=actor, at=now, note=purpose, data={"hours": hours}
    )
    audit(actor, "contact.granted", ticket, snapshot(ticket), extra={"grant": grant.pk})
    return grant
