"""One-thing applications (一件事): one application, one task per applicable item, one result.

An application points at the ``catalog.BundleVersion`` it began on and reads every rule (items,
conditions, fields, materials, time limits) from that immutable definition, so an
administrator's later edit of the bundle never changes it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .states import (
    OPEN_TASK_STATES,
    QUEUE_STATES,
    ApplicationState,
    Channel,
    EventKind,
    TaskState,
)


class ApplicationQuerySet(models.QuerySet):
    def with_version(self):
        """Join the version's number and digest, not its (large) definition: the definition
        comes from the per-process cache (``Application.definition``)."""
        return self.select_related("version").defer("version__definition")


class Application(models.Model):
    onething = models.ForeignKey(
        "catalog.OneThing", on_delete=models.PROTECT, related_name="applications"
    )
    version = models.ForeignKey(
        "catalog.BundleVersion", on_delete=models.PROTECT, related_name="applications"
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ApplicationState.choices, default=ApplicationState.DRAFT
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # The account that follows the application online (None: applied at a window, no account).
    # Indexed by onething_app_applicant (applicant, -id), which also serves the foreign key;
    # a second, single-column index would only cost every write.
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="onething_applications",
        db_index=False,
    )
    applicant_name = models.CharField(_("applicant"), max_length=200)
    # Resident ID number or unified social credit code.
    applicant_identifier = models.CharField(_("ID number or credit code"), max_length=18)
    applicant_phone = models.CharField(_("phone"), max_length=20, blank=True)
    # Who typed it in: the applicant online, or the window clerk (一窗受理).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    receiving_venue = models.ForeignKey(
        "org.Venue",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="onething_applications",
        verbose_name=_("receiving venue"),
        db_index=False,  # onething_app_venue (receiving_venue, -id)
    )
    # 跨域通办: where the items are handled when it is not the county's own departments.
    handling_region = models.ForeignKey(
        "org.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handling region"),
    )
    answers = models.JSONField(_("questionnaire answers"), default=dict, blank=True)
    data = models.JSONField(_("form data"), default=dict, blank=True)
    positions = models.JSONField(_("applicable rows"), default=list, blank=True)
    idempotency_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    due_date = models.DateField(_("expected completion"), null=True, blank=True)
    # Set at submission, for the reform figures (四减一增) and the evaluation: the distinct
    # materials the applicable items need, and how many of them were taken from a government
    # record instead of uploaded (免提交, ADR 0019).
    materials_needed = models.PositiveSmallIntegerField(default=0)
    materials_from_records = models.PositiveSmallIntegerField(default=0)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("one-thing application")
        verbose_name_plural = _("one-thing applications")
        constraints = [
            # A client repeating a request with the same key gets the same application.
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="onething_application_unique_idempotency_key",
            ),
        ]
        indexes = [
            models.Index(fields=["applicant", "-id"], name="onething_app_applicant"),
            # A holder's archive lists their applications by ID number or credit code.
            models.Index(fields=["applicant_identifier", "-id"], name="onething_app_identifier"),
            models.Index(fields=["receiving_venue", "-id"], name="onething_app_venue"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def definition(self) -> dict:
        """The rules this application follows: its bundle version's definition (cached)."""
        from banhao.catalog.services import definition_of

        return definition_of(self.version_id, self.version.digest)

    @property
    def reference(self) -> str:
        """The number printed on receipts: YJS + date + sequence."""
        return f"YJS{self.created_at:%Y%m%d}{self.pk:07d}" if self.pk else ""


class Attachment(models.Model):
    """One uploaded material; several items needing it share the one upload."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    code = models.SlugField(max_length=48)
    file = models.FileField(upload_to="onething/%Y/%m/")
    original_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("material upload")
        verbose_name_plural = _("material uploads")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "code"], name="onething_attachment_one_per_material"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.code}"


class RecordConsent(models.Model):
    """The applicant's one consent to take materials from their government records (免提交):
    when, by whom, and the list of records it covered. A new consent (or its withdrawal)
    replaces the application's record uses; the consents stay, as the history."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="record_consents"
    )
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    given_at = models.DateTimeField()
    # True: the records listed are used; False: the applicant withdrew (uploads are asked).
    granted = models.BooleanField(default=True)
    # [{"code": material code, "reference": record reference}, ...]
    records = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("record consent")
        verbose_name_plural = _("record consents")

    def __str__(self) -> str:
        return f"{self.application_id} · {self.given_at:%Y-%m-%d %H:%M}"


class MaterialRecord(models.Model):
    """A material taken from a government record with consent instead of an upload: a
    reference to the record and what it showed when it was taken."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="material_records"
    )
    code = models.SlugField(max_length=48)
    consent = models.ForeignKey(RecordConsent, on_delete=models.PROTECT, related_name="uses")
    kind = models.CharField(max_length=12)  # identity | household | licence (catalog.RecordKind)
    holder = models.CharField(max_length=12)  # applicant | spouse | mother | … (RecordHolder)
    # Where the record lives, e.g. "archives.licence:12" or "archives.person:3".
    reference = models.CharField(max_length=64)
    label = models.CharField(max_length=100)
    label_en = models.CharField(max_length=160, blank=True)
    # In full: staff see it masked unless they open it with a purpose (an audited view).
    number = models.CharField(max_length=64)
    issuer = models.CharField(max_length=100, blank=True)
    issuer_en = models.CharField(max_length=160, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("material from a record")
        verbose_name_plural = _("materials from records")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "code"], name="onething_materialrecord_one_per_material"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} · {self.code}"


class Task(models.Model):
    """One department's part of an application: one row of the bundle."""

    # Both keys are indexed by the composite indexes below (one_per_item, queue), which is all a
    # step's many task updates should have to maintain.
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="tasks", db_index=False
    )
    position = models.PositiveSmallIntegerField()
    item = models.ForeignKey("catalog.ServiceItem", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="onething_tasks", db_index=False
    )
    state = models.CharField(max_length=12, choices=TaskState.choices)
    depends_on = models.JSONField(default=list, blank=True)
    # Results of the items this one needs, passed on when they were approved: {position: result}.
    inputs = models.JSONField(default=dict, blank=True)
    committed_days = models.PositiveSmallIntegerField()
    started_on = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    paused_on = models.DateField(null=True, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=100, blank=True)
    reason = models.TextField(blank=True)
    # Bumped by every change: a handler acting on an old view of the task gets a conflict.
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["application_id", "position"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            # One task per application and item: a correction resumes the same task.
            models.UniqueConstraint(
                fields=["application", "position"], name="onething_task_one_per_item"
            ),
            models.CheckConstraint(
                condition=~models.Q(state=TaskState.APPROVED) | ~models.Q(result=""),
                name="onething_task_approved_has_result",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "state", "due_date"], name="onething_task_queue"),
            # The queue page: a department's open tasks, most urgent first, read in index order
            # (no sort of every open task, however many past applications there are).
            models.Index(
                fields=["department", "due_date", "id"],
                condition=models.Q(state__in=QUEUE_STATES),
                name="onething_task_open_queue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}.{self.position}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_TASK_STATES


class Correction(models.Model):
    """A department's request for a correction (补正); answered, it resumes the same task."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="corrections")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="corrections"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    message = models.TextField()
    fields = models.JSONField(default=list, blank=True)
    materials = models.JSONField(default=list, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"],
                condition=models.Q(answered_at__isnull=True),
                name="onething_correction_one_open_per_task",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} · {self.requested_at:%Y-%m-%d}"


class Event(models.Model):
    """One step on the applicant's timeline."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,  # onething_event_app (application, id)
    )
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    actor_label = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["application", "id"], name="onething_event_app")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.kind}"
