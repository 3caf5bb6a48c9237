from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkdayOverride(models.Model):
    """A day whose working status the county sets by hand.

    The chinese-calendar library knows the State Council's schedule up to its last release; for a
    year it does not know yet (or a local adjustment), an administrator records the holidays and
    make-up workdays here. An override always wins over the library.
    """

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("reason"), max_length=64, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
