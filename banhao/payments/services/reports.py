"""Problems reported by the public from a place's page (kept first, then handed to the 12345
hotline after commit: see ``handoff``), and the People's Bank office's cash-refusal cases."""

import datetime

from django.db import transaction
from django.utils import timezone

from banhao.audit.models import AuditAction
from banhao.audit.services import record

from .. import access, errors, tasks
from ..errors import PaymentsError
from ..models import Place, ProblemKind, ProblemReport
from ..states import ENFORCEMENT_TRANSITIONS, TransitionRefused
from ..states import EnforcementStatus as ES
from ..states import check as check_transition
from .common import today


@transaction.atomic
def submit_report(
    *,
    place: Place,
    kind: str,
    description: str,
    occurred_on: datetime.date | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    language: str = "",
    reporter=None,
) -> ProblemReport:
    """Keep a problem reported from a place's page, then pass it to the 12345 hotline after
    commit. The report is stored first so that it is never lost if the hand-off fails; cash
    refusals also start an enforcement case for the People's Bank office."""
    description = description.strip()
    if not description:
        raise PaymentsError(errors.DESCRIPTION_REQUIRED)
    if not place.is_active:
        raise PaymentsError(errors.PLACE_CLOSED)
    if occurred_on is not None and occurred_on > today():
        raise PaymentsError(errors.FUTURE_DATE)
    report = ProblemReport.objects.create(
        place=place,
        kind=kind,
        description=description,
        occurred_on=occurred_on,
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
        language=language,
        reporter=reporter if getattr(reporter, "is_authenticated", False) else None,
        enforcement_status=ES.REPORTED if kind == ProblemKind.CASH_REFUSED else "",
    )
    record(
        actor=reporter,
        action=AuditAction.CREATE,
        event_type="payments.report.submitted",
        obj=report,
        summary=f"{place.code}: {kind}",
        after={"kind": kind, "place": place.pk},
    )
    transaction.on_commit(lambda: tasks.hand_off_report.delay(report.pk))
    return report


@transaction.atomic
def advance_enforcement(*, actor, report: ProblemReport, status: str, note: str = "") -> None:
    """Move a cash-refusal case along (reported → investigating → penalised/warned/unfounded)."""
    if not access.is_enforcement_staff(actor):
        raise PaymentsError(errors.ENFORCEMENT_NOT_ALLOWED)
    locked = ProblemReport.objects.select_for_update().get(pk=report.pk)
    try:
        check_transition(ENFORCEMENT_TRANSITIONS, locked.enforcement_status, status, "enforce")
    except TransitionRefused as exc:
        raise PaymentsError(
            errors.ENFORCEMENT_REFUSED,
            current=ES(locked.enforcement_status).label if locked.enforcement_status else "—",
            target=ES(status).label,
        ) from exc
    before = {"enforcement_status": locked.enforcement_status}
    locked.enforcement_status = status
    locked.enforcement_note = note.strip()[:300]
    locked.enforcement_updated_at = timezone.now()
    locked.save(update_fields=["enforcement_status", "enforcement_note", "enforcement_updated_at"])
    record(
        actor=actor,
        action=AuditAction.TRANSITION,
        event_type="payments.cash_refusal.enforcement",
        obj=locked,
        before=before,
        after={"enforcement_status": status, "note": locked.enforcement_note},
    )
