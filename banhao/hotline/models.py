"""12345 hotline: tickets (工单), the matter categories and duty list, deadlines, supervision,
rulings, evaluation facts. Rules live in services.py; this module holds data only."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .states import (
    Channel,
    DeadlineStage,
    DeadlineUnit,
    RequestStatus,
    Resolution,
    Satisfaction,
    SupervisionLevel,
    TicketStatus,
    TicketType,
    Urgency,
)


class Category(models.Model):
    """A matter (事项分类) in a two-level tree; leaves are what tickets are filed under.

    ``code`` is stable and doubles as the Open311 service_code.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    # Words that point to this matter; they train the day-one dispatch suggestion.
    keywords = models.TextField(_("keywords"), blank=True)
    default_type = models.CharField(
        _("usual type"), max_length=16, choices=TicketType.choices, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("matter category")
        verbose_name_plural = _("matter categories")

    def __str__(self) -> str:
        return self.name


class DutySource(models.TextChoices):
    SEED = "seed", _("Shipped duty list")
    EDITED = "edited", _("Edited by a supervisor")
    RULING = "ruling", _("Three-party ruling")


class DutyAssignment(models.Model):
    """One line of the duty list (权责清单): who handles a matter, county-wide or in one town.

    A town-specific line wins over the county-wide one for tickets located in that town.
    """

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="duties", verbose_name=_("matter")
    )
    town = models.ForeignKey(
        "org.Region",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("town"),
        help_text=_("Empty: the whole county."),
    )
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    source = models.CharField(max_length=8, choices=DutySource.choices, default=DutySource.SEED)
    basis = models.CharField(_("basis"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("duty list line")
        verbose_name_plural = _("duty list")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "town"], name="hotline_duty_one_unit_per_town"
            ),
            models.UniqueConstraint(
                fields=["category"],
                condition=Q(town__isnull=True),
                name="hotline_duty_one_countywide_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category_id} / {self.town_id or '—'} → {self.department_id}"


class DeadlineRule(models.Model):
    """A configured deadline; empty type or urgency means "any". The most specific rule wins,
    and the defaults in ``deadlines.DEFAULTS`` apply where no rule matches."""

    stage = models.CharField(_("stage"), max_length=12, choices=DeadlineStage.choices)
    ticket_type = models.CharField(_("type"), max_length=16, choices=TicketType.choices, blank=True)
    urgency = models.CharField(_("urgency"), max_length=12, choices=Urgency.choices, blank=True)
    amount = models.PositiveIntegerField(_("amount"))
    unit = models.CharField(_("unit"), max_length=16, choices=DeadlineUnit.choices)

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "ticket_type", "urgency"], name="hotline_deadline_rule_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.stage} {self.ticket_type or '*'} {self.urgency or '*'}: {self.amount} {self.unit}"


class Ticket(models.Model):
    """A 12345 ticket (工单). ``pk`` is also the Open311 service_request_id."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    ticket_type = models.CharField(_("type"), max_length=16, choices=TicketType.choices)
    urgency = models.CharField(
        _("urgency"), max_length=12, choices=Urgency.choices, default=Urgency.NORMAL
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=TicketStatus.choices,
        default=TicketStatus.REGISTERED,
        db_index=True,
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    title = models.CharField(_("title"), max_length=100, blank=True)
    description = models.TextField(_("description"))
    # Requester: an account, or none (phone callers, anonymous). Anonymous tickets keep no
    # contact at all, so nothing can leak.
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hotline_tickets",
    )
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True, db_index=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    town = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    # What the ticket is about when filed from another part of the platform (a payment place).
    related_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    related_id = models.CharField(max_length=40, blank=True)
    related_object = GenericForeignKey("related_type", "related_id")
    # A picture or recording elsewhere (Open311 media_url).
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    # Linked, never merged: the earlier ticket on the same matter from the same requester.
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="repeats"
    )
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hotline_tickets",
        verbose_name=_("handling unit"),
    )
    suggested_department = models.ForeignKey(
        "org.Department", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    suggestion_confidence = models.FloatField(null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    resolution = models.CharField(
        _("resolution"), max_length=12, choices=Resolution.choices, blank=True
    )
    supervision_level = models.PositiveSmallIntegerField(
        choices=SupervisionLevel.choices, default=SupervisionLevel.NONE
    )
    reopen_count = models.PositiveSmallIntegerField(default=0)
    return_count = models.PositiveSmallIntegerField(default=0)
    extension_days = models.PositiveSmallIntegerField(default=0)
    # Timestamps of each step (the full history is in TicketEvent and the audit log).
    created_at = models.DateTimeField(db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    callback_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    respond_due = models.DateTimeField(null=True, blank=True)
    handle_due = models.DateTimeField(null=True, blank=True, db_index=True)
    # Bumped on every transition; a stale form (another user acted first) is refused.
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("hotline ticket")
        verbose_name_plural = _("hotline tickets")
        indexes = [
            models.Index(fields=["department", "status"], name="hotline_ticket_dept_status"),
            models.Index(fields=["requester", "created_at"], name="hotline_ticket_requester"),
        ]
        constraints = [
            # Anonymous tickets keep no contact details and no account.
            models.CheckConstraint(
                condition=Q(is_anonymous=False)
                | Q(contact_phone="", contact_name="", contact_email="", requester__isnull=True),
                name="hotline_ticket_anonymous_has_no_contact",
            ),
            # A unit holds every ticket that is with a unit or past it.
            models.CheckConstraint(
                condition=~Q(status__in=["dispatched", "handling", "replied"])
                | Q(department__isnull=False),
                name="hotline_ticket_unit_when_dispatched",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"12345-{self.pk:08d}" if self.pk else "12345-new"

    @property
    def is_open(self) -> bool:
        return self.status != TicketStatus.CLOSED


def attachment_path(instance, filename: str) -> str:
    return f"hotline/{instance.ticket_id}/{uuid.uuid4().hex}-{filename[-80:]}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class EventKind(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    LINKED = "linked", _("Linked as a repeat")
    ANSWERED = "answered", _("Answered at intake")
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")
    RULING_REQUESTED = "ruling_requested", _("Sent to three-party ruling")
    RULED = "ruled", _("Ruling made")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    EXTENSION_DECIDED = "extension_decided", _("Extension decided")
    REPLIED = "replied", _("Replied")
    CALLBACK = "callback", _("Called back")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed")
    SUPERVISED = "supervised", _("Supervision raised")
    HEAD_CALLBACK = "head_callback", _("Unit head's callback")
    CONTACT_GRANTED = "contact_granted", _("Contact access granted")
    REFERRED = "referred", _("Referred to discipline inspection")


class TicketEvent(models.Model):
    """The ticket's visible timeline: one row per step, timestamped (audit records mirror it)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class ExtensionRequest(models.Model):
    """计划性办结: the unit asks for more working days; the centre approves or rejects."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="extensions")
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    days = models.PositiveSmallIntegerField(_("working days"))
    reason = models.TextField(_("reason"))
    plan = models.TextField(_("handling plan"), blank=True)
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_note = models.TextField(blank=True)
    requested_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"],
                condition=Q(status="pending"),
                name="hotline_one_pending_extension",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} +{self.days} ({self.status})"


class Ruling(models.Model):
    """三方联动: the establishment office (县委编办) decides which unit is responsible."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="rulings")
    parties = models.ManyToManyField("org.Department", related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    question = models.TextField(_("what is disputed"))
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    decided_department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    basis = models.TextField(_("basis of the ruling"), blank=True)
    # Whether the ruling also changed the duty list for this matter (and town).
    applied_to_duty_list = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(status="pending"), name="hotline_one_open_ruling"
            )
        ]

    def __str__(self) -> str:
        return f"ruling {self.pk} on {self.ticket_id} ({self.status})"


class DisciplineReferral(models.Model):
    """A buck-passing case referred to 县纪委监委 with the full record frozen at referral."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="referrals")
    departments = models.ManyToManyField("org.Department", related_name="+")
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    referred_at = models.DateTimeField()
    reason = models.TextField()
    record = models.JSONField()

    def __str__(self) -> str:
        return f"referral {self.pk} of {self.ticket_id}"


class SupervisionRule(models.Model):
    """Moves open tickets up the ladder: when ``trigger`` reaches ``threshold``, raise to ``level``."""

    class Trigger(models.TextChoices):
        OVERDUE_DAYS = "overdue_days", _("Working days past the handling deadline")
        REOPENS = "reopens", _("Times reopened")
        OPEN_DAYS = "open_days", _("Working days open in total")

    name = models.CharField(_("name"), max_length=100)
    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices)
    threshold = models.PositiveIntegerField(_("threshold"))
    level = models.PositiveSmallIntegerField(_("level"), choices=SupervisionLevel.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["level", "trigger", "threshold"]
        verbose_name = _("supervision rule")
        verbose_name_plural = _("supervision rules")

    def __str__(self) -> str:
        return self.name


def document_path(instance, filename: str) -> str:
    return f"hotline/supervision/{instance.ticket_id}/{filename}"


class Supervision(models.Model):
    """One rung climbed by one ticket: who raised it, why, and what it produced."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="supervisions")
    level = models.PositiveSmallIntegerField(choices=SupervisionLevel.choices)
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rule = models.ForeignKey(SupervisionRule, on_delete=models.SET_NULL, null=True, blank=True)
    raised_at = models.DateTimeField()
    reason = models.TextField()
    letter = models.FileField(upload_to=document_path, blank=True)  # 督办函 (.docx)
    attendees = models.TextField(blank=True)  # joint meeting
    minutes = models.TextField(blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    instruction = models.TextField(blank=True)  # the leader's 批示

    class Meta:
        ordering = ["raised_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "level"], name="hotline_supervision_once")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} level {self.level}"


class HeadCallback(models.Model):
    """“一把手”回访: the unit head calls the requester personally."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="head_callbacks")
    head = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    satisfaction = models.CharField(max_length=12, choices=Satisfaction.choices)
    notes = models.TextField()

    def __str__(self) -> str:
        return f"{self.ticket_id} head callback"


class ContactGrant(models.Model):
    """The centre lets a unit see the requester's contact in full, for a callback, until expiry."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="contact_grants")
    department = models.ForeignKey("org.Department", on_delete=models.CASCADE, related_name="+")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    purpose = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"{self.ticket_id} → {self.department_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class UnitDayFact(models.Model):
    """Per unit per day counts, kept up to date by the services, so rankings sum a few thousand
    rows instead of scanning every ticket. ``facts.rebuild`` recomputes them."""

    department = models.ForeignKey("org.Department", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    received = models.PositiveIntegerField(default=0)  # dispatched to the unit
    responded = models.PositiveIntegerField(default=0)  # accepted or returned
    responded_on_time = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)
    replied = models.PositiveIntegerField(default=0)
    replied_on_time = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)  # callbacks with a satisfaction answer
    satisfied = models.PositiveIntegerField(default=0)  # 满意 + 基本满意
    resolution_rated = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)  # 解决 + 基本解决
    reopened = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["department", "day"], name="hotline_fact_unit_day")
        ]
        indexes = [models.Index(fields=["day", "department"], name="hotline_fact_day")]

    def __str__(self) -> str:
        return f"{self.department_id} {self.day}"


class EvaluationSettings(models.Model):
    """The ranking's weights and the interview (约谈) rule; one row (pk=1), edited by supervisors.

    Weights are percentages adding up to 100 (docs/adr/0005-hotline.md gives the formulas).
    """

    weight_response = models.PositiveSmallIntegerField(_("response rate weight"), default=20)
    weight_resolution = models.PositiveSmallIntegerField(_("resolution rate weight"), default=30)
    weight_satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction rate weight"), default=30
    )
    weight_timeliness = models.PositiveSmallIntegerField(_("timeliness weight"), default=20)
    interview_last_places_months = models.PositiveSmallIntegerField(
        _("last place this many months running"), default=2
    )
    interview_satisfaction_below = models.PositiveSmallIntegerField(
        _("satisfaction rate below (%)"), default=80
    )
    interview_min_tickets = models.PositiveIntegerField(
        _("only units with at least this many tickets"), default=5
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "evaluation settings"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .errors import WEIGHTS_SUM

        total = (
            self.weight_response
            + self.weight_resolution
            + self.weight_satisfaction
            + self.weight_timeliness
        )
        if total != 100:
            raise ValidationError(WEIGHTS_SUM[1], code=WEIGHTS_SUM[0])


class DispatchModel(models.Model):
    """A trained dispatch suggestion model (pickled scikit-learn pipeline) and its accuracy."""

    trained_at = models.DateTimeField()
    samples = models.PositiveIntegerField()
    holdout = models.PositiveIntegerField(default=0)
    accuracy = models.FloatField(null=True, blank=True)
    blob = models.BinaryField()

    def __str__(self) -> str:
        return f"dispatch model {self.pk} ({self.samples} tickets)"


class Open311Client(models.Model):
    """An Open311 client allowed to POST requests with its api_key."""

    name = models.CharField(_("name"), max_length=100)
    api_key = models.CharField(_("API key"), max_length=64, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")

    def __str__(self) -> str:
        return self.name
