"""The link between a local account and an identity at the province's unified login."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ProviderLink(models.Model):
    """One provider identity (issuer + subject) signs in to one local account, always the same
    one: the link never follows a user name, an e-mail or a typed number."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="provider_links",
        verbose_name=_("account"),
    )
    issuer = models.CharField(_("issuer"), max_length=200)
    subject = models.CharField(_("subject identifier"), max_length=255)
    created_at = models.DateTimeField(_("linked"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("last login"), null=True, blank=True)

    class Meta:
        verbose_name = _("unified login link")
        verbose_name_plural = _("unified login links")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="sso_link_unique_issuer_subject"
            ),
            # One link per provider for an account: a second identity never takes it over.
            models.UniqueConstraint(fields=["user", "issuer"], name="sso_link_one_per_issuer"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.issuer}"
