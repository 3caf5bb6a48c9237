"""What the unified login says about a person, read from its claims into one value object.

Claims (besides ``sub``): ``account_type`` (citizen | enterprise | staff), ``realname_verified``,
``acr`` (the provider's assurance; ``BANHAO_OIDC_ACR_LEVELS`` maps it to 1-3), ``name``,
``id_number``; enterprises also ``credit_code``, ``enterprise_name``, ``authority``
(legal_representative | authorised_agent); staff ``preferred_username``, ``unit`` (the unit's
name as in the gazette) and ``region`` (its division code or name).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.crypto import salted_hmac

CITIZEN, ENTERPRISE, STAFF = "citizen", "enterprise", "staff"
ACCOUNT_TYPES = frozenset({CITIZEN, ENTERPRISE, STAFF})


@dataclass(frozen=True)
class ProviderIdentity:
    issuer: str
    subject: str
    account_type: str
    verified: bool
    assurance: int  # 0 when the provider's acr is unknown here
    name: str = ""
    id_number: str = ""
    credit_code: str = ""
    enterprise_name: str = ""
    authority: str = ""
    username: str = ""
    unit: str = ""
    region: str = ""

    @property
    def subject_digest(self) -> str:
        """What the audit log keeps of the subject: some providers use the ID number as it."""
        return salted_hmac("banhao.sso.subject", f"{self.issuer}|{self.subject}").hexdigest()[:16]


def _text(claims: Mapping[str, Any], name: str, limit: int = 200) -> str:
    # Too long is as unreadable as missing: an identifier is never cut to a plausible one.
    value = claims.get(name)
    if not isinstance(value, str) or len(value.strip()) > limit:
        return ""
    return value.strip()


def assurance_of(acr: str) -> int:
    return int(settings.BANHAO_OIDC_ACR_LEVELS.get(acr, 0))


def read(issuer: str, claims: Mapping[str, Any]) -> ProviderIdentity:
    """Bounded strings only: a missing or odd claim reads as empty, never as an error here."""
    verified = claims.get("realname_verified")
    return ProviderIdentity(
        issuer=issuer,
        subject=_text(claims, "sub", 255),
        account_type=_text(claims, "account_type", 20),
        verified=verified is True or verified == "true",
        assurance=assurance_of(_text(claims, "acr", 100)),
        name=_text(claims, "name", 100),
        id_number=_text(claims, "id_number", 18),
        credit_code=_text(claims, "credit_code", 18),
        enterprise_name=_text(claims, "enterprise_name", 200),
        authority=_text(claims, "authority", 24),
        username=_text(claims, "preferred_username", 150),
        unit=_text(claims, "unit", 100),
        region=_text(claims, "region", 64),
    )
