"""Writes to the archives (一人一档, 一企一档). Each function is one audited transaction."""

from __future__ import annotations

import datetime as dt
import logging
import re
from decimal import Decimal

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from banhao.accounts.roles import COUNTY_WIDE_ROLES, UNIT_ROLES, Role
from banhao.audit.models import AuditAction
from banhao.audit.services import record
from banhao.core import rows
from banhao.core.i18n import localized, user_language
from banhao.hotline.models import Ticket
from banhao.onething import services as onething
from banhao.onething.events import TaskApproved
from banhao.onething.models import Application, Task
from banhao.onething.states import ApplicationState, TaskState

from . import signing
from .errors import ALREADY_REVOKED, NOT_ISSUER, REVOCATION_REASON, ArchiveError
from .licence_types import type_for_item
from .models import (
    ArchiveAccess,
    Benefit,
    BenefitSource,
    Enterprise,
    Gender,
    Licence,
    LicenceHolder,
    LicenceSource,
    LicenceState,
    LicenceType,
    Person,
    PurposeKind,
)

logger = logging.getLogger(__name__)

# Filing a newborn's records reads the child and parents in one lean statement (below).
rows.use(Person, writes="none")


def subject_key_of(holder) -> str:
    """The identifier audit records of a holder are filed under."""
    return holder.id_number if isinstance(holder, Person) else holder.credit_code


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
        # The exclude lets SQLite use the partial unique index (source_ref != '').
        existing = (
            Benefit.objects.filter(source=source, source_ref=source_ref)
            .exclude(source_ref="")
            .first()
        )
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
                subject_key=subject_key_of(holder),
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


# --- licences ---------------------------------------------------------------------------------


def _holder_fields(holder) -> dict:
    return {"person": holder} if isinstance(holder, Person) else {"enterprise": holder}


def issue_licence(
    *,
    actor,
    licence_type: LicenceType,
    number: str,
    issued_on: dt.date,
    source: str,
    person: Person | None = None,
    enterprise: Enterprise | None = None,
    expires_on: dt.date | None = None,
    source_ref: str = "",
    application=None,
) -> Licence:
    """Record a licence in its holder's archive; it supersedes the holder's current licence of
    the same type (unless the type allows several at once, like one per vehicle).

    The expiry defaults to the type's validity from the issue date. A licence with a source
    reference (a one-thing task, an import row) is recorded once: again, it returns the first.
    """
    if (person is None) == (enterprise is None):
        raise ArchiveError(
            "one_holder", _("A licence belongs to exactly one person or enterprise.")
        )
    if source not in LicenceSource.values:
        raise ArchiveError("bad_source", _("Unknown licence source “%(source)s”."), source=source)
    number = (number or "").strip()
    if not number:
        raise ArchiveError("number_required", _("A licence needs a number."))
    if expires_on is None and licence_type.validity_days:
        expires_on = issued_on + dt.timedelta(days=licence_type.validity_days)
    if expires_on is not None and expires_on < issued_on:
        raise ArchiveError("expiry_before_issue", _("A licence cannot expire before it is issued."))
    holder = person or enterprise
    licence = Licence(
        person=person,
        enterprise=enterprise,
        licence_type=licence_type,
        number=number,
        issued_on=issued_on,
        expires_on=expires_on,
        source=source,
        source_ref=source_ref,
        application=application,
        issuer_id=licence_type.department_id,
    )
    # Signed in memory and saved with the row: the electronic licence costs no statement.
    try:
        signing.sign(licence)
    except signing.NoSigningKey:
        # Issuing must not stop for want of a key; `banhao sign_licences` signs it later.
        logger.warning("licence issued unsigned: no signing key configured")
    try:
        with transaction.atomic():
            licence.save(force_insert=True)
    except IntegrityError:
        if not source_ref:
            raise
        # Filed before (a retried approval, a re-imported row): the first one stands.
        return Licence.objects.get(source=source, source_ref=source_ref)
    superseded = []
    if licence_type.one_current:
        others = Licence.objects.filter(
            licence_type=licence_type, state=LicenceState.CURRENT, **_holder_fields(holder)
        ).exclude(pk=licence.pk)
        superseded = list(others.values_list("number", flat=True))
        if superseded:
            others.update(
                state=LicenceState.SUPERSEDED, superseded_by=licence, updated_at=timezone.now()
            )
    record(
        actor=actor,
        action=AuditAction.CREATE,
        event_type="archives.licence_issued",
        obj=licence,
        subject_key=subject_key_of(holder),
        summary=f"{holder}: {licence_type.name} {number}",
        after={
            "type": licence_type.code,
            "number": number,
            "issued_on": issued_on.isoformat(),
            "expires_on": expires_on.isoformat() if expires_on else None,
            "source": source,
            "source_ref": source_ref,
            "superseded": superseded,
            "key_id": licence.key_id,
        },
    )
    return licence


# --- electronic licences: revocation and signing of older rows (ADR 0016) --------------------

MIN_REVOCATION_REASON = 4
MAX_REVOCATION_REASON = 200


def can_revoke(user, licence: Licence) -> bool:
    """Staff of the issuing department (handlers and heads) or an administrator."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.role == Role.ADMIN:
        return True
    return (
        user.role in UNIT_ROLES
        and user.department_id is not None
        and user.department_id == licence.issuer_id
    )


@transaction.atomic
def revoke_licence(*, actor, licence_id: int, reason: str) -> Licence:
    """Withdraw a licence: its verification page says revoked from now on, and the holder is
    told (in-app, SMS and e-mail where the account has them). Current and superseded licences
    can be revoked; a revoked one cannot be revoked again."""
    licence = (
        Licence.objects.select_for_update(of=("self",))
        .select_related("licence_type", "issuer", "person", "enterprise")
        .filter(pk=licence_id)
        .first()
    )
    if licence is None or not can_revoke(actor, licence):
        raise ArchiveError(NOT_ISSUER)
    if licence.state == LicenceState.REVOKED:
        raise ArchiveError(ALREADY_REVOKED)
    reason = " ".join((reason or "").split())
    if not MIN_REVOCATION_REASON <= len(reason) <= MAX_REVOCATION_REASON:
        raise ArchiveError(
            REVOCATION_REASON,
            field="reason",
            min=MIN_REVOCATION_REASON,
            max=MAX_REVOCATION_REASON,
        )
    before = licence.state
    licence.state = LicenceState.REVOKED
    licence.revoked_at = timezone.now()
    licence.revoked_by = actor
    licence.revocation_reason = reason
    licence.save(
        update_fields=["state", "revoked_at", "revoked_by", "revocation_reason", "updated_at"]
    )
    holder = licence.holder
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        event_type="archives.licence_revoked",
        obj=licence,
        subject_key=subject_key_of(holder),
        summary=f"{licence.licence_type.name}: {reason}",
        before={"state": before},
        after={"state": LicenceState.REVOKED, "reason": reason},
    )
    _notify_revocation(licence)
    return licence


def _notify_revocation(licence: Licence) -> None:
    from django.urls import reverse
    from django.utils import translation

    from banhao.accounts.models import User
    from banhao.notifications.services import notify

    key = subject_key_of(licence.holder)
    field = "id_number" if licence.person_id else "credit_code"
    for user in User.objects.filter(**{field: key}, is_active=True):
        with translation.override(user_language(user)):
            params = {
                "type": localized(licence.licence_type),
                "issuer": localized(licence.issuer) if licence.issuer else "—",
                "date": timezone.localdate(licence.revoked_at).isoformat(),
                "reason": licence.revocation_reason,
            }
            notify(
                recipient=user,
                event_key=f"archives.revoked.{licence.pk}",
                kind="archives.licence_revoked",
                title=str(_("%(type)s was revoked") % params),
                body=str(_("%(issuer)s revoked it on %(date)s. Reason: %(reason)s") % params),
                url=reverse("archives:licence", args=[licence.pk]),
                channels=("sms", "email"),
            )


def create_signing_key(*, actor=None, rotate: bool = False) -> tuple[str, bool]:
    """Create the installation's licence signing key, or with ``rotate`` replace it by a new
    one. The old public key stays recorded (and is marked retired), so every licence it signed
    still verifies. Returns the key id in use and whether a new key was written."""
    path = signing.key_path()
    old_id = ""
    if path.exists():
        old = signing.current_signer()  # records the old public key before it is replaced
        old_id = old.key_id
        if not rotate:
            return old_id, False
    key = signing.write_new_key(path, replace=rotate)
    signing.forget_key()
    new = signing.current_signer()
    with transaction.atomic():
        signing.register(key.public_key())
        retired = signing.retire_others(new.key_id)
        record(
            actor=actor,
            action=AuditAction.UPDATE if rotate else AuditAction.CREATE,
            event_type="archives.signing_key_rotated" if rotate else "archives.signing_key_created",
            object_type="archives.signingkey",
            object_id=new.key_id,
            summary=f"licence signing key {new.key_id}" + (f" replaces {old_id}" if old_id else ""),
            after={"key_id": new.key_id, "previous": old_id, "retired": retired},
        )
    return new.key_id, True


def sign_unsigned_licences(*, actor=None, batch_size: int = 500) -> int:
    """Sign licences recorded before electronic licences existed (or while no key was
    configured), one transaction per batch; returns how many were signed."""
    signer = signing.current_signer()
    signed = 0
    while True:
        with transaction.atomic():
            batch = list(
                Licence.objects.select_for_update(of=("self",))
                .filter(token__isnull=True)
                .select_related("licence_type", "person", "enterprise")
                .order_by("pk")[:batch_size]
            )
            if not batch:
                return signed
            for licence in batch:
                signing.sign(licence, signer)
            Licence.objects.bulk_update(
                batch,
                ["token", "holder_salt", "signature", "signature_algorithm", "key_id"],
            )
            record(
                actor=actor,
                action=AuditAction.UPDATE,
                event_type="archives.licences_signed",
                object_type="archives.licence",
                summary=f"{len(batch)} licences signed with key {signer.key_id}",
                after={"count": len(batch), "key_id": signer.key_id},
            )
            signed += len(batch)


def _applicant_holder(application, licence_type: LicenceType):
    identifier = application.applicant_identifier
    if licence_type.holder == LicenceHolder.ENTERPRISE:
        code = (application.data.get("credit_code") or "").strip().upper()
        if len(identifier) == 18 and not identifier[:17].isdigit():
            code = identifier
        return Enterprise.objects.filter(credit_code=code).first() if code else None
    return Person.objects.filter(id_number=identifier).first()


def file_approved_task(event: TaskApproved) -> Licence | None:
    """The receiver of one-thing's ``task_approved`` event (registered in ``apps.py``): runs
    inside the approving transaction, so the licence and its audit record commit with the
    approval, and a refusal here rolls the approval back."""
    return file_task_result(
        actor=event.actor, application=event.application, task=event.task, siblings=event.siblings
    )


def file_task_result(*, actor, application, task, siblings=None) -> Licence | None:
    """File an approved task's result in its holder's archive when its service item issues a
    licence; one-thing's approval reaches it through ``file_approved_task``.

    Items that issue nothing cost no query (the licence type comes from an in-process cache).
    The holder is the applicant, the applying enterprise, or the newborn child; a newborn's
    licences wait until the child's ID number is issued (the birth registration's result), and
    are filed then. Holders without an archive keep the result on their application only.
    ``siblings`` (the application's tasks, as the caller holds them) saves reading them again.
    """
    licence_type = type_for_item(task.item_id)
    if licence_type is None:
        return None
    if licence_type.holder == LicenceHolder.CHILD:
        return _file_for_child(actor=actor, application=application, siblings=siblings)
    holder = _applicant_holder(application, licence_type)
    if holder is None:
        return None
    return issue_licence(
        actor=actor,
        licence_type=licence_type,
        number=task.result,
        issued_on=timezone.localdate(),
        source=LicenceSource.ONETHING,
        source_ref=f"task:{task.pk}",
        application=application,
        **_holder_fields(holder),
    )


def _file_for_child(*, actor, application, siblings=None) -> Licence | None:
    if siblings is None:
        siblings = Task.objects.filter(application=application)
    approved = [
        (task, type_for_item(task.item_id)) for task in siblings if task.state == TaskState.APPROVED
    ]
    approved = [(t, lt) for t, lt in approved if lt and lt.holder == LicenceHolder.CHILD]
    child_id = next((t.result for t, lt in approved if lt.number_identifies_holder), "")
    if not child_id:
        return None  # filed when the child's ID number is issued
    child = _newborn_archive(actor=actor, application=application, id_number=child_id)
    if child is None:
        return None
    licence = None
    for task, licence_type in approved:
        licence = issue_licence(
            actor=actor,
            licence_type=licence_type,
            number=task.result,
            issued_on=timezone.localdate(),
            source=LicenceSource.ONETHING,
            source_ref=f"task:{task.pk}",
            application=application,
            person=child,
        )
    return licence


def _newborn_archive(*, actor, application, id_number: str) -> Person | None:
    """The child's archive, opened from the birth registration's data (once)."""
    data = application.data
    mother_id = (data.get("mother_id_number") or "").upper()
    father_id = (data.get("father_id_number") or "").upper()
    # One lean statement for the child and the parents: every approval after the birth
    # registration asks, and the ORM's compilation of these lookups cost more than the rest of
    # filing together.
    # The child (if already opened) and the parents, by ID number.
    people = {
        p.id_number: p
        for p in rows.matching(
            Person,
            "id_number",
            [i for i in (id_number, application.applicant_identifier, mother_id, father_id) if i],
        )
    }
    existing = people.get(id_number)
    if existing is not None:
        return existing
    mother = people.get(mother_id)
    father = people.get(father_id)
    parent = mother or father or people.get(application.applicant_identifier)
    if parent is None:
        return None
    try:
        birth = dt.date.fromisoformat(data.get("child_birth_date", ""))
    except ValueError:
        birth = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    child = Person.objects.create(
        id_number=id_number,
        name=(data.get("child_name") or "").strip()[:32] or id_number,
        gender=Gender.MALE if int(id_number[16]) % 2 else Gender.FEMALE,
        birth_date=birth,
        township_id=parent.township_id,
        address=parent.address,
        hukou_address=(data.get("hukou_address") or parent.hukou_address)[:200],
        mother=mother,
        father=father,
    )
    record(
        actor=actor,
        action=AuditAction.CREATE,
        event_type="archives.person_opened",
        obj=child,
        subject_key=id_number,
        summary=f"{child.name} ({application.reference})",
    )
    return child


# --- renewals and reminders -------------------------------------------------------------------


def holder_of_user(user):
    """The archive a citizen or enterprise account holds (or None)."""
    if user.id_number:
        return Person.objects.filter(id_number=user.id_number).first()
    if user.credit_code:
        return Enterprise.objects.filter(credit_code=user.credit_code).first()
    return None


# A renewal application still under way is resumed, not started again.
RESUMABLE_RENEWAL_STATES = (
    ApplicationState.DRAFT,
    ApplicationState.IN_PROGRESS,
    ApplicationState.CORRECTION,
)


def _is_holder(user, licence: Licence) -> bool:
    if licence.person_id:
        return bool(user.id_number) and licence.person.id_number == user.id_number
    return bool(user.credit_code) and licence.enterprise.credit_code == user.credit_code


@transaction.atomic
def start_renewal(*, actor, licence_id: int):
    """Start (or resume) the renewal of a licence: a draft of its renewal one-thing, with the
    answers every renewal gives; the form then opens with the licence's number prefilled."""
    licence = (
        Licence.objects.select_for_update(of=("self",))
        .select_related("licence_type__renewal_onething", "person", "enterprise")
        .get(pk=licence_id)
    )
    if not _is_holder(actor, licence):
        raise ArchiveError("not_holder", _("Only the holder can renew this licence."))
    licence_type = licence.licence_type
    if licence_type.renewal_onething is None:
        raise ArchiveError(
            "no_renewal", _("%(type)s cannot be renewed online."), type=licence_type.name
        )
    if licence.state != LicenceState.CURRENT:
        raise ArchiveError(
            "not_current", _("This licence is no longer current; it needs no renewal.")
        )
    if licence.renewal_application_id:
        previous = licence.renewal_application
        if previous.state in RESUMABLE_RENEWAL_STATES:
            return previous
    application = onething.start_application(actor=actor, onething=licence_type.renewal_onething)
    if licence_type.renewal_answers:
        application = onething.save_answers(
            actor=actor, application_id=application.pk, answers=licence_type.renewal_answers
        )
    licence.renewal_application = application
    licence.save(update_fields=["renewal_application", "updated_at"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        event_type="archives.renewal_started",
        obj=licence,
        subject_key=subject_key_of(licence.holder),
        summary=f"{licence}: {application.reference}",
        after={"application": application.pk},
    )
    return application


def due_offset(offsets: list[int], days_left: int) -> int | None:
    """The most urgent reminder due ``days_left`` days before expiry: the smallest offset not
    below it. A missed run thus sends only the latest reminder, never a backlog."""
    due = [o for o in offsets if o >= days_left]
    return min(due) if due else None


def send_renewal_reminders(*, today: dt.date | None = None) -> int:
    """Remind holders of current licences before they expire, once per licence and offset,
    through the notification centre (in-app, and SMS / e-mail where the account has them).
    Safe to run as often as wanted; returns how many notifications were created."""
    from django.urls import reverse
    from django.utils import translation

    from banhao.accounts.models import User
    from banhao.notifications.services import notify

    today = today or timezone.localdate()
    offsets = [o for lt in LicenceType.objects.all() for o in lt.reminder_offsets]
    if not offsets:
        return 0
    candidates = []
    for licence in Licence.objects.filter(
        state=LicenceState.CURRENT,
        expires_on__gte=today,
        expires_on__lte=today + dt.timedelta(days=max(offsets)),
    ).select_related("licence_type__renewal_onething", "person", "enterprise"):
        offset = due_offset(
            licence.licence_type.reminder_offsets, (licence.expires_on - today).days
        )
        if offset is None:
            continue
        if licence.reminded_offset is not None and licence.reminded_offset <= offset:
            continue
        candidates.append((licence, offset))
    if not candidates:
        return 0
    id_numbers = {lic.person.id_number for lic, _o in candidates if lic.person_id}
    credit_codes = {lic.enterprise.credit_code for lic, _o in candidates if lic.enterprise_id}
    accounts: dict[str, User] = {}
    for user in User.objects.filter(
        models.Q(id_number__in=id_numbers) | models.Q(credit_code__in=credit_codes),
        is_active=True,
    ):
        accounts[user.id_number or user.credit_code] = user
    created = 0
    for licence, offset in candidates:
        user = accounts.get(subject_key_of(licence.holder))
        if user is None:
            continue  # no account to remind; reminded once they have one
        days_left = (licence.expires_on - today).days
        with transaction.atomic(), translation.override(user_language(user)):
            params = {
                "type": localized(licence.licence_type),
                "number": licence.number,
                "date": licence.expires_on.isoformat(),
                "days": days_left,
            }
            body = _("Licence number %(number)s expires on %(date)s, in %(days)d days.") % params
            if licence.licence_type.renewal_onething_id:
                body += " " + str(_("Renew it online in a few steps."))
            if notify(
                recipient=user,
                event_key=f"archives.renewal.{licence.pk}.{offset}",
                kind="archives.renewal_reminder",
                title=str(_("%(type)s expires soon") % params),
                body=body,
                url=reverse("archives:renew", args=[licence.pk]),
                channels=("sms", "email"),
            ):
                created += 1
            licence.reminded_offset = offset
            licence.save(update_fields=["reminded_offset"])
    return created


# --- staff access -----------------------------------------------------------------------------

# How long a recorded purpose lets a staff member reopen the same archive.
ACCESS_HOURS = 4
MIN_PURPOSE_CHARS = 8
_APPLICATION_REF = re.compile(r"^(?:YJS\d{8})?(\d{1,9})$")
_TICKET_REF = re.compile(r"^(?:12345-)?(\d{1,9})$")


def _application_purpose(actor, holder, reference: str) -> str:
    match = _APPLICATION_REF.match(reference.upper())
    application = Application.objects.filter(pk=int(match.group(1))).first() if match else None
    if application is None or application.applicant_identifier != subject_key_of(holder):
        raise ArchiveError(
            "no_such_application",
            _("No application %(ref)s of this person or enterprise was found."),
            ref=reference,
        )
    works_on_it = (
        actor.role in COUNTY_WIDE_ROLES
        or (actor.venue_id and application.receiving_venue_id == actor.venue_id)
        or (
            actor.department_id
            and application.tasks.filter(department_id=actor.department_id).exists()
        )
    )
    if not works_on_it:
        raise ArchiveError(
            "not_your_application",
            _("Application %(ref)s is not handled by your unit."),
            ref=application.reference,
        )
    return application.reference


def _ticket_purpose(actor, holder, reference: str) -> str:
    match = _TICKET_REF.match(reference)
    ticket = (
        Ticket.objects.select_related("requester").filter(pk=int(match.group(1))).first()
        if match
        else None
    )
    key = subject_key_of(holder)
    concerns = ticket is not None and (
        (
            ticket.requester is not None
            and key in (ticket.requester.id_number, ticket.requester.credit_code)
        )
        or (isinstance(holder, Person) and holder.phone and ticket.contact_phone == holder.phone)
    )
    if not concerns:
        raise ArchiveError(
            "no_such_ticket",
            _("No hotline ticket %(ref)s of this person or enterprise was found."),
            ref=reference,
        )
    works_on_it = (
        actor.role in COUNTY_WIDE_ROLES
        or actor.role in (Role.HOTLINE_OPERATOR, Role.HOTLINE_SUPERVISOR)
        or (actor.department_id and ticket.department_id == actor.department_id)
    )
    if not works_on_it:
        raise ArchiveError(
            "not_your_ticket",
            _("Ticket %(ref)s is not handled by your unit."),
            ref=ticket.number,
        )
    return ticket.number


@transaction.atomic
def record_access_purpose(
    *, actor, kind: str, reference: str, person: Person | None = None, enterprise=None
) -> ArchiveAccess:
    """A staff member states why they open an archive: an application or a hotline ticket of
    this holder that their unit handles (then identifiers are shown in full), or another purpose
    in words (identifiers stay masked). Valid for ``ACCESS_HOURS``; every opening is audited."""
    if actor is None or not actor.is_staff_role:
        raise ArchiveError("staff_only", _("Only staff open other people's archives."))
    if (person is None) == (enterprise is None):
        raise ArchiveError("one_holder", _("Choose one person or enterprise."))
    holder = person or enterprise
    reference = (reference or "").strip()
    if kind == PurposeKind.APPLICATION:
        reference = _application_purpose(actor, holder, reference)
        reveals = True
    elif kind == PurposeKind.TICKET:
        reference = _ticket_purpose(actor, holder, reference)
        reveals = True
    elif kind == PurposeKind.OTHER:
        if len(reference) < MIN_PURPOSE_CHARS:
            raise ArchiveError(
                "purpose_too_short",
                _("Describe the purpose in at least %(n)d characters."),
                n=MIN_PURPOSE_CHARS,
            )
        reveals = False
    else:
        raise ArchiveError("bad_purpose", _("Choose what you need the archive for."))
    access = ArchiveAccess.objects.create(
        actor=actor,
        person=person,
        enterprise=enterprise,
        kind=kind,
        reference=reference[:200],
        reveals_identifiers=reveals,
        valid_until=timezone.now() + dt.timedelta(hours=ACCESS_HOURS),
    )
    record(
        actor=actor,
        action=AuditAction.CREATE,
        event_type="archives.access_purpose",
        obj=access,
        subject_key=subject_key_of(holder),
        summary=access.purpose_text,
        after={"kind": kind, "reference": access.reference, "reveals": reveals},
    )
    return access
