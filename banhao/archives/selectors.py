"""Reads of the archives: an archive page's sections, upcoming expiries, form prefill.

An archive page runs the same few queries however large the archives grow: each section is
one indexed query with a limit.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from banhao.accounts.identity import holder_key
from banhao.accounts.models import User
from banhao.audit.selectors import views_of_subject
from banhao.core import masking
from banhao.core.i18n import localized
from banhao.hotline.models import Ticket
from banhao.onething.events import FormPrefill, HeldRecord, Prefill, Renews
from banhao.onething.models import Application
from banhao.onething.states import ApplicationState

from . import signing
from .models import (
    ArchiveAccess,
    Benefit,
    Enterprise,
    Gender,
    Licence,
    LicenceState,
    Person,
)

# Expiries within this many days are listed as upcoming on the holder's page.
UPCOMING_DAYS = 120
LIST_LIMIT = 20


def is_person_identifier(identifier: str) -> bool:
    return len(identifier) == 18 and identifier[:17].isdigit()


def person_by_id_number(id_number: str) -> Person | None:
    return (
        Person.objects.select_related("township", "spouse", "mother", "father")
        .filter(id_number=id_number)
        .first()
    )


def enterprise_by_credit_code(credit_code: str) -> Enterprise | None:
    return Enterprise.objects.select_related("township").filter(credit_code=credit_code).first()


def archive_of_user(user):
    """The archive a citizen or enterprise account holds, or None. Only a verified identity
    holds one: a number typed at registration opens nothing (banhao.accounts.identity)."""
    key = holder_key(user)
    if is_person_identifier(key):
        return person_by_id_number(key)
    if key:
        return enterprise_by_credit_code(key)
    return None


def find_archive(identifier: str):
    """Staff search: exactly one ID number or credit code (no browsing by name)."""
    identifier = (identifier or "").strip().upper()
    if is_person_identifier(identifier):
        return person_by_id_number(identifier)
    if len(identifier) == 18:
        return enterprise_by_credit_code(identifier)
    return None


def valid_access(user, holder) -> ArchiveAccess | None:
    """The staff member's latest still-valid recorded purpose for this archive."""
    holder_field = "person" if isinstance(holder, Person) else "enterprise"
    return (
        ArchiveAccess.objects.filter(
            actor=user, valid_until__gt=timezone.now(), **{holder_field: holder}
        )
        .order_by("-valid_until")
        .first()
    )


@dataclass
class ArchiveView:
    holder: Person | Enterprise
    is_person: bool
    reveal: bool
    licences: list[Licence] = field(default_factory=list)
    upcoming: list[Licence] = field(default_factory=list)
    applications: list = field(default_factory=list)
    tickets: list = field(default_factory=list)
    benefits: list[Benefit] = field(default_factory=list)
    represents: list[Enterprise] = field(default_factory=list)
    viewers: list = field(default_factory=list)
    today: dt.date | None = None

    @property
    def identifier(self) -> str:
        if isinstance(self.holder, Person):
            value = self.holder.id_number
            return value if self.reveal else masking.mask_id_number(value)
        value = self.holder.credit_code
        return value if self.reveal else masking.mask_credit_code(value)

    @property
    def phone(self) -> str:
        value = getattr(self.holder, "phone", "")
        return value if self.reveal else masking.mask_phone(value)

    def masked_id(self, value: str) -> str:
        return value if self.reveal else masking.mask_id_number(value)


def archive_view(holder, *, reveal: bool, with_viewers: bool = False, today=None) -> ArchiveView:
    """Everything an archive page shows, each section one query with a limit."""
    today = today or timezone.localdate()
    is_person = isinstance(holder, Person)
    key = holder.id_number if is_person else holder.credit_code
    view = ArchiveView(holder=holder, is_person=is_person, reveal=reveal, today=today)
    holder_q = {"person": holder} if is_person else {"enterprise": holder}
    # Current first, then the newest; superseded and revoked stay listed for the record.
    view.licences = list(
        Licence.objects.filter(**holder_q)
        .select_related("licence_type__renewal_onething", "licence_type__department")
        .order_by("state", "-issued_on", "-id")[:100]
    )
    horizon = today + dt.timedelta(days=UPCOMING_DAYS)
    view.upcoming = sorted(
        (
            lic
            for lic in view.licences
            if lic.state == LicenceState.CURRENT and lic.expires_on and lic.expires_on <= horizon
        ),
        key=lambda lic: lic.expires_on,
    )
    view.applications = list(
        Application.objects.filter(applicant_identifier=key)
        .exclude(state=ApplicationState.DRAFT)
        .select_related("onething")
        .only("id", "created_at", "state", "submitted_at", "onething__name", "onething__name_en")
        .order_by("-id")[:LIST_LIMIT]
    )
    accounts = User.objects.filter(**({"id_number": key} if is_person else {"credit_code": key}))
    ticket_q = Q(requester_id__in=Subquery(accounts.values("pk")))
    if is_person and holder.phone:
        ticket_q |= Q(contact_phone=holder.phone, is_anonymous=False)
    view.tickets = list(
        Ticket.objects.filter(ticket_q)
        .only("id", "title", "status", "created_at", "ticket_type")
        .order_by("-created_at", "-id")[:LIST_LIMIT]
    )
    view.benefits = list(
        Benefit.objects.filter(**holder_q).select_related("granted_by")[:LIST_LIMIT]
    )
    if is_person:
        view.represents = list(
            Enterprise.objects.filter(legal_representative_id=key).only(
                "id", "name", "credit_code"
            )[:LIST_LIMIT]
        )
    if with_viewers:
        view.viewers = list(views_of_subject(key)[:LIST_LIMIT])
    return view


# --- prefill ------------------------------------------------------------------------------------


# Licence types whose current number fills a form field.
LICENCE_FIELDS = {
    "marriage_cert_number": "marriage_certificate",
    "card_number": "social_security_card",
    "property_cert_number": "real_estate_title",
}


def form_prefill(user, field_keys, application) -> FormPrefill:
    """One-thing's form-prefill provider (registered in ``apps.py``): the archive's values
    and, for a renewal, the licence it renews."""
    renewed = renewal_of(application)
    values = _prefill(user, set(field_keys), application, renewed)
    if renewed is None:
        return FormPrefill(values=values)
    return FormPrefill(
        values=values, renews=Renews(label=localized(renewed.licence_type), number=renewed.number)
    )


def prefill_for(user, field_keys, *, application=None) -> dict[str, Prefill]:
    """What the archive already knows for these form fields, with where each value comes from.

    The holder is the application's applicant (a window clerk's applicant too) or, without an
    application, the account's own archive. Values of the applicant, their spouse (a newborn's
    other parent), their current licences, the enterprise's registry entry and, failing those,
    the account itself. A renewal also fills the licence number being renewed.
    """
    renewed = renewal_of(application) if application is not None else None
    return _prefill(user, set(field_keys), application, renewed)


def _prefill(user, keys: set[str], application, renewed: Licence | None) -> dict[str, Prefill]:
    values: dict[str, Prefill] = {}

    def put(key: str, value, source: str) -> None:
        if key in keys and key not in values and value:
            values[key] = Prefill(str(value), source)

    if application is not None:
        identifier = application.applicant_identifier
        own_account = application.applicant_id == user.pk
        if own_account and user.is_public and identifier != holder_key(user):
            # An online applicant's archive fills their form only once they hold it verified
            # (a draft started on a typed number, before verification existed, gets nothing).
            identifier = ""
    else:
        identifier = holder_key(user)
        own_account = True
    if is_person_identifier(identifier):
        person = Person.objects.select_related("spouse").filter(id_number=identifier).first()
        if person is not None:
            _person_values(person, keys, put)
    elif identifier:
        enterprise = Enterprise.objects.filter(credit_code=identifier).first()
        if enterprise is not None:
            put("enterprise_name", enterprise.name, "archive")
            put("credit_code", enterprise.credit_code, "archive")
            put("legal_rep_name", enterprise.legal_representative, "archive")
            put("legal_rep_id_number", enterprise.legal_representative_id, "archive")
            put("business_address", enterprise.address, "archive")
    if own_account and user.is_authenticated and user.is_public:
        put("contact_mobile", user.phone, "account")
        put("applicant_name", user.full_name, "account")
        if user.credit_code:
            put("contact_name", user.full_name, "account")
            put("enterprise_name", user.organisation_name, "account")
            put("credit_code", user.credit_code, "account")
        else:
            put("applicant_id_number", user.id_number, "account")
    if renewed is not None and renewed.licence_type.number_field:
        put(renewed.licence_type.number_field, renewed.number, "licence")
    return values


def _person_values(person: Person, keys: set[str], put) -> None:
    put("applicant_name", person.name, "archive")
    put("applicant_id_number", person.id_number, "archive")
    put("contact_mobile", person.phone, "archive")
    put("mailing_address", person.address, "archive")
    put("residence_address", person.address, "archive")
    put("hukou_address", person.hukou_address, "archive")
    put("guardian_name", person.name, "archive")
    put("guardian_id_number", person.id_number, "archive")
    spouse = person.spouse
    for parent, source in ((person, "archive"), (spouse, "spouse")):
        if parent is None:
            continue
        role = "mother" if parent.gender == Gender.FEMALE else "father"
        put(f"{role}_name", parent.name, source)
        put(f"{role}_id_number", parent.id_number, source)
    if spouse is not None and not person.hukou_address:
        put("hukou_address", spouse.hukou_address, "spouse")
    wanted = {code: key for key, code in LICENCE_FIELDS.items() if key in keys}
    if wanted:
        for number, code in Licence.objects.filter(
            person=person, state=LicenceState.CURRENT, licence_type__code__in=wanted
        ).values_list("number", "licence_type__code"):
            put(wanted[code], number, "licence")


def renewal_of(application) -> Licence | None:
    """The licence this application renews, if it was started from a renewal reminder."""
    return (
        Licence.objects.select_related("licence_type")
        .filter(renewal_application=application)
        .first()
    )


def upcoming_count(user, today=None) -> int:
    """How many of the account holder's current licences expire within UPCOMING_DAYS."""
    today = today or timezone.localdate()
    key = holder_key(user)
    if not key:
        return 0
    holder_q = (
        {"person__id_number": key}
        if is_person_identifier(key)
        else {"enterprise__credit_code": key}
    )
    return Licence.objects.filter(
        state=LicenceState.CURRENT,
        expires_on__gte=today,
        expires_on__lte=today + dt.timedelta(days=UPCOMING_DAYS),
        **holder_q,
    ).count()


# --- electronic licences: the public verification (ADR 0016) ----------------------------------

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,32}$")


class Standing(models.TextChoices):
    """What the verification page says of a genuine licence."""

    CURRENT = "current", _("Current")  # in force today
    EXPIRED = "expired", _("Expired")  # current in the archive, past its expiry date
    SUPERSEDED = "superseded", _("Superseded")  # replaced by a newer licence
    REVOKED = "revoked", _("Revoked")  # withdrawn by the issuing department


@dataclass
class LicenceCheck:
    """What anyone holding the QR code may learn: no more than the licence itself shows, with
    a person's name and a number that is their ID number masked."""

    licence: Licence
    genuine: bool
    standing: Standing
    number: str
    holder: str

    def as_dict(self) -> dict:
        lic = self.licence
        return {
            "genuine": self.genuine,
            "standing": self.standing.value,
            "type": lic.licence_type.code,
            "type_name": lic.licence_type.name,
            "type_name_en": lic.licence_type.name_en,
            "issuer": lic.issuer.name if lic.issuer else None,
            "issuer_en": lic.issuer.name_en if lic.issuer else None,
            "number": self.number,
            "holder": self.holder,
            "issued_on": lic.issued_on.isoformat(),
            "expires_on": lic.expires_on.isoformat() if lic.expires_on else None,
            "revoked_on": (
                timezone.localdate(lic.revoked_at).isoformat() if lic.revoked_at else None
            ),
            "algorithm": lic.signature_algorithm,
            "key_id": lic.key_id,
        }


def licence_check(token: str, *, today: dt.date | None = None) -> LicenceCheck | None:
    """The verification of the licence behind a QR code's token (one query), or None."""
    if not _TOKEN.match(token or ""):
        return None
    licence = (
        Licence.objects.select_related("licence_type", "issuer", "person", "enterprise")
        .filter(token=token)
        .first()
    )
    if licence is None:
        return None
    today = today or timezone.localdate()
    if licence.state == LicenceState.REVOKED:
        standing = Standing.REVOKED
    elif licence.state == LicenceState.SUPERSEDED:
        standing = Standing.SUPERSEDED
    elif licence.expires_on and licence.expires_on < today:
        standing = Standing.EXPIRED
    else:
        standing = Standing.CURRENT
    if licence.person_id:
        holder = masking.mask_name(licence.person.name)
    else:
        # Enterprise registrations are public (企业信用信息公示): the name is shown in full.
        holder = licence.enterprise.name
    number = licence.number
    if licence.licence_type.number_identifies_holder:
        number = masking.mask_id_number(number)
    return LicenceCheck(
        licence=licence,
        genuine=signing.verify(licence),
        standing=standing,
        number=number,
        holder=holder,
    )


# --- materials held by records (免提交, ADR 0019) ------------------------------------------------

# Who keeps the population and household registers (居民身份证, 户籍): the public security
# bureau. The verified identity itself stands for the applicant's ID card where no archive is.
POPULATION_REGISTER = ("县公安局", "Yiyuan County Public Security Bureau")
VERIFIED_IDENTITY = ("实名认证", "Real-name verification")
ID_CARD = ("居民身份证", "Resident ID card")
HOUSEHOLD = ("户籍登记", "Household registration")


def material_records(user, wanted, application) -> dict[str, HeldRecord]:
    """One-thing's material-record provider (registered in ``apps.py``): for each wanted
    material ({code: {"kind", "holder", …}}), the record of the applicant, their spouse or
    child, or their enterprise that holds it. Only for the applicant's own verified identity
    (``holder_key``): nobody else's records are offered. Two or three queries."""
    key = holder_key(user)
    if not key or application.applicant_id != user.pk or application.applicant_identifier != key:
        return {}
    if not is_person_identifier(key):
        return _enterprise_records(key, wanted)
    person = Person.objects.select_related("spouse").filter(id_number=key).first()
    spouse = person.spouse if person is not None else None
    is_female = int(key[16]) % 2 == 0

    def holders(spec) -> list[tuple[Person | None, bool]]:
        """The candidate holders, each with whether it is the applicant."""
        role = spec.get("holder")
        if role == "applicant":
            return [(person, True)]
        if role == "spouse":
            return [(spouse, False)]
        if role == "couple":
            return [(person, True), (spouse, False)]
        if role in ("mother", "father"):
            applicant_is = "mother" if is_female else "father"
            return [(person, True)] if role == applicant_is else [(spouse, False)]
        if role == "child" and person is not None:
            field_key = spec.get("holder_field", "")
            return [(_child_of(person, application.data.get(field_key, "")), False)]
        return []

    found: dict[str, HeldRecord] = {}
    licence_wanted: dict[str, list[Person]] = {}
    for code, spec in wanted.items():
        candidates = holders(spec)
        kind = spec.get("kind")
        if kind == "licence":
            licence_wanted[code] = [p for p, _own in candidates if p is not None]
            continue
        for candidate, own in candidates:
            if kind == "identity" and candidate is not None:
                reference = f"archives.person:{candidate.pk}"
                found[code] = _held(spec, reference, ID_CARD, candidate.id_number)
            elif kind == "identity" and own:
                # No archive yet: the verified identity itself is the applicant's ID card.
                found[code] = _held(
                    spec, "accounts.identity", ID_CARD, key, issuer=VERIFIED_IDENTITY
                )
            elif kind == "household" and candidate is not None and candidate.hukou_address:
                reference = f"archives.person:{candidate.pk}"
                found[code] = _held(spec, reference, HOUSEHOLD, candidate.id_number)
            if code in found:
                break
    if licence_wanted:
        found.update(_licence_records(licence_wanted, wanted))
    return found


def _held(spec, reference, label, number, issuer=POPULATION_REGISTER) -> HeldRecord:
    return HeldRecord(
        kind=spec["kind"],
        holder=spec.get("holder", ""),
        reference=reference,
        label=label[0],
        label_en=label[1],
        number=number,
        issuer=issuer[0],
        issuer_en=issuer[1],
    )


def _child_of(parent: Person, id_number: str) -> Person | None:
    id_number = (id_number or "").strip().upper()
    if not is_person_identifier(id_number):
        return None
    return (
        Person.objects.filter(Q(mother=parent) | Q(father=parent), id_number=id_number)
        .only("id", "id_number", "hukou_address")
        .first()
    )


def _licence_record(spec, licence: Licence) -> HeldRecord:
    issuer = licence.licence_type.department
    return HeldRecord(
        kind="licence",
        holder=spec.get("holder", ""),
        reference=f"archives.licence:{licence.pk}",
        label=licence.licence_type.name,
        label_en=licence.licence_type.name_en,
        number=licence.number,
        issuer=issuer.name if issuer else "",
        issuer_en=issuer.name_en if issuer else "",
    )


def _licence_records(holders_by_code: dict[str, list[Person]], wanted) -> dict[str, HeldRecord]:
    """Current licences of the wanted types held by the candidates, in one query; the first
    candidate (the applicant before the spouse) holding one wins."""
    persons = {p.pk for candidates in holders_by_code.values() for p in candidates}
    codes = {wanted[code]["licence_type"] for code in holders_by_code}
    if not persons:
        return {}
    held: dict[tuple[int, str], Licence] = {}
    for licence in (
        Licence.objects.filter(
            person_id__in=persons, state=LicenceState.CURRENT, licence_type__code__in=codes
        )
        .select_related("licence_type__department")
        .order_by("-issued_on", "-id")
    ):
        held.setdefault((licence.person_id, licence.licence_type.code), licence)
    found = {}
    for code, candidates in holders_by_code.items():
        for candidate in candidates:
            licence = held.get((candidate.pk, wanted[code]["licence_type"]))
            if licence is not None:
                found[code] = _licence_record(wanted[code], licence)
                break
    return found


def _enterprise_records(credit_code: str, wanted) -> dict[str, HeldRecord]:
    specs = {
        code: spec
        for code, spec in wanted.items()
        if spec.get("holder") == "enterprise" and spec.get("kind") == "licence"
    }
    if not specs:
        return {}
    held: dict[str, Licence] = {}
    for licence in (
        Licence.objects.filter(
            enterprise__credit_code=credit_code,
            state=LicenceState.CURRENT,
            licence_type__code__in={s["licence_type"] for s in specs.values()},
        )
        .select_related("licence_type__department")
        .order_by("-issued_on", "-id")
    ):
        held.setdefault(licence.licence_type.code, licence)
    return {
        code: _licence_record(spec, held[spec["licence_type"]])
        for code, spec in specs.items()
        if spec["licence_type"] in held
    }
