"""Machine clients: department systems and the city/province platforms calling the API with an
OAuth2 client-credentials token (docs/adr/0018-machine-clients-and-exchange.md)."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MachineClient(models.Model):
    """A calling system: what it may do (``scopes``), for which unit and region. It acts
    through its service account (an inactive user of the client's department that no one can
    sign in as), so the one-thing services check its unit as they check a handler's."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    region = models.ForeignKey(
        "org.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
    )
    scopes = models.JSONField(_("allowed operations"), default=list)
    service_user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="machine_client"
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("machine client")
        verbose_name_plural = _("machine clients")

    def __str__(self) -> str:
        return self.code


class Credential(models.Model):
    """One client id and (hashed) secret: a DOT ``Application``. Rotation issues a new one and
    gives the old one ``valid_until``; until then both obtain tokens."""

    client = models.ForeignKey(MachineClient, on_delete=models.CASCADE, related_name="credentials")
    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="machine_credential",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("credential")
        verbose_name_plural = _("credentials")

    def __str__(self) -> str:
        return f"{self.client_id}: {self.application_id}"

    def is_usable(self, now: dt.datetime) -> bool:
        return self.client.is_active and (self.valid_until is None or self.valid_until > now)


class MachineCall(models.Model):
    """One API call of a machine client, allowed or refused: which client and credential, the
    operation and the object's id. Never personal data (ids only; the URL route, not the URL)."""

    client = models.ForeignKey(MachineClient, on_delete=models.PROTECT, related_name="calls")
    client_id_used = models.CharField(max_length=100)
    scope = models.CharField(max_length=40)
    operation = models.CharField(max_length=200)
    object_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=40)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("machine call")
        verbose_name_plural = _("machine calls")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.client_id} {self.operation} {self.outcome}"
