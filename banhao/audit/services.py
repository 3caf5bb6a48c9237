"""Writing audit records. Call inside the same transaction as the change being recorded."""

from typing import Any

from django.db import models

from banhao.core import rows

from . import context
from .models import AuditAction, AuditRecord

# Inserted only: AuditRecord.save() only refuses changing a saved record.
rows.use(AuditRecord, writes="insert")


def _actor_fields(actor) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_label": "system" if actor is None else "anonymous"}
    return {
        "actor": actor,
        "actor_label": actor.username,
        "actor_role": getattr(actor, "role", ""),
        "actor_unit": getattr(actor, "unit_label", ""),
    }


def record(
    *,
    actor,
    action: str,
    event_type: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    summary: str = "",
    subject_key: str = "",
    before: dict | None = None,
    after: dict | None = None,
    extra: dict | None = None,
) -> AuditRecord:
    """Write one audit record. Inside a ``banhao.core.rows.batch()`` it is written with the
    step's other last writes, and the returned record has no id."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    ctx = context.current()
    entry = rows.new(
        AuditRecord,
        **_actor_fields(actor),
        ip_address=ctx.ip_address,
        user_agent=ctx.user_agent,
        action=action,
        event_type=event_type,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:300],
        subject_key=subject_key,
        before=before,
        after=after,
        extra=extra or {},
    )
    # Every state change writes one record, so this insert is on every hot path: built once
    # (banhao.core.rows) rather than through Model.save, which only adds the refusal of updates
    # that a new row never meets; nobody listens to this model's signals.
    rows.queue_insert([entry])
    return entry


def record_personal_data_view(
    *,
    actor,
    subject_key: str,
    obj: models.Model | None = None,
    fields: list[str],
    purpose: str = "",
) -> AuditRecord | None:
    """Record that a staff member saw someone's personal data. Holders viewing their own are not."""
    if actor is not None and not getattr(actor, "is_staff_role", False):
        return None
    return record(
        actor=actor,
        action=AuditAction.VIEW_PERSONAL_DATA,
        event_type="personal_data.viewed",
        obj=obj,
        subject_key=subject_key,
        summary=", ".join(fields),
        extra={"fields": fields, "purpose": purpose},
    )
