"""Payment convenience (源政办发〔2024〕7号): the register of places and what each accepts, the
plan's targets, inspections with follow-up tasks, and problem reports from the public.

What a place accepts is kept twice: every dated, sourced fact as an append-only
``CapabilityFact`` row (the history), and the current value as a column on ``Place`` (so the
public finder filters with plain indexed columns). Only ``services.capabilities`` writes either
(``record_capabilities``, and ``apply_facts`` for inspections and imports), in one transaction.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .states import EnforcementStatus, HandoffStatus, TaskStatus


class MetricKind(models.TextChoices):
    COVERAGE_PERCENT = "coverage_percent", _("Coverage reaches a percentage")
    FULL_COVERAGE = "full_coverage", _("Full coverage")
    ON_DEMAND = "on_demand", _("Supplied on demand")
    MIN_COUNT = "min_count", _("At least a number of places")


class PaymentTarget(models.Model):
    """One of the plan's four targets (总体要求), kept as written.

    ``rule`` says how coverage is computed from the register (see ``selectors.target_coverage``):
    ``{"kinds": [...], "categories": [...], "banks": [...], "capability": "..."}``; the places
    matching kinds/categories/banks are the population, those whose current value of
    ``capability`` is yes are covered. Administrators may change it (validated in the admin).
    """

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
    rule = models.JSONField(_("coverage rule"), default=dict, blank=True)

    class Meta:
        ordering = ["position"]
        verbose_name = _("payment target")
        verbose_name_plural = _("payment targets")

    def __str__(self) -> str:
        return self.code


class Bank(models.Model):
    """A bank with places in the county. ``department`` is its county branch as an org unit:
    bank staff are department-role accounts of that unit (docs/adr/0007-payments.md)."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name as in the plan"), max_length=40, unique=True)
    full_name = models.CharField(_("full name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=120)
    department = models.OneToOneField(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bank",
        verbose_name=_("county branch (unit)"),
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("bank")
        verbose_name_plural = _("banks")

    def __str__(self) -> str:
        return self.name


class PlaceKind(models.TextChoices):
    MERCHANT = "merchant", _("Merchant or site")  # 重点商户、重点场所
    ATM = "atm", _("ATM")
    BANK_BRANCH = "bank_branch", _("Bank branch")
    SERVICE_STATION = "service_station", _("Payment service station")  # 便民支付服务站
    CONSULTATION_POINT = "consultation_point", _("Payment help desk")  # 支付服务咨询点
    EXCHANGE_POINT = "exchange_point", _("Currency exchange point")  # 外币兑换点 (not a bank)


class Sector(models.TextChoices):
    """The plan's key fields: 食、住、行、游、购、娱、医、学, and finance for banks."""

    FOOD = "food", _("Food and drink")
    LODGING = "lodging", _("Lodging")
    TRANSPORT = "transport", _("Transport")
    TOURISM = "tourism", _("Tourism")
    SHOPPING = "shopping", _("Shopping")
    ENTERTAINMENT = "entertainment", _("Entertainment and culture")
    MEDICAL = "medical", _("Medical care")
    EDUCATION = "education", _("Education")
    FINANCE = "finance", _("Banking and payment services")


class Category(models.TextChoices):
    """The kinds of key place the plan names (任务 (一)1, (四)2)."""

    HOTEL = "hotel", _("Hotel")
    TRANSPORT_HUB = "transport_hub", _("Transport hub")
    TAXI = "taxi", _("Taxi company")
    SCENIC_SPOT = "scenic_spot", _("Scenic spot (3A or above)")
    LARGE_SUPERMARKET = "large_supermarket", _("Large supermarket or mall")
    NIGHT_DISTRICT = "night_district", _("Night-time culture and tourism district")
    CULTURAL_VENUE = "cultural_venue", _("Public cultural venue")
    ENTERTAINMENT_VENUE = "entertainment_venue", _("Entertainment venue")
    HOSPITAL = "hospital", _("Hospital")
    PHARMACY = "pharmacy", _("Pharmacy")
    RESTAURANT = "restaurant", _("Restaurant")
    SHOP = "shop", _("Shop")
    SCHOOL = "school", _("School")
    OTHER = "other", _("Other")


class Capability(models.TextChoices):
    """What a place accepts or offers. Each is a column ``Place.<value>`` (yes / no / unknown)."""

    UNIONPAY = "card_unionpay", _("UnionPay cards")
    VISA = "card_visa", _("Visa")
    MASTERCARD = "card_mastercard", _("Mastercard")
    JCB = "card_jcb", _("JCB")
    AMEX = "card_amex", _("American Express")
    DINERS_DISCOVER = "card_diners_discover", _("Diners Club / Discover")
    CASH = "cash", _("Cash (RMB)")
    CASH_PLEDGE = "cash_pledge", _("Public pledge to accept cash")
    CHANGE = "cash_change", _("Change available")
    MOBILE_DOMESTIC = "mobile_domestic", _("Domestic mobile payment (Alipay, WeChat Pay)")
    MOBILE_FOREIGN_CARD = "mobile_foreign_card", _("Mobile payment with a linked foreign card")
    FOREIGN_WALLETS = "mobile_foreign_wallet", _("Foreign e-wallets")
    TRAVEL_CARD = "unionpay_travel_card", _("UnionPay travel card")
    EXCHANGE = "currency_exchange", _("Currency exchange")
    FOREIGN_WITHDRAWAL = "foreign_card_withdrawal", _("Cash withdrawal with foreign cards")
    CHANGE_PACKS = "change_packs", _("Change packs (零钱包) on demand")
    SIGNAGE = "signage", _("Payment signs posted")


FOREIGN_CARD_SCHEMES = [
    Capability.VISA,
    Capability.MASTERCARD,
    Capability.JCB,
    Capability.AMEX,
    Capability.DINERS_DISCOVER,
]


def _capability_field(capability: Capability):
    # null = never recorded: unknown, which never counts towards a target.
    return models.BooleanField(capability.label, null=True, blank=True)


class Place(models.Model):
    """A key merchant or site, an ATM, a bank branch, a service station or a help desk."""

    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Stable identifier for data exchange, e.g. YY-ATM-0001."),
    )
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=160, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=PlaceKind.choices)
    sector = models.CharField(_("sector"), max_length=16, choices=Sector.choices)
    category = models.CharField(
        _("category"), max_length=24, choices=Category.choices, default=Category.OTHER
    )
    is_key = models.BooleanField(_("key place"), default=False)  # 重点场所/重点商户
    region = models.ForeignKey(
        "org.Region",
        on_delete=models.PROTECT,
        related_name="payment_places",
        verbose_name=_("town"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    address_en = models.CharField(_("English address"), max_length=240, blank=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    opening_hours_en = models.CharField(_("opening hours (English)"), max_length=140, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    bank = models.ForeignKey(
        Bank,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="places",
        verbose_name=_("bank"),
    )
    # The unit that keeps this place's data and receives follow-up tasks: the bank's county
    # branch for bank places, the sector's supervising department otherwise.
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="payment_places",
        verbose_name=_("responsible unit"),
    )
    supervising_department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="supervised_payment_places",
        verbose_name=_("supervising department"),
    )
    is_active = models.BooleanField(_("open"), default=True)
    is_demo = models.BooleanField(
        _("demo data"), default=False, help_text=_("Invented for demonstration; not a real place.")
    )
    # Raised by every write; forms carry it so a second, concurrent edit is refused.
    version = models.PositiveIntegerField(default=1)
    # Date of the fact behind each current capability value: {"cash": "2024-09-30", ...}.
    capability_dates = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    card_unionpay = _capability_field(Capability.UNIONPAY)
    card_visa = _capability_field(Capability.VISA)
    card_mastercard = _capability_field(Capability.MASTERCARD)
    card_jcb = _capability_field(Capability.JCB)
    card_amex = _capability_field(Capability.AMEX)
    card_diners_discover = _capability_field(Capability.DINERS_DISCOVER)
    cash = _capability_field(Capability.CASH)
    cash_pledge = _capability_field(Capability.CASH_PLEDGE)
    cash_change = _capability_field(Capability.CHANGE)
    mobile_domestic = _capability_field(Capability.MOBILE_DOMESTIC)
    mobile_foreign_card = _capability_field(Capability.MOBILE_FOREIGN_CARD)
    mobile_foreign_wallet = _capability_field(Capability.FOREIGN_WALLETS)
    unionpay_travel_card = _capability_field(Capability.TRAVEL_CARD)
    currency_exchange = _capability_field(Capability.EXCHANGE)
    foreign_card_withdrawal = _capability_field(Capability.FOREIGN_WITHDRAWAL)
    change_packs = _capability_field(Capability.CHANGE_PACKS)
    signage = _capability_field(Capability.SIGNAGE)

    class Meta:
        ordering = ["region__sort_order", "kind", "name"]
        verbose_name = _("payment place")
        verbose_name_plural = _("payment places")
        indexes = [
            # The finder: a range on latitude (the bounding box), then everything it filters
            # on, so "nearest 20 with these filters" is answered from this index alone
            # (a covering index: no table row is read until the 20 are chosen).
            models.Index(
                fields=[
                    "latitude",
                    "longitude",
                    "is_active",
                    "kind",
                    "region",
                    *[c.value for c in Capability],
                ],
                name="payments_place_finder",
            ),
            models.Index(fields=["region", "kind"], name="payments_place_region_kind"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90)
                & models.Q(longitude__gte=-180, longitude__lte=180),
                name="payments_place_coordinates_in_range",
            ),
            # ATMs and bank branches belong to a bank.
            models.CheckConstraint(
                condition=~models.Q(kind__in=["atm", "bank_branch"]) | models.Q(bank__isnull=False),
                name="payments_place_bank_places_have_bank",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def capability(self, capability: str) -> bool | None:
        return getattr(self, Capability(capability).value)

    @property
    def accepts_foreign_cards(self) -> bool:
        return any(getattr(self, c.value) for c in FOREIGN_CARD_SCHEMES)


class FactSource(models.TextChoices):
    BANK = "bank", _("Report by the bank")
    DEPARTMENT = "department", _("Report by the supervising department")
    INSPECTION = "inspection", _("Inspection")
    IMPORT = "import", _("Data exchange import")
    PUBLIC_REPORT = "public_report", _("Confirmed public report")
    DEMO = "demo", _("Demo data")


class CapabilityFact(models.Model):
    """One dated, sourced statement of what a place accepts. Append-only: the history."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="facts")
    capability = models.CharField(_("capability"), max_length=32, choices=Capability.choices)
    value = models.BooleanField(_("value"))
    previous = models.BooleanField(_("previous value"), null=True, blank=True)
    observed_on = models.DateField(_("date of the fact"))
    source = models.CharField(_("source"), max_length=16, choices=FactSource.choices)
    source_note = models.CharField(_("source details"), max_length=200, blank=True)
    inspection = models.ForeignKey(
        "Inspection", on_delete=models.PROTECT, null=True, blank=True, related_name="facts"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("capability fact")
        verbose_name_plural = _("capability facts")
        indexes = [models.Index(fields=["place", "capability"], name="payments_fact_place_cap")]

    def __str__(self) -> str:
        return f"{self.capability}={self.value} ({self.observed_on})"


class Landmark(models.Model):
    """A place visitors can measure distance from when the browser's location is not shared."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("landmark")
        verbose_name_plural = _("landmarks")

    def __str__(self) -> str:
        return self.name


class InspectionKind(models.TextChoices):
    ROUTINE = "routine", _("Routine inspection")  # 巡检
    UNANNOUNCED = "unannounced", _("Unannounced visit")  # 明察暗访


class Inspection(models.Model):
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="inspections")
    kind = models.CharField(_("kind"), max_length=16, choices=InspectionKind.choices)
    visited_on = models.DateField(_("visit date"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    inspecting_department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.visited_on}"


class InspectionFinding(models.Model):
    """What the inspector saw about one capability; a no opens a follow-up task."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    capability = models.CharField(_("capability"), max_length=32, choices=Capability.choices)
    observed = models.BooleanField(_("observed working"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "capability"], name="payments_finding_one_per_capability"
            )
        ]

    def __str__(self) -> str:
        return f"{self.capability}: {self.observed}"


class FollowUpTask(models.Model):
    """Work for the responsible unit: put right a shortfall found at a place."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="tasks")
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="payment_tasks",
        verbose_name=_("responsible unit"),
    )
    capability = models.CharField(
        _("capability"), max_length=32, choices=Capability.choices, blank=True
    )
    description = models.CharField(_("what to put right"), max_length=300)
    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    report = models.ForeignKey(
        "ProblemReport", on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    due_on = models.DateField(_("due"))
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution = models.CharField(_("resolution"), max_length=300, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("follow-up task")
        verbose_name_plural = _("follow-up tasks")
        constraints = [
            # One open task per place and capability: a second finding adds to the first.
            models.UniqueConstraint(
                fields=["place", "capability"],
                condition=models.Q(status="open") & ~models.Q(capability=""),
                name="payments_task_one_open_per_place_capability",
            )
        ]

    def __str__(self) -> str:
        return self.description


class ProblemKind(models.TextChoices):
    CARD_REFUSED = "card_refused", _("My card was refused")
    CASH_REFUSED = "cash_refused", _("Cash was refused")
    WRONG_CHARGE = "wrong_charge", _("I was charged wrongly")
    WRONG_INFO = "wrong_info", _("The information here is wrong")
    OTHER = "other", _("Something else")


class ProblemReport(models.Model):
    """A problem reported by the public from a place's page; becomes a 12345 hotline ticket."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(_("problem"), max_length=16, choices=ProblemKind.choices)
    description = models.TextField(_("what happened"), max_length=2000)
    occurred_on = models.DateField(_("date"), null=True, blank=True)
    contact_name = models.CharField(_("your name"), max_length=60, blank=True)
    contact_phone = models.CharField(_("your phone"), max_length=32, blank=True)
    language = models.CharField(max_length=10, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    handoff_status = models.CharField(
        max_length=16, choices=HandoffStatus.choices, default=HandoffStatus.PENDING
    )
    handoff_attempts = models.PositiveIntegerField(default=0)
    handoff_error = models.CharField(max_length=300, blank=True)
    hotline_ticket_ref = models.CharField(_("hotline ticket"), max_length=64, blank=True)
    handed_off_at = models.DateTimeField(null=True, blank=True)
    # Cash refusals only: enforcement by the People's Bank office; empty for other problems.
    enforcement_status = models.CharField(
        _("enforcement"), max_length=16, choices=EnforcementStatus.choices, blank=True
    )
    enforcement_note = models.CharField(_("enforcement note"), max_length=300, blank=True)
    enforcement_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("problem report")
        verbose_name_plural = _("problem reports")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="cash_refused") & ~models.Q(enforcement_status=""))
                | (~models.Q(kind="cash_refused") & models.Q(enforcement_status="")),
                name="payments_report_enforcement_only_for_cash",
            ),
            models.CheckConstraint(
                condition=~models.Q(handoff_status="handed_off") | ~models.Q(hotline_ticket_ref=""),
                name="payments_report_handed_off_has_ticket",
            ),
        ]
        indexes = [models.Index(fields=["handoff_status"], name="payments_report_handoff")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"
