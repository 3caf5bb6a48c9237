"""Archives: one record per person (一人一档) and per enterprise (一企一档).

Identifiers are stored compact (18 characters, upper case) and validated with python-stdnum
through ``banhao.core.identifiers`` wherever they enter the system.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    # Follows the resident ID number: odd sequence digit for men, even for women.
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Industry(models.TextChoices):
    """Sections of the national industry classification GB/T 4754-2017."""

    AGRICULTURE = "A", _("Agriculture, forestry, animal husbandry and fishery")
    MINING = "B", _("Mining")
    MANUFACTURING = "C", _("Manufacturing")
    UTILITIES = "D", _("Electricity, heat, gas and water production and supply")
    CONSTRUCTION = "E", _("Construction")
    TRADE = "F", _("Wholesale and retail trade")
    TRANSPORT = "G", _("Transport, storage and postal services")
    HOSPITALITY = "H", _("Accommodation and catering")
    IT = "I", _("Information transmission, software and information technology services")
    FINANCE = "J", _("Finance")
    REAL_ESTATE = "K", _("Real estate")
    BUSINESS_SERVICES = "L", _("Leasing and business services")
    RESEARCH = "M", _("Scientific research and technical services")
    ENVIRONMENT = "N", _("Water conservancy, environment and public facilities management")
    RESIDENT_SERVICES = "O", _("Resident services, repair and other services")
    EDUCATION = "P", _("Education")
    HEALTH = "Q", _("Health and social work")
    CULTURE = "R", _("Culture, sports and entertainment")
    PUBLIC_ADMINISTRATION = (
        "S",
        _("Public administration, social security and social organisations"),
    )
    INTERNATIONAL = "T", _("International organisations")


class Person(models.Model):
    """A resident's archive (一人一档)."""

    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=32)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("date of birth"))
    phone = models.CharField(_("mobile phone"), max_length=11, blank=True)
    township = models.ForeignKey(
        "org.Region",
        on_delete=models.PROTECT,
        related_name="persons",
        verbose_name=_("township"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("person archive")
        verbose_name_plural = _("person archives")
        indexes = [
            # Window clerks and hotline operators look people up by name or phone;
            # policy rules (e.g. elderly allowances) select by age within a township.
            models.Index(fields=["name"], name="archives_person_name_idx"),
            models.Index(fields=["phone"], name="archives_person_phone_idx"),
            models.Index(fields=["township", "birth_date"], name="archives_person_town_birth"),
        ]

    def __str__(self) -> str:
        return self.name


class Enterprise(models.Model):
    """An enterprise's archive (一企一档)."""

    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=100)
    legal_representative = models.CharField(_("legal representative"), max_length=32)
    legal_representative_id = models.CharField(_("legal representative's ID number"), max_length=18)
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices)
    registered_capital = models.DecimalField(
        _("registered capital (10,000 yuan)"), max_digits=14, decimal_places=4
    )
    established_on = models.DateField(_("date established"))
    headcount = models.PositiveIntegerField(_("headcount"), default=0)
    # Operating facts of the last full fiscal year, as reported to tax and statistics offices;
    # policy rules (惠企政策) select on them. 10,000 yuan, like registered capital.
    facts_year = models.PositiveSmallIntegerField(
        _("fiscal year of the facts"), null=True, blank=True
    )
    annual_revenue = models.DecimalField(
        _("annual revenue (10,000 yuan)"), max_digits=14, decimal_places=2, default=0
    )
    tax_paid = models.DecimalField(
        _("tax paid (10,000 yuan)"), max_digits=14, decimal_places=2, default=0
    )
    rd_spending = models.DecimalField(
        _("R&D spending (10,000 yuan)"), max_digits=14, decimal_places=2, default=0
    )
    is_high_tech = models.BooleanField(_("certified high-tech enterprise"), default=False)
    township = models.ForeignKey(
        "org.Region",
        on_delete=models.PROTECT,
        related_name="enterprises",
        verbose_name=_("township"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("enterprise archive")
        verbose_name_plural = _("enterprise archives")
        indexes = [
            models.Index(fields=["name"], name="archives_ent_name_idx"),
            # A person's archive lists the enterprises they represent.
            models.Index(fields=["legal_representative_id"], name="archives_ent_legal_rep_idx"),
            # Policy rules select enterprises by industry within a township.
            models.Index(fields=["township", "industry"], name="archives_ent_town_industry"),
        ]

    def __str__(self) -> str:
        return self.name


class BenefitSource(models.TextChoices):
    POLICY = "policy", _("Policy grant")
    IMPORT = "import", _("Imported")
    MANUAL = "manual", _("Recorded by staff")


class Benefit(models.Model):
    """A benefit a person or enterprise received (subsidy, allowance, tax relief, award).

    Exactly one holder. Written by ``archives.services.record_benefit`` only; the source and its
    reference (e.g. a policy grant's id) make a benefit traceable and recordable only once.
    """

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="benefits"
    )
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, null=True, blank=True, related_name="benefits"
    )
    title = models.CharField(_("benefit"), max_length=200)
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    granted_on = models.DateField(_("granted on"))
    granted_by = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    source = models.CharField(_("source"), max_length=16, choices=BenefitSource.choices)
    source_ref = models.CharField(_("source reference"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-granted_on", "-id"]
        verbose_name = _("benefit")
        verbose_name_plural = _("benefits")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=True, enterprise__isnull=False)
                | models.Q(person__isnull=False, enterprise__isnull=True),
                name="archives_benefit_one_holder",
            ),
            models.UniqueConstraint(
                fields=["source", "source_ref"],
                condition=~models.Q(source_ref=""),
                name="archives_benefit_source_once",
            ),
        ]

    def __str__(self) -> str:
        return self.title
