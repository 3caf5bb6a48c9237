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
