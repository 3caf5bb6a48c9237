"""Administrative regions, government departments and service venues."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township")
    VILLAGE = "village", _("Village or community")


class RegionKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("Prefecture-level city")
    COUNTY = "county", _("County")
    SUBDISTRICT = "subdistrict", _("Subdistrict")  # 街道
    TOWN = "town", _("Town")  # 镇
    DEV_ZONE = "dev_zone", _("Economic development zone")  # 经济开发区
    VILLAGE = "village", _("Village")  # 村
    COMMUNITY = "community", _("Community")  # 社区


class Region(models.Model):
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)
    # Statutory division code, only where certain (e.g. 370323 for Yiyuan).
    code = models.CharField(_("division code"), max_length=12, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=RegionLevel.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=RegionKind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    sort_order = models.PositiveIntegerField(default=0)
    is_demo = models.BooleanField(
        _("demo data"), default=False, help_text=_("Invented for demonstration; not a real place.")
    )

    class Meta:
        ordering = ["level", "sort_order", "id"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="org_region_unique_name_in_parent"
            ),
            models.UniqueConstraint(
                fields=["code"], condition=~models.Q(code=""), name="org_region_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DepartmentLevel(models.TextChoices):
    PROVINCE = "province", _("Provincial")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township")


class DepartmentKind(models.TextChoices):
    GOVERNMENT = "government", _("People's government or its office")
    AGENCY = "agency", _("Government department")
    PARTY = "party", _("Party committee organ")
    BRANCH = "branch", _("Branch of a higher-level authority")  # e.g. 市医疗保障局沂源分局
    PUBLIC_INSTITUTION = "institution", _("Public institution")
    ENTERPRISE = "enterprise", _("State-owned enterprise or operator")
    FINANCIAL = "financial", _("Financial regulator or bank")
    MASS_ORGANISATION = "mass_org", _("People's organisation")  # e.g. 残联
    OTHER = "other", _("Other")


class Department(models.Model):
    """A unit named in the gazette, kept exactly as written there.

    A name is unique per level: the gazette's collective placeholder
    "设列严重失信主体名单的有关部门" stands at both city and county level (docs/adr/0002).
    Other spellings of the same unit are kept as ``DepartmentAlias`` rows.
    """

    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=160, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=DepartmentLevel.choices)
    kind = models.CharField(
        _("kind"), max_length=16, choices=DepartmentKind.choices, default=DepartmentKind.AGENCY
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departments")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_placeholder = models.BooleanField(
        _("collective placeholder"),
        default=False,
        help_text=_(
            "Stands for whichever real units the text refers to collectively; not one unit."
        ),
    )
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["level", "sort_order", "id"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(
                fields=["level", "name"], name="org_department_unique_name_per_level"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DepartmentAlias(models.Model):
    """Another spelling of a department's name found in the gazette (or a typo in it)."""

    name = models.CharField(_("name as written"), max_length=64, unique=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        related_name="aliases",
        verbose_name=_("department"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department alias")
        verbose_name_plural = _("department aliases")

    def __str__(self) -> str:
        return f"{self.name} → {self.department.name}"


class VenueKind(models.TextChoices):
    COUNTY_CENTRE = "county_centre", _("County government service centre")  # 县政务服务中心
    ENTERPRISE_CENTRE = "enterprise_centre", _("Enterprise service centre")
    TOWN_CENTRE = "town_centre", _("Town (subdistrict) convenience service centre")  # 便民服务中心
    VILLAGE_STATION = "village_station", _("Village (community) convenience service station")
    PARTNER_OUTLET = "partner_outlet", _("Partner outlet (bank, post, retail, medical)")
    HOTLINE_CENTRE = "hotline_centre", _("Citizen complaint centre")


class Venue(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=160, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=VenueKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="venues")
    operator = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="venues",
        verbose_name=_("operating department"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    partner = models.CharField(
        _("partner organisation"), max_length=100, blank=True, help_text=_("For partner outlets.")
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("service venue")
        verbose_name_plural = _("service venues")

    def __str__(self) -> str:
        return self.name
