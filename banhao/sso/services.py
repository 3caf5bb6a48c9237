"""Every write of the unified login: signing a provider identity in to its local account (and
verifying it), and the audit of refusals, refreshes and logouts.

A citizen or enterprise is linked by issuer + subject to one account, created on the first
login, and verified through ``accounts.services.verify_identity`` (method ``oidc``), which also
voids and flags every other account's claim on the same identity. Staff are never created here:
the provider's unit and region must name the unit of an existing staff account.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from banhao.accounts import services as account_services
from banhao.accounts.identity import VerificationMethod
from banhao.accounts.models import User
from banhao.accounts.roles import Role
from banhao.audit.models import AuditAction
from banhao.audit.services import record
from banhao.core.identifiers import clean_credit_code, clean_id_number

from . import errors, selectors
from .claims import CITIZEN, ENTERPRISE, STAFF, ProviderIdentity
from .models import ProviderLink


@transaction.atomic
def sign_in(identity: ProviderIdentity) -> User:
    """The local account this provider identity signs in to, verified as the provider says.
    Raises ``SsoError`` (or ``AccountError`` from verification) and then changes nothing."""
    if not identity.subject:
        raise errors.SsoError(errors.BAD_CLAIMS)
    link = selectors.link_for(identity.issuer, identity.subject)
    if identity.account_type == STAFF:
        user = _staff(identity, link)
    elif identity.account_type in (CITIZEN, ENTERPRISE):
        user = _public(identity, link)
    else:
        raise errors.SsoError(errors.ACCOUNT_TYPE)
    now = timezone.now()
    if link is None:
        try:
            with transaction.atomic():
                ProviderLink.objects.create(
                    user=user, issuer=identity.issuer, subject=identity.subject, last_login_at=now
                )
        except IntegrityError as exc:
            # The account is already linked to another identity at this provider.
            raise errors.SsoError(errors.ACCOUNT_MISMATCH) from exc
    else:
        link.last_login_at = now
        link.save(update_fields=["last_login_at"])
    record(
        actor=user,
        action=AuditAction.LOGIN,
        event_type="account.login",
        obj=user,
        extra={
            "method": VerificationMethod.OIDC.value,
            "issuer": identity.issuer,
            "subject": identity.subject_digest,
            "assurance": identity.assurance,
            "linked": link is None,
        },
    )
    return user


def _check_assurance(identity: ProviderIdentity) -> None:
    if not identity.verified:
        raise errors.SsoError(errors.UNVERIFIED)
    if identity.assurance < settings.BANHAO_OIDC_MIN_ASSURANCE:
        raise errors.SsoError(errors.LOW_ASSURANCE)


def _public(identity: ProviderIdentity, link: ProviderLink | None) -> User:
    _check_assurance(identity)
    if identity.account_type == CITIZEN:
        role, field, raw, clean = Role.CITIZEN, "id_number", identity.id_number, clean_id_number
    else:
        role, field, raw = Role.ENTERPRISE, "credit_code", identity.credit_code
        clean = clean_credit_code
    if not raw:
        raise errors.SsoError(errors.UNVERIFIED)
    try:
        identifier = clean(raw)
    except ValidationError as exc:
        raise errors.SsoError(errors.BAD_CLAIMS) from exc
    if link is not None:
        user = link.user
        if user.role != role or not user.is_active:
            raise errors.SsoError(errors.ACCOUNT_MISMATCH)
    else:
        # The same identity verified earlier (at a window) is the same person's account.
        user = selectors.verified_account(
            role=role, field=field, identifier=identifier
        ) or account_services.register_by_unified_login(role=role, username=_username(identity))
    name = identity.name if role == Role.CITIZEN else identity.enterprise_name
    already = (
        user.identity_verified_at is not None
        and getattr(user, field) == identifier
        and (user.identity_assurance or 0) >= identity.assurance
        and (not name or name == user.display_name)
    )
    if not already:
        account_services.verify_identity(
            user,
            identifier=identifier,
            method=VerificationMethod.OIDC,
            assurance=identity.assurance,
            name=name,
            authority=identity.authority if role == Role.ENTERPRISE else "",
            acting_person=identity.name if role == Role.ENTERPRISE else "",
        )
        user.refresh_from_db()
    return user


def _username(identity: ProviderIdentity) -> str:
    """A stable user name that says nothing about the person (never the ID number)."""
    return f"sso-{identity.subject_digest}"


def _staff(identity: ProviderIdentity, link: ProviderLink | None) -> User:
    _check_assurance(identity)
    if not identity.unit or not identity.region:
        raise errors.SsoError(errors.BAD_CLAIMS)
    unit = selectors.unit_named(identity.unit, identity.region)
    if unit is None:
        raise errors.SsoError(errors.UNKNOWN_UNIT)
    user = link.user if link is not None else selectors.staff_account(identity.username)
    if user is None or not user.is_active or not user.is_staff_role:
        raise errors.SsoError(errors.NO_STAFF_ACCOUNT)
    own = user.department if user.department_id else user.venue
    if own is None or own._meta.label_lower != unit._meta.label_lower or own.pk != unit.pk:
        raise errors.SsoError(errors.UNIT_MISMATCH)
    return user


@transaction.atomic
def record_refusal(*, identity: ProviderIdentity | None, code: str) -> None:
    """A refused unified login, audited without the person's number or name."""
    record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        event_type="sso.refused",
        summary=code,
        extra={
            "code": code,
            "issuer": identity.issuer if identity else "",
            "subject": identity.subject_digest if identity and identity.subject else "",
            "account_type": identity.account_type if identity else "",
            "assurance": identity.assurance if identity else 0,
        },
    )


@transaction.atomic
def record_logout(*, user: User, at_provider: bool) -> None:
    record(
        actor=user,
        action=AuditAction.LOGOUT,
        event_type="account.logout",
        obj=user,
        extra={"method": VerificationMethod.OIDC.value, "at_provider": at_provider},
    )


@transaction.atomic
def record_refresh_failed(*, user: User, reason: str) -> None:
    """The provider would not renew the session's tokens: the local session ends too."""
    record(
        actor=user,
        action=AuditAction.LOGOUT,
        event_type="sso.refresh_failed",
        obj=user,
        summary=reason[:100],
    )
