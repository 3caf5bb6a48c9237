"""Service items (事项) and one-thing bundles (一件事), seeded from Annex 2."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OneThing(models.Model):
    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    county_lead = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return self.name
