"""Audit search for administrators."""

import datetime as dt

from django.db.models import Q, QuerySet

from .models import AuditRecord


def search_audit_records(
    *,
    text: str = "",
    action: str = "",
    actor: str = "",
    subject_key: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditRecord]:
    qs = AuditRecord.objects.all()
    if text:
        qs = qs.filter(
            Q(event_type__icontains=text)
            | Q(summary__icontains=text)
            | Q(object_type__icontains=text)
            | Q(object_id=text)
        )
    if action:
        qs = qs.filter(action=action)
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    if subject_key:
        qs = qs.filter(subject_key=subject_key)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    return qs.order_by("-at", "-id")


def views_of_subject(subject_key: str) -> QuerySet[AuditRecord]:
    """Who looked at a holder's personal data, newest first (shown to the holder)."""
    return AuditRecord.objects.filter(subject_key=subject_key, action="view_personal").order_by(
        "-at"
    )
