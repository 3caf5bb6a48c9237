"""Archives: one record per person (一人一档) and per enterprise (一企一档).

Identifiers are stored compact (18 characters, upper case) and validated with python-stdnum
through ``banhao.core.identifiers`` wherever they enter the system.
"""

from django.conf import settings
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
    # The address in the household register (户籍地址), where it differs from where they live.
    hukou_address = models.CharField(_("household register address"), max_length=200, blank=True)
    # Family links, for prefilling forms (a newborn's parents, a marriage's spouse).
    spouse = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("spouse"),
    )
    mother = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("mother"),
    )
    father = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("father"),
    )
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


def one_holder(name: str) -> models.CheckConstraint:
    """Rows held in an archive belong to exactly one person or one enterprise."""
    return models.CheckConstraint(
        condition=models.Q(person__isnull=True, enterprise__isnull=False)
        | models.Q(person__isnull=False, enterprise__isnull=True),
        name=name,
    )


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
            one_holder("archives_benefit_one_holder"),
            models.UniqueConstraint(
                fields=["source", "source_ref"],
                condition=~models.Q(source_ref=""),
                name="archives_benefit_source_once",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class LicenceHolder(models.TextChoices):
    """Whose archive a licence issued by a one-thing task lands in."""

    APPLICANT = "applicant", _("The applicant")
    ENTERPRISE = "enterprise", _("The applying enterprise")
    CHILD = "child", _("The newborn child")


class LicenceType(models.Model):
    """A kind of licence or certificate (证照) the platform issues or knows about."""

    code = models.SlugField(_("code"), max_length=48, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=160, blank=True)
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issuing department"),
    )
    # Days a licence stays valid from its issue; empty: it does not expire.
    validity_days = models.PositiveIntegerField(_("validity (days)"), null=True, blank=True)
    # Days before expiry at which the holder is reminded, e.g. [90, 30, 7].
    reminder_offsets = models.JSONField(_("reminders (days before expiry)"), default=list)
    # The service item whose approved result is a licence of this type.
    item = models.OneToOneField(
        "catalog.ServiceItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="licence_type",
        verbose_name=_("issuing service item"),
    )
    holder = models.CharField(
        _("holder"), max_length=12, choices=LicenceHolder.choices, default=LicenceHolder.APPLICANT
    )
    # The licence number is the holder's own ID number (e.g. a newborn's birth registration).
    number_identifies_holder = models.BooleanField(default=False)
    # A new licence of this type supersedes the holder's current one (False: one per vehicle…).
    one_current = models.BooleanField(_("one current licence per holder"), default=True)
    renewal_onething = models.ForeignKey(
        "catalog.OneThing",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("renewed through"),
    )
    # Questionnaire answers a renewal starts with, e.g. {"has_business_licence": "yes"}.
    renewal_answers = models.JSONField(default=dict, blank=True)
    # The form field that carries the licence's number on a renewal, if the form has one.
    number_field = models.CharField(max_length=48, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("licence type")
        verbose_name_plural = _("licence types")

    def __str__(self) -> str:
        return self.name


class LicenceState(models.TextChoices):
    CURRENT = "current", _("Current")  # in force
    SUPERSEDED = "superseded", _("Superseded")  # replaced by a renewal
    REVOKED = "revoked", _("Revoked")  # withdrawn by the issuing department


class LicenceSource(models.TextChoices):
    ONETHING = "onething", _("Issued through a one-thing application")
    IMPORT = "import", _("Imported")
    MANUAL = "manual", _("Recorded by staff")


class Licence(models.Model):
    """A licence or certificate held by one person or enterprise.

    Written by ``archives.services`` only. A licence from a one-thing task is recorded once per
    task (source + reference); a renewal supersedes the holder's current licence of its type.
    """

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="licences"
    )
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, null=True, blank=True, related_name="licences"
    )
    licence_type = models.ForeignKey(
        LicenceType, on_delete=models.PROTECT, related_name="licences", verbose_name=_("type")
    )
    number = models.CharField(_("number"), max_length=64)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=LicenceState.choices, default=LicenceState.CURRENT
    )
    source = models.CharField(_("source"), max_length=12, choices=LicenceSource.choices)
    # For one-thing results the task's id; for imports the import's row key.
    source_ref = models.CharField(_("source reference"), max_length=64, blank=True)
    application = models.ForeignKey(
        "onething.Application",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("application"),
    )
    superseded_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The smallest reminder offset already sent (reminders go out once each, most urgent last).
    reminded_offset = models.PositiveSmallIntegerField(null=True, blank=True)
    # The one-thing application started from this licence's renewal reminder.
    renewal_application = models.ForeignKey(
        "onething.Application",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The department that issued it (its type's department at the time of issue).
    issuer = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    # The electronic licence (电子证照, ADR 0016): an opaque random token names its public
    # verification page; the signature covers ``archives.signing.canonical`` of the row.
    token = models.CharField(max_length=32, unique=True, null=True, blank=True)
    # Keys the digest of the holder's identifier in the signed content (never shown).
    holder_salt = models.CharField(max_length=32, blank=True)
    signature = models.CharField(max_length=128, blank=True)
    signature_algorithm = models.CharField(max_length=24, blank=True)
    # ``SigningKey.key_id`` of the key that signed it.
    key_id = models.CharField(max_length=16, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revocation_reason = models.CharField(_("reason for revocation"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        constraints = [
            one_holder("archives_licence_one_holder"),
            models.UniqueConstraint(
                fields=["source", "source_ref"],
                condition=~models.Q(source_ref=""),
                name="archives_licence_source_once",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "state"], name="archives_lic_person"),
            models.Index(fields=["enterprise", "state"], name="archives_lic_enterprise"),
            # The reminder job reads current licences by expiry date.
            models.Index(fields=["state", "expires_on"], name="archives_lic_expiry"),
            models.Index(fields=["renewal_application"], name="archives_lic_renewal"),
        ]

    def __str__(self) -> str:
        return f"{self.licence_type} {self.number}"

    @property
    def holder(self):
        return self.person or self.enterprise


class SigningKey(models.Model):
    """A public key that signs (or signed) electronic licences. The private key lives outside
    the database (``BANHAO_LICENCE_KEY_FILE``); public keys stay here after a rotation so that
    licences signed before it still verify."""

    # The first 16 hex digits of the SHA-256 of the DER public key.
    key_id = models.CharField(max_length=16, unique=True)
    algorithm = models.CharField(max_length=24)
    public_key_pem = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("licence signing key")
        verbose_name_plural = _("licence signing keys")

    def __str__(self) -> str:
        return self.key_id


class PurposeKind(models.TextChoices):
    APPLICATION = "application", _("An application I am handling")
    TICKET = "ticket", _("A hotline ticket I am handling")
    OTHER = "other", _("Other purpose (describe it)")


class ArchiveAccess(models.Model):
    """A staff member's recorded purpose for opening one archive; valid for a working session."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("purpose"), max_length=12, choices=PurposeKind.choices)
    reference = models.CharField(_("reference"), max_length=200)
    # Whether the purpose needs full identifiers (a matching application or ticket does).
    reveals_identifiers = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    valid_until = models.DateTimeField()

    class Meta:
        ordering = ["-id"]
        constraints = [
            one_holder("archives_access_one_holder"),
        ]
        indexes = [
            models.Index(fields=["actor", "person", "-valid_until"], name="archives_acc_person"),
            models.Index(
                fields=["actor", "enterprise", "-valid_until"], name="archives_acc_enterprise"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id}: {self.get_kind_display()} {self.reference}"

    @property
    def purpose_text(self) -> str:
        return f"{self.get_kind_display()}: {self.reference}"
