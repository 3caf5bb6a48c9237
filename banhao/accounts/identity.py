"""Real-name identity of public accounts: the vocabulary, and the one read every holder page uses.

A citizen or enterprise account types an ID number or credit code when it registers. That is
only a CLAIM: it opens nothing. The account's ``id_number`` / ``credit_code`` are written only
when the identity is VERIFIED (in person at a window, or by the province's unified login), so
every read that keys an archive, a prefill or a grant on them sees verified identities only.
``holder_key`` is the explicit form of that rule for holder-facing reads.

Claims are kept as a keyed digest plus a masked form, never the typed number: a squatter's
typed number is someone else's ID, and it is not stored in clear a second time.
"""

from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from banhao.core import masking

_DIGEST_SALT = "banhao.accounts.identity-claim"


class IdentityKind(models.TextChoices):
    PERSON = "person", _("Person (ID number)")
    ENTERPRISE = "enterprise", _("Enterprise (credit code)")


class ClaimState(models.TextChoices):
    PENDING = "pending", _("Claimed, not verified")  # typed at registration, opens nothing
    VERIFIED = "verified", _("Verified")  # the holder proved it; the account now carries it
    VOIDED = "voided", _("Voided")  # the real holder verified it on another account


class VerificationMethod(models.TextChoices):
    IN_PERSON = "in_person", _("In person at a service window")
    OIDC = "oidc", _("Provincial unified login")


class AssuranceLevel(models.IntegerChoices):
    # Self-asserted (a typed number): never enough to open an archive.
    LOW = 1, _("Low (self-asserted)")
    # Checked remotely by the unified login (e.g. face match against the ID card photo).
    SUBSTANTIAL = 2, _("Substantial (remote real-name check)")
    # The document itself checked by a person.
    HIGH = 3, _("High (document checked in person)")


# The least assurance that opens an archive, its prefill and its grants.
MIN_HOLDER_ASSURANCE = AssuranceLevel.SUBSTANTIAL


class DocumentType(models.TextChoices):
    RESIDENT_ID_CARD = "resident_id_card", _("Resident identity card")
    TEMPORARY_ID_CARD = "temporary_id_card", _("Temporary resident identity card")
    BUSINESS_LICENCE = "business_licence", _("Business licence")


PERSON_DOCUMENTS = frozenset({DocumentType.RESIDENT_ID_CARD, DocumentType.TEMPORARY_ID_CARD})
ENTERPRISE_DOCUMENTS = frozenset({DocumentType.BUSINESS_LICENCE})


class Authority(models.TextChoices):
    """Who acts for an enterprise account."""

    LEGAL_REPRESENTATIVE = "legal_representative", _("Legal representative")
    AUTHORISED_AGENT = "authorised_agent", _("Authorised agent (power of attorney)")


def claim_digest(identifier: str) -> str:
    """A keyed digest of an ID number or credit code: equal numbers match, the number itself
    cannot be read back without the site's secret key."""
    return salted_hmac(_DIGEST_SALT, identifier.strip().upper(), algorithm="sha256").hexdigest()


def mask_identifier(kind: str, identifier: str) -> str:
    if kind == IdentityKind.PERSON:
        return masking.mask_id_number(identifier)
    return masking.mask_credit_code(identifier)


def is_verified(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.identity_verified_at is not None
        and (user.identity_assurance or 0) >= MIN_HOLDER_ASSURANCE
    )


def holder_key(user) -> str:
    """The ID number or credit code whose archive, prefill and grants this account may open:
    its verified identifier, or "" for an unverified, staff or anonymous account."""
    if not is_verified(user):
        return ""
    return user.id_number or user.credit_code


def may_verify(user) -> bool:
    """Who verifies identities in person: a window clerk of a service venue (who has the
    person and their document in front of them)."""
    from .roles import Role

    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.role == Role.WINDOW_CLERK
        and user.venue_id
    )


def account_for_verification(username: str):
    """The public account a clerk looks up by the user name its holder tells them."""
    from .models import User
    from .roles import PUBLIC_ROLES

    return User.objects.filter(
        username=username.strip(), role__in=sorted(PUBLIC_ROLES), is_active=True
    ).first()


def account_for_verification_by_pk(pk: int):
    from .models import User
    from .roles import PUBLIC_ROLES

    return User.objects.filter(pk=pk, role__in=sorted(PUBLIC_ROLES), is_active=True).first()


def pending_claim(user):
    from .models import IdentityClaim

    return IdentityClaim.objects.filter(user=user, state=ClaimState.PENDING).first()


def masked_summary(user) -> dict:
    """What a clerk sees of an account before and while verifying it: masked only."""
    return {
        "username": user.username,
        "role": user.get_role_display(),
        "name": masking.mask_name(user.full_name),
        "organisation": user.organisation_name,
        "phone": masking.mask_phone(user.phone),
        "registered": user.date_joined,
    }
