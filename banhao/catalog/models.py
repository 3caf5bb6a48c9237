"""Service items (事项) and one-thing bundles (一件事), seeded from Annex 2 of 源政发〔2024〕1号.

Annex 2 lists, per one-thing, its provincial, city and county lead departments and a row per
service item with the city and county responsible departments. The same item name can appear in
two one-things with different departments (e.g. 统筹相关申请核查信息的受理、分派、汇总和结果送达 in
one-things 6 and 7), so:

- ``ServiceItem`` is one administrative service handled by one county department;
- ``OneThingItem`` is one row of the annex: which item, at which position, and the city and
  county responsible departments as resolved and as written.

Every department reference keeps the gazette's spelling beside the resolved ``Department`` so
the transcription stays testable (e.g. one-thing 5's county lead is written 县发展改革局 and its
first row's county responsible unit 县发展改革委; both resolve to one department).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    """The 阶段 column of Annex 2."""

    ENTRY = "entry", _("Market entry and licensing")  # 准入准营
    OPERATION = "operation", _("Operation and growth")  # 经营发展
    EXIT = "exit", _("Deregistration and exit")  # 注销退出
    BIRTH = "birth", _("Birth")  # 出生
    SCHOOLING = "schooling", _("School enrolment")  # 入学
    LIVING = "living", _("Daily life")  # 生活
    RETIREMENT = "retirement", _("Retirement")  # 退休


class Audience(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprises")  # (一) 企业事项
    INDIVIDUAL = "individual", _("Individuals")  # (二) 个人事项


class ServiceItem(models.Model):
    """One administrative service (事项), handled by one county department."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="service_items",
        verbose_name=_("handling department"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        constraints = [
            models.UniqueConstraint(
                fields=["name", "department"], name="catalog_serviceitem_unique_name_per_dept"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OneThing(models.Model):
    """A bundle of items that one life or business event needs (一件事)."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, blank=True)
    stage_as_written = models.CharField(_("stage as written"), max_length=16, blank=True)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices, blank=True)
    province_lead = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="onethings_as_province_lead",
        verbose_name=_("provincial lead department"),
    )
    province_lead_as_written = models.CharField(
        _("provincial lead as written"), max_length=64, blank=True
    )
    city_lead = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="onethings_as_city_lead",
        verbose_name=_("city lead department"),
    )
    city_lead_as_written = models.CharField(_("city lead as written"), max_length=64, blank=True)
    county_lead = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="onethings_as_county_lead",
        verbose_name=_("county lead department"),
    )
    county_lead_as_written = models.CharField(
        _("county lead as written"), max_length=64, blank=True
    )
    service_items = models.ManyToManyField(
        ServiceItem, through="OneThingItem", related_name="onethings", blank=True
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("one-thing")
        verbose_name_plural = _("one-things")

    def __str__(self) -> str:
        return self.name


class OneThingItem(models.Model):
    """One row of Annex 2: a service item inside a one-thing, with its responsible units."""

    onething = models.ForeignKey(
        OneThing, on_delete=models.CASCADE, related_name="items", verbose_name=_("one-thing")
    )
    item = models.ForeignKey(
        ServiceItem,
        on_delete=models.PROTECT,
        related_name="onething_rows",
        verbose_name=_("service item"),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    city_responsible = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("city responsible department"),
    )
    city_responsible_as_written = models.CharField(_("city responsible as written"), max_length=64)
    county_responsible = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="onething_rows",
        verbose_name=_("county responsible department"),
    )
    county_responsible_as_written = models.CharField(
        _("county responsible as written"), max_length=64
    )

    class Meta:
        ordering = ["onething__number", "position"]
        verbose_name = _("one-thing item")
        verbose_name_plural = _("one-thing items")
        constraints = [
            models.UniqueConstraint(
                fields=["onething", "position"], name="catalog_onethingitem_unique_position"
            ),
            models.UniqueConstraint(
                fields=["onething", "item"], name="catalog_onethingitem_unique_item"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.onething.number}.{self.position} {self.item.name}"
