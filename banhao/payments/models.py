"""Payment convenience (源政办发〔2024〕7号): the plan's targets for the end of 2024."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MetricKind(models.TextChoices):
    COVERAGE_PERCENT = "coverage_percent", _("Coverage reaches a percentage")
    FULL_COVERAGE = "full_coverage", _("Full coverage")
    ON_DEMAND = "on_demand", _("Supplied on demand")
    MIN_COUNT = "min_count", _("At least a number of places")


class PaymentTarget(models.Model):
    """One of the plan's four targets (总体要求), kept as written."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.TextField(_("text as written"))
    text_en = models.TextField(_("English text"), blank=True)
    metric = models.CharField(_("metric"), max_length=20, choices=MetricKind.choices)
    # Percentage for coverage, count for min_count; empty for on-demand targets.
    threshold = models.DecimalField(
        _("threshold"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    # What the target covers, as written: banks, place types, and so on.
    scope = models.JSONField(_("scope as written"), default=list, blank=True)
    scope_en = models.JSONField(_("English scope"), default=list, blank=True)
    deadline = models.DateField(_("deadline"))
    deadline_as_written = models.CharField(_("deadline as written"), max_length=32)
    source = models.CharField(_("source document"), max_length=64)

    class Meta:
        ordering = ["position"]
        verbose_name = _("payment target")
        verbose_name_plural = _("payment targets")

    def __str__(self) -> str:
        return self.code
