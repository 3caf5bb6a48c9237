"""Passing a kept problem report to the 12345 hotline's intake, once; a report the hotline
refused or could not take stays pending with the reason and is retried."""

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from banhao.audit.models import AuditAction
from banhao.audit.services import record

from ..models import ProblemKind, ProblemReport
from ..states import HandoffStatus

log = logging.getLogger(__name__)


def _hotline_intake():
    """The hotline's intake (``banhao.hotline.services.intake.register_ticket``), or None while
    the hotline app does not offer it. Looked up at call time, so reports kept before it existed
    are passed on by the retry once it does."""
    try:
        from banhao.hotline.services.intake import register_ticket
    except ImportError:
        return None
    return register_ticket


def _ticket_ref(ticket) -> str:
    return str(getattr(ticket, "number", "") or ticket.pk)


def hand_off(report_id: int) -> ProblemReport:
    """Pass one kept report to the hotline, once. Without a hotline intake the report stays
    pending (with the reason) and is retried later; nothing is dropped."""
    intake = _hotline_intake()
    with transaction.atomic():
        report = (
            # of=self: PostgreSQL refuses FOR UPDATE on the nullable side of the reporter join.
            ProblemReport.objects.select_for_update(of=("self",))
            .select_related("place", "place__region", "reporter")
            .get(pk=report_id)
        )
        if report.handoff_status == HandoffStatus.HANDED_OFF:
            return report
        report.handoff_attempts = F("handoff_attempts") + 1
        if intake is None:
            report.handoff_error = "hotline intake not available yet"
            report.save(update_fields=["handoff_attempts", "handoff_error"])
            report.refresh_from_db()
            return report
        try:
            with transaction.atomic():
                ticket = intake(actor=None, intake=_ticket_intake(report))
        except Exception as exc:  # the hotline refused or failed: keep it pending, retry later
            log.exception("hotline hand-off of payment report %s failed", report_id)
            report.handoff_error = f"{type(exc).__name__}: {exc}"[:300]
            report.save(update_fields=["handoff_attempts", "handoff_error"])
            report.refresh_from_db()
            return report
        report.handoff_status = HandoffStatus.HANDED_OFF
        report.hotline_ticket_ref = _ticket_ref(ticket)
        report.handed_off_at = timezone.now()
        report.handoff_error = ""
        report.save(
            update_fields=[
                "handoff_attempts",
                "handoff_status",
                "hotline_ticket_ref",
                "handed_off_at",
                "handoff_error",
            ]
        )
        record(
            actor=None,
            action=AuditAction.TRANSITION,
            event_type="payments.report.handed_off",
            obj=report,
            after={"hotline_ticket": report.hotline_ticket_ref},
        )
    report.refresh_from_db()
    return report


def _ticket_intake(report: ProblemReport):
    """What the hotline needs (a ``TicketIntake``): the place attached (``related_object``) and
    located, the reporter's contact when given (anonymous otherwise: visitors need not leave
    one)."""
    from banhao.hotline.services.intake import TicketIntake

    place = report.place
    kind = ProblemKind(report.kind)
    description = (
        f"【支付便利化】{kind.label}\n{report.description}\n"
        f"场所: {place.name} ({place.code})"
        + (f"\n日期: {report.occurred_on.isoformat()}" if report.occurred_on else "")
    )
    has_contact = bool(report.contact_phone) or report.reporter_id is not None
    return TicketIntake(
        channel="payment",
        title=f"{kind.label} — {place.name}"[:100],
        description=description,
        requester=report.reporter,
        anonymous=not has_contact,
        contact_name=report.contact_name,
        contact_phone=report.contact_phone,
        town=place.region,
        address=place.address,
        latitude=place.latitude,
        longitude=place.longitude,
        related_object=place,
    )


def hand_off_pending_reports() -> tuple[int, int]:
    """Retry every pending report. Returns (handed off now, still pending)."""
    done = pending = 0
    for pk in ProblemReport.objects.filter(handoff_status=HandoffStatus.PENDING).values_list(
        "pk", flat=True
    ):
        if hand_off(pk).handoff_status == HandoffStatus.HANDED_OFF:
            done += 1
        else:
            pending += 1
    return done, pending
