"""What a place accepts, as dated and sourced facts: a staff update, and the facts an inspection
or an import records (``apply_facts``)."""

import datetime
from collections.abc import Mapping

from django.db import transaction
from django.db.models import F

from banhao.audit.models import AuditAction
from banhao.audit.services import record

from .. import access, errors
from ..errors import PaymentsError
from ..models import Capability, CapabilityFact, Inspection, Place
from .common import lock_place, today


def apply_facts(
    place: Place,
    values: Mapping[str, bool],
    *,
    observed_on: datetime.date,
    source: str,
    source_note: str,
    actor,
    inspection: Inspection | None = None,
) -> tuple[list[CapabilityFact], dict, dict]:
    """Append one fact per capability; move the current value only for facts not older than
    the one it rests on (a late-entered old fact goes into the history, not the finder)."""
    facts, before, after = [], {}, {}
    changed_fields = []
    for code, value in values.items():
        capability = Capability(code)
        current = getattr(place, capability.value)
        facts.append(
            CapabilityFact(
                place=place,
                capability=capability.value,
                value=bool(value),
                previous=current,
                observed_on=observed_on,
                source=source,
                source_note=source_note[:200],
                inspection=inspection,
                recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
        )
        as_of = place.capability_dates.get(capability.value)
        if as_of is None or observed_on.isoformat() >= as_of:
            if current != bool(value):
                before[capability.value] = current
                after[capability.value] = bool(value)
                setattr(place, capability.value, bool(value))
                changed_fields.append(capability.value)
            place.capability_dates[capability.value] = observed_on.isoformat()
    CapabilityFact.objects.bulk_create(facts)
    place.version = F("version") + 1
    place.save(update_fields=[*changed_fields, "capability_dates", "version", "updated_at"])
    place.refresh_from_db(fields=["version"])
    return facts, before, after


@transaction.atomic
def record_capabilities(
    *,
    actor,
    place: Place,
    values: Mapping[str, bool],
    observed_on: datetime.date,
    source: str,
    source_note: str = "",
    expected_version: int | None = None,
) -> list[CapabilityFact]:
    """Record dated, sourced facts about what ``place`` accepts (a staff update).

    ``expected_version`` is the version the form was filled in against: if the place changed
    since, the update is refused with a conflict so nobody overwrites what they did not see.
    """
    if not values:
        raise PaymentsError(errors.NO_VALUES)
    if observed_on > today():
        raise PaymentsError(errors.FUTURE_DATE)
    locked = lock_place(place.pk)
    if not access.can_edit_place(actor, locked):
        raise PaymentsError(errors.NOT_ALLOWED)
    if expected_version is not None and locked.version != expected_version:
        raise PaymentsError(errors.CONFLICT)
    facts, before, after = apply_facts(
        locked,
        values,
        observed_on=observed_on,
        source=source,
        source_note=source_note,
        actor=actor,
    )
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        event_type="payments.capabilities.recorded",
        obj=locked,
        summary=f"{locked.code}: {len(facts)} fact(s), {len(after)} change(s)",
        before=before,
        after=after,
        extra={
            "observed_on": observed_on.isoformat(),
            "source": source,
            "source_note": source_note,
            "recorded": {k: bool(v) for k, v in values.items()},
        },
    )
    place.__dict__.update(
        {k: getattr(locked, k) for k in ("version", "capability_dates", *after.keys())}
    )
    return facts
