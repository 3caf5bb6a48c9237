"""User accounts: one role each; staff belong to one department or venue."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from banhao.core import masking

from .roles import DEPARTMENT_ROLES, PUBLIC_ROLES, STAFF_ROLES, VENUE_ROLES, Role


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=24, choices=Role.choices, default=Role.CITIZEN)
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    # Citizens: resident identity card number (18 characters, validated with python-stdnum).
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    # Enterprises: unified social credit code (18 characters, validated with python-stdnum).
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
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
            models.UniqueConstraint(
                fields=["id_number"],
                condition=~models.Q(id_number=""),
                name="accounts_user_unique_id_number",
            ),
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="accounts_user_unique_credit_code",
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
