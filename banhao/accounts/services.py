"""Every write to accounts: registration (an identity claim), real-name verification, staff
creation, password and preference changes."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from banhao.audit.models import AuditAction
from banhao.audit.services import record
from banhao.core.i18n import user_language
from banhao.core.identifiers import clean_credit_code, clean_id_number, clean_mobile
from banhao.notifications.services import notify

from . import errors, identity, identity_errors
from .identity import AssuranceLevel, Authority, ClaimState, IdentityKind, VerificationMethod
from .models import IdentityClaim, IdentityConflict, IdentityVerification, User
from .roles import DEPARTMENT_ROLES, PUBLIC_ROLES, VENUE_ROLES, Role
from .selectors import unit_staff


@transaction.atomic
def register_citizen(
    *, username: str, password: str, full_name: str, id_number: str, phone: str = ""
) -> User:
    """A citizen account. The typed ID number is only a claim: the account opens no archive
    until its identity is verified (``verify_identity``), and a claim never blocks another."""
    User.username_validator(username)
    id_number = clean_id_number(id_number)
    phone = clean_mobile(phone) if phone else ""
    user = User(username=username, role=Role.CITIZEN, full_name=full_name, phone=phone)
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save()
    claim = _claim(user, IdentityKind.PERSON, id_number)
    record(
        actor=user,
        action=AuditAction.CREATE,
        event_type="account.registered",
        obj=user,
        summary=f"citizen {username}",
        extra={"claim": claim.masked},
    )
    return user


@transaction.atomic
def register_enterprise(
    *,
    username: str,
    password: str,
    organisation_name: str,
    credit_code: str,
    contact_name: str = "",
    phone: str = "",
) -> User:
    """An enterprise account; its credit code (public) is only a claim, as for citizens."""
    User.username_validator(username)
    credit_code = clean_credit_code(credit_code)
    phone = clean_mobile(phone) if phone else ""
    user = User(
        username=username,
        role=Role.ENTERPRISE,
        organisation_name=organisation_name,
        full_name=contact_name,
        phone=phone,
    )
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save()
    claim = _claim(user, IdentityKind.ENTERPRISE, credit_code)
    record(
        actor=user,
        action=AuditAction.CREATE,
        event_type="account.registered",
        obj=user,
        summary=f"enterprise {username}",
        extra={"claim": claim.masked},
    )
    return user


@transaction.atomic
def register_by_unified_login(*, role: str, username: str) -> User:
    """A public account opened by the province's unified login: no password (its holder signs
    in there) and no claim (the provider's verified identity follows at once, through
    ``verify_identity`` with method ``oidc``)."""
    role = Role(role)
    if role not in PUBLIC_ROLES:
        raise errors.AccountError(identity_errors.NOT_PUBLIC_ACCOUNT)
    User.username_validator(username)
    user = User(username=username, role=role)
    user.set_unusable_password()
    user.save()
    record(
        actor=user,
        action=AuditAction.CREATE,
        event_type="account.registered",
        obj=user,
        summary=f"{role.value} {username}",
        extra={"method": VerificationMethod.OIDC.value},
    )
    return user


def _claim(user: User, kind: str, identifier: str) -> IdentityClaim:
    """Record what the account typed. A number some other account has already verified is a
    false claim (or the holder's second account): voided and flagged at once, silently, so
    registration does not tell anyone which numbers have verified accounts."""
    claim = IdentityClaim.objects.create(
        user=user,
        kind=kind,
        digest=identity.claim_digest(identifier),
        masked=identity.mask_identifier(kind, identifier),
    )
    holder = User.objects.filter(
        identity_verified_at__isnull=False, **{_identifier_field(kind): identifier}
    ).first()
    if holder is not None:
        _void_and_flag(claim, holder=holder, actor=user)
    return claim


def _identifier_field(kind: str) -> str:
    return "id_number" if kind == IdentityKind.PERSON else "credit_code"


def _kind_of(user: User) -> str:
    return IdentityKind.PERSON if user.role == Role.CITIZEN else IdentityKind.ENTERPRISE


def _clean_identifier(kind: str, identifier: str) -> str:
    clean = clean_id_number if kind == IdentityKind.PERSON else clean_credit_code
    try:
        return clean(identifier)
    except ValidationError as exc:
        raise errors.AccountError("bad_identifier", " ".join(exc.messages)) from exc


@transaction.atomic
def verify_identity(
    user: User,
    *,
    identifier: str,
    method: str,
    assurance: int,
    verified_by: User | None = None,
    document_type: str = "",
    authority: str = "",
    acting_person: str = "",
    name: str = "",
) -> IdentityVerification:
    """Mark a public account's real-name identity verified: the one way an account comes to
    carry an ID number or credit code, and so to open an archive, its prefill and its grants.

    Both paths call it: a window clerk who checked the document (``verify_in_person``) and the
    province's unified login (method ``oidc``, with the provider's assurance level and
    ``verified_by=None``). In person, the document must match the number the account claimed.
    Every other account's pending claim on the same identifier is voided and flagged for the
    security administrator. ``name`` is the name on the document (person or enterprise).
    """
    method = VerificationMethod(method)
    assurance = AssuranceLevel(assurance)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.role not in PUBLIC_ROLES or not user.is_active:
        raise errors.AccountError(identity_errors.NOT_PUBLIC_ACCOUNT)
    if assurance < identity.MIN_HOLDER_ASSURANCE:
        raise errors.AccountError(identity_errors.LOW_ASSURANCE)
    kind = _kind_of(user)
    identifier = _clean_identifier(kind, identifier)
    documents = (
        identity.PERSON_DOCUMENTS if kind == IdentityKind.PERSON else identity.ENTERPRISE_DOCUMENTS
    )
    if method == VerificationMethod.IN_PERSON and (
        verified_by is None or document_type not in documents
    ):
        raise errors.AccountError(identity_errors.DOCUMENT_REQUIRED)
    if document_type and document_type not in documents:
        raise errors.AccountError(identity_errors.DOCUMENT_REQUIRED)
    if kind == IdentityKind.ENTERPRISE:
        authority = Authority(authority) if authority else ""
        if not authority:
            raise errors.AccountError(identity_errors.AUTHORITY_REQUIRED)
    else:
        authority = ""
    field = _identifier_field(kind)
    current = getattr(user, field)
    if user.identity_verified_at is not None and current != identifier:
        raise errors.AccountError(identity_errors.VERIFIED_OTHERWISE)
    digest = identity.claim_digest(identifier)
    claim = (
        IdentityClaim.objects.select_for_update()
        .filter(user=user, state=ClaimState.PENDING)
        .first()
    )
    if claim is not None and claim.digest != digest:
        if method == VerificationMethod.IN_PERSON:
            raise errors.AccountError(identity_errors.DOCUMENT_MISMATCH)
        # The unified login vouches for the identifier itself; the account's own typo goes.
        _resolve(claim, ClaimState.VOIDED)
        claim = None
    elif claim is None and current != identifier and method == VerificationMethod.IN_PERSON:
        raise errors.AccountError(identity_errors.DOCUMENT_MISMATCH)
    if (
        User.objects.filter(identity_verified_at__isnull=False, **{field: identifier})
        .exclude(pk=user.pk)
        .exists()
    ):
        raise errors.AccountError(identity_errors.IDENTITY_TAKEN)
    before = {"verified": user.identity_verified_at is not None, "name": _name_of(user)}
    now = timezone.now()
    setattr(user, field, identifier)
    user.identity_verified_at = now
    user.identity_method = method
    user.identity_assurance = max(assurance, user.identity_assurance or 0)
    fields = [field, "identity_verified_at", "identity_method", "identity_assurance"]
    if name.strip():
        name_field = "full_name" if kind == IdentityKind.PERSON else "organisation_name"
        setattr(user, name_field, name.strip())
        fields.append(name_field)
    try:
        with transaction.atomic():
            user.save(update_fields=fields)
    except IntegrityError as exc:
        # A concurrent verification of the same identity on another account won the race.
        raise errors.AccountError(identity_errors.IDENTITY_TAKEN) from exc
    if claim is not None:
        _resolve(claim, ClaimState.VERIFIED)
    verification = IdentityVerification.objects.create(
        user=user,
        kind=kind,
        masked=identity.mask_identifier(kind, identifier),
        method=method,
        assurance=assurance,
        document_type=document_type,
        authority=authority,
        acting_person=acting_person.strip(),
        verified_by=verified_by,
        venue=getattr(verified_by, "venue", None),
    )
    record(
        actor=verified_by or user,
        action=AuditAction.UPDATE,
        event_type="account.identity_verified",
        obj=user,
        subject_key=identifier,
        before=before,
        after={"verified": True, "name": _name_of(user)},
        extra={
            "method": method.value,
            "assurance": int(assurance),
            "document_type": document_type,
            "authority": str(authority),
            "verification": verification.pk,
        },
        summary=f"{user.username}: {verification.masked} ({method.value})",
    )
    squatted = IdentityClaim.objects.select_for_update(of=("self",)).filter(
        digest=digest, state=ClaimState.PENDING
    )
    for other in squatted.exclude(user=user).select_related("user").order_by("pk"):
        _void_and_flag(other, holder=user, actor=verified_by or user)
    return verification


def verify_in_person(
    *,
    clerk: User,
    user: User,
    document_type: str,
    document_number: str,
    name: str = "",
    authority: str = "",
    acting_person: str = "",
) -> IdentityVerification:
    """A window clerk checked the ID card (or the business licence and the person's authority)
    of the person in front of them, who holds ``user``."""
    if not identity.may_verify(clerk):
        raise errors.AccountError(identity_errors.NOT_A_VERIFIER)
    return verify_identity(
        user,
        identifier=document_number,
        method=VerificationMethod.IN_PERSON,
        assurance=AssuranceLevel.HIGH,
        verified_by=clerk,
        document_type=document_type,
        authority=authority,
        acting_person=acting_person,
        name=name,
    )


def _name_of(user: User) -> str:
    return user.organisation_name or user.full_name


def _resolve(claim: IdentityClaim, state: str) -> None:
    claim.state = state
    claim.resolved_at = timezone.now()
    claim.save(update_fields=["state", "resolved_at"])


def _void_and_flag(claim: IdentityClaim, *, holder: User, actor: User) -> IdentityConflict:
    """Void a claim on an identity another account holds, and flag it for the security
    administrator (audited; every active administrator is notified)."""
    from banhao.notifications.services import notify

    _resolve(claim, ClaimState.VOIDED)
    conflict = IdentityConflict.objects.create(
        claim=claim, claimant=claim.user, holder=holder, kind=claim.kind, masked=claim.masked
    )
    record(
        actor=actor,
        action=AuditAction.TRANSITION,
        event_type="account.identity_claim_voided",
        obj=conflict,
        summary=f"{claim.user.username} claimed {claim.masked}, verified on {holder.username}",
        extra={"claimant": claim.user_id, "holder": holder.pk},
    )
    title = gettext_noop("An identity claim was voided and needs review")
    for admin in User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk"):
        with translation.override(user_language(admin)):
            notify(
                recipient=admin,
                event_key=f"identity_conflict:{conflict.pk}",
                kind="identity_conflict",
                title=translation.gettext(title),
                body=f"{claim.user.username} · {claim.masked}",
                url=reverse("admin:accounts_identityconflict_change", args=[conflict.pk]),
            )
    return conflict


@transaction.atomic
def review_identity_conflict(*, actor: User, conflict_id: int, note: str = "") -> bool:
    """The security administrator has looked into a flagged claim. False if already done."""
    conflict = IdentityConflict.objects.select_for_update().filter(pk=conflict_id).first()
    if conflict is None or conflict.reviewed_at is not None:
        return False
    conflict.reviewed_at = timezone.now()
    conflict.reviewed_by = actor
    conflict.note = note
    conflict.save(update_fields=["reviewed_at", "reviewed_by", "note"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        event_type="account.identity_conflict_reviewed",
        obj=conflict,
        summary=conflict.masked,
    )
    return True


@transaction.atomic
def create_staff(
    *,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    full_name: str,
    department=None,
    venue=None,
    phone: str = "",
    validate_password: bool = True,
) -> User:
    role = Role(role)
    User.username_validator(username)
    if (role in DEPARTMENT_ROLES and department is None) or (role in VENUE_ROLES and venue is None):
        raise errors.AccountError(errors.UNIT_REQUIRED)
    user = User(
        username=username,
        role=role,
        full_name=full_name,
        department=department,
        venue=venue,
        phone=clean_mobile(phone) if phone else "",
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    if validate_password:
        password_validation.validate_password(password, user)
    user.set_password(password)
    user.save()
    record(
        actor=actor,
        action=AuditAction.CREATE,
        event_type="account.staff_created",
        obj=user,
        after={"role": role.value, "unit": user.unit_label},
        summary=f"{role.value} {username}",
    )
    return user


@transaction.atomic
def change_password(*, user: User, new_password: str) -> None:
    password_validation.validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    record(
        actor=user,
        action=AuditAction.PASSWORD_CHANGE,
        event_type="account.password_changed",
        obj=user,
    )


@transaction.atomic
def set_display_preferences(
    *, user: User, large_text: bool | None = None, language: str | None = None
):
    before = {"large_text": user.large_text, "language": user.preferred_language}
    fields = []
    if large_text is not None and large_text != user.large_text:
        user.large_text = large_text
        fields.append("large_text")
    if language is not None and language != user.preferred_language:
        user.preferred_language = language
        fields.append("preferred_language")
    if not fields:
        return
    user.save(update_fields=fields)
    record(
        actor=user,
        action=AuditAction.UPDATE,
        event_type="account.preferences_changed",
        obj=user,
        before=before,
        after={"large_text": user.large_text, "language": user.preferred_language},
    )


def record_login(*, user: User) -> None:
    record(actor=user, action=AuditAction.LOGIN, event_type="account.login", obj=user)


def record_logout(*, user: User) -> None:
    record(actor=user, action=AuditAction.LOGOUT, event_type="account.logout", obj=user)


def record_failed_login(*, username: str) -> None:
    record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        event_type="account.login_failed",
        summary=username[:150],
    )


def notify_unit_staff(
    department,
    *,
    event_key: str,
    kind: str,
    title,
    body="",
    url: str = "",
    params: dict | None = None,
    roles=None,
    channels: tuple[str, ...] = (),
) -> int:
    """Tell a unit's staff (``selectors.unit_staff``: handlers and the head unless
    ``roles`` says otherwise). ``title`` and ``body`` may be lazy messages with ``%(name)s``
    placeholders filled from ``params`` (lazy values too): each recipient reads them in their
    own language. Returns how many were told (a repeated event tells nobody again)."""
    staff = unit_staff(department) if roles is None else unit_staff(department, roles)
    told = 0
    for user in staff:
        with translation.override(user_language(user)):
            values = {k: str(v) for k, v in (params or {}).items()}
            text = str(title) % values if values else str(title)
            detail = str(body) % values if values and body else str(body)
        told += (
            notify(
                recipient=user,
                event_key=event_key,
                kind=kind,
                title=text,
                body=detail,
                url=url,
                channels=channels,
            )
            is not None
        )
    return told
