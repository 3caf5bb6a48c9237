"""Batches received from the exchange platform (数据共享交换平台): persons, enterprises and
licences, by API or file drop (docs/adr/0018-machine-clients-and-exchange.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchKind(models.TextChoices):
    PERSONS = "persons", _("Persons")
    ENTERPRISES = "enterprises", _("Enterprises")
    LICENCES = "licences", _("Licences")


class BatchState(models.TextChoices):
    # Written: binding for its batch id (re-sent alike, it answers this; different, refused).
    IMPORTED = "imported", _("Imported")
    # Some row had an error; nothing was written. The sender may fix and send it again.
    FAILED = "failed", _("Failed")


class BatchChannel(models.TextChoices):
    API = "api", _("API")
    FILE = "file", _("File drop")


class ImportBatch(models.Model):
    source = models.CharField(_("source system"), max_length=64)
    batch_id = models.CharField(_("batch id"), max_length=64)
    kind = models.CharField(_("kind"), max_length=12, choices=BatchKind.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=BatchChannel.choices)
    client = models.ForeignKey(
        "clients.MachineClient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("machine client"),
    )
    # SHA-256 of the batch's kind and rows in canonical JSON: what "the same batch" means.
    checksum = models.CharField(_("checksum"), max_length=64)
    state = models.CharField(_("state"), max_length=10, choices=BatchState.choices)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    # [{"line": 3, "key": "…", "messages": ["…"]}], every row's errors (keys are natural keys:
    # staff-only, never logged).
    errors = models.JSONField(_("row errors"), default=list)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), auto_now=True)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "batch_id"], name="exchange_batch_unique")
        ]

    def __str__(self) -> str:
        return f"{self.source}/{self.batch_id}"
