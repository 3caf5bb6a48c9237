"""User accounts: one role each; staff belong to one department or venue. Public accounts carry
an ID number or credit code only once their real-name identity is verified (``identity.py``)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from banhao.core import masking

from .identity import (
    AssuranceLevel,
    Authority,
    ClaimState,
    DocumentType,
    IdentityKind,
    VerificationMethod,
)
from .roles import DEPARTMENT_ROLES, PUBLIC_ROLES, STAFF_ROLES, VENUE_ROLES, Role


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=24, choices=Role.choices, default=Role.CITIZEN)
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    # Citizens: resident identity card number (18 characters, validated with python-stdnum).
    # Set only by accounts.services.verify_identity: an account carries it once VERIFIED; what
    # was typed at registration is an IdentityClaim.
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    # Enterprises: unified social credit code (18 characters, validated with python-stdnum).
    # Verified only, like id_number.
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    identity_verified_at = models.DateTimeField(_("identity verified"), null=True, blank=True)
    identity_method = models.CharField(
        _("verified by"), max_length=16, choices=VerificationMethod.choices, blank=True
    )
    identity_assurance = models.PositiveSmallIntegerField(
        _("assurance level"), choices=AssuranceLevel.choices, null=True, blank=True
    )
    organisation_name = models.CharField(_("enterprise name"), max_length=200, blank=True)
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("department"),
    )
    venue = models.ForeignKey(
        "org.Venue",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("venue"),
    )
    large_text = models.BooleanField(_("large text"), default=False)
    preferred_language = models.CharField(_("language"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # One verified account per identity; claims (IdentityClaim) are not unique, so a
            # squatter's claim never blocks the real holder.
            models.UniqueConstraint(
                fields=["id_number"],
                condition=~models.Q(id_number="") & models.Q(identity_verified_at__isnull=False),
                name="accounts_user_unique_verified_id_number",
            ),
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code="") & models.Q(identity_verified_at__isnull=False),
                name="accounts_user_unique_verified_credit_code",
            ),
            # An identifier on the account means a verified identity, never a typed one.
            models.CheckConstraint(
                condition=models.Q(id_number="", credit_code="")
                | models.Q(identity_verified_at__isnull=False),
                name="accounts_user_identifier_only_when_verified",
            ),
            # Department staff must name their department; window clerks their venue.
            models.CheckConstraint(
                condition=~models.Q(role__in=sorted(DEPARTMENT_ROLES))
                | models.Q(department__isnull=False),
                name="accounts_user_department_staff_have_department",
            ),
            models.CheckConstraint(
                condition=~models.Q(role__in=sorted(VENUE_ROLES)) | models.Q(venue__isnull=False),
                name="accounts_user_clerks_have_venue",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.organisation_name or self.full_name or self.username

    @property
    def is_public(self) -> bool:
        return self.role in PUBLIC_ROLES

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_identity_verified(self) -> bool:
        return self.identity_verified_at is not None

    @property
    def masked_id_number(self) -> str:
        return masking.mask_id_number(self.id_number)

    @property
    def masked_credit_code(self) -> str:
        return masking.mask_credit_code(self.credit_code)

    @property
    def masked_phone(self) -> str:
        return masking.mask_phone(self.phone)

    @property
    def unit_label(self) -> str:
        unit = self.department or self.venue
        return str(unit) if unit else ""


class IdentityClaim(models.Model):
    """An ID number or credit code typed at registration: a claim, not an identity. Kept as a
    keyed digest (to match the document a clerk checks) and a masked form (to show)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="identity_claims", verbose_name=_("account")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=IdentityKind.choices)
    digest = models.CharField(_("digest"), max_length=64)
    masked = models.CharField(_("identifier (masked)"), max_length=18)
    state = models.CharField(
        _("state"), max_length=16, choices=ClaimState.choices, default=ClaimState.PENDING
    )
    created_at = models.DateTimeField(_("claimed"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("identity claim")
        verbose_name_plural = _("identity claims")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(state=ClaimState.PENDING),
                name="accounts_claim_one_pending_per_user",
            )
        ]
        indexes = [models.Index(fields=["digest", "state"], name="accounts_claim_digest_idx")]

    def __str__(self) -> str:
        return f"{self.masked} ({self.get_state_display()})"


class IdentityVerification(models.Model):
    """One verification of an account's identity: how, how strongly, by whom, on what
    document, and (enterprises) in what capacity the person acted."""

    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="identity_verifications",
        verbose_name=_("account"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=IdentityKind.choices)
    masked = models.CharField(_("identifier (masked)"), max_length=18)
    method = models.CharField(_("method"), max_length=16, choices=VerificationMethod.choices)
    assurance = models.PositiveSmallIntegerField(
        _("assurance level"), choices=AssuranceLevel.choices
    )
    document_type = models.CharField(
        _("document"), max_length=24, choices=DocumentType.choices, blank=True
    )
    authority = models.CharField(
        _("acting as"), max_length=24, choices=Authority.choices, blank=True
    )
    acting_person = models.CharField(_("person present"), max_length=100, blank=True)
    verified_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    venue = models.ForeignKey(
        "org.Venue",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("venue"),
    )
    created_at = models.DateTimeField(_("verified"), auto_now_add=True)

    class Meta:
        verbose_name = _("identity verification")
        verbose_name_plural = _("identity verifications")
        constraints = [
            # In person means a clerk checked a document; an enterprise names its capacity.
            models.CheckConstraint(
                condition=~models.Q(method=VerificationMethod.IN_PERSON)
                | (models.Q(verified_by__isnull=False) & ~models.Q(document_type="")),
                name="accounts_verification_in_person_has_clerk_and_document",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=IdentityKind.ENTERPRISE) | ~models.Q(authority=""),
                name="accounts_verification_enterprise_has_authority",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.masked} ({self.get_method_display()})"


class IdentityConflict(models.Model):
    """A claim voided because the real holder verified the same identifier on another account:
    flagged for the security administrator, who reviews it here (Django admin)."""

    claim = models.OneToOneField(
        IdentityClaim, on_delete=models.CASCADE, related_name="conflict", verbose_name=_("claim")
    )
    claimant = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="+", verbose_name=_("claiming account")
    )
    holder = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="+", verbose_name=_("verified account")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=IdentityKind.choices)
    masked = models.CharField(_("identifier (masked)"), max_length=18)
    created_at = models.DateTimeField(_("flagged"), auto_now_add=True, db_index=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("identity conflict")
        verbose_name_plural = _("identity conflicts")

    def __str__(self) -> str:
        return f"{self.masked}: {self.claimant} / {self.holder}"
