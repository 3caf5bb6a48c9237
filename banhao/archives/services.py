"""Writes to the archives (一人一档, 一企一档). Each function is one audited transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from banhao.audit.models import AuditAction
from banhao.audit.services import record

from .errors import ArchiveError
from .models import Benefit, BenefitSource, Enterprise, Person


def record_benefit(
    *,
    actor,
    title: str,
    granted_on: dt.date,
    source: str,
    person: Person | None = None,
    enterprise: Enterprise | None = None,
    amount: Decimal | None = None,
    granted_by=None,
    source_ref: str = "",
) -> Benefit:
    """Record a benefit in its holder's archive.

    A benefit with a source reference is recorded once: recording it again returns the
    existing row (a retried grant must not pay twice in the archive).
    """
    if (person is None) == (enterprise is None):
        raise ArchiveError(
            "one_holder", _("A benefit belongs to exactly one person or enterprise.")
        )
    if source not in BenefitSource.values:
        raise ArchiveError("bad_source", _("Unknown benefit source “%(source)s”."), source=source)
    title = (title or "").strip()
    if not title:
        raise ArchiveError("title_required", _("A benefit needs a title."))
    if amount is not None and amount < 0:
        raise ArchiveError("negative_amount", _("A benefit's amount cannot be negative."))
    if source_ref:
        existing = Benefit.objects.filter(source=source, source_ref=source_ref).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            benefit = Benefit.objects.create(
                person=person,
                enterprise=enterprise,
                title=title,
                amount=amount,
                granted_on=granted_on,
                granted_by=granted_by,
                source=source,
                source_ref=source_ref,
            )
            holder = person or enterprise
            record(
                actor=actor,
                action=AuditAction.CREATE,
                event_type="archives.benefit_recorded",
                obj=benefit,
                subject_key=person.id_number if person else enterprise.credit_code,
                summary=f"{holder}: {title}",
                after={
                    "title": title,
                    "amount": None if amount is None else str(amount),
                    "granted_on": granted_on.isoformat(),
                    "source": source,
                    "source_ref": source_ref,
                },
            )
    except IntegrityError:
        # Two concurrent recorders of the same source reference: the other one won.
        return Benefit.objects.get(source=source, source_ref=source_ref)
    return benefit
