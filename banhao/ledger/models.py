"""The key-task ledger (台账), seeded from Annex 1 of 源政发〔2024〕1号.

Annex 1 lists the county's key tasks for the year: category (类别), item (事项), annual goal
(年度目标任务), numbered measures (推进措施), deadline (完成时限) and lead units (牵头单位).
The deadline is kept as written ("2024年9月") and as the last day of that month.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class KeyTask(models.Model):
    """One row of Annex 1 (年度重点任务)."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    category = models.CharField(_("category"), max_length=64)
    category_en = models.CharField(_("English category"), max_length=160, blank=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    annual_goal = models.TextField(_("annual goal"))
    annual_goal_en = models.TextField(_("English annual goal"), blank=True)
    deadline = models.DateField(_("deadline"))
    deadline_as_written = models.CharField(_("deadline as written"), max_length=32)
    lead_units = models.ManyToManyField(
        "org.Department",
        through="KeyTaskLeadUnit",
        related_name="key_tasks_led",
        verbose_name=_("lead units"),
    )
    lead_units_as_written = models.CharField(_("lead units as written"), max_length=200)
    remarks = models.TextField(_("remarks"), blank=True)  # 备注

    class Meta:
        ordering = ["number"]
        verbose_name = _("key task")
        verbose_name_plural = _("key tasks")

    def __str__(self) -> str:
        return self.name


class KeyTaskLeadUnit(models.Model):
    """A lead unit of a key task, in the gazette's order and spelling."""

    key_task = models.ForeignKey(KeyTask, on_delete=models.CASCADE, related_name="lead_unit_links")
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    as_written = models.CharField(_("as written"), max_length=64)

    class Meta:
        ordering = ["key_task__number", "position"]
        verbose_name = _("key-task lead unit")
        verbose_name_plural = _("key-task lead units")
        constraints = [
            models.UniqueConstraint(
                fields=["key_task", "position"], name="ledger_leadunit_unique_position"
            ),
            models.UniqueConstraint(
                fields=["key_task", "department"], name="ledger_leadunit_unique_department"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key_task.number}: {self.as_written}"


class KeyTaskMeasure(models.Model):
    """One measure (推进措施) of a key task, numbered as in the gazette."""

    key_task = models.ForeignKey(
        KeyTask, on_delete=models.CASCADE, related_name="measures", verbose_name=_("key task")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    # Key task 10 has a single measure printed without a number.
    is_numbered = models.BooleanField(_("numbered in the gazette"), default=True)
    text = models.TextField(_("text"))
    text_en = models.TextField(_("English text"), blank=True)

    class Meta:
        ordering = ["key_task__number", "number"]
        verbose_name = _("key-task measure")
        verbose_name_plural = _("key-task measures")
        constraints = [
            models.UniqueConstraint(
                fields=["key_task", "number"], name="ledger_measure_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key_task.number}.{self.number}"
