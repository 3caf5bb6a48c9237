"""The key-task ledger (台账), seeded from Annex 1 of 源政发〔2024〕1号.

Annex 1 lists the county's key tasks for the year: category (类别), item (事项), annual goal
(年度目标任务), numbered measures (推进措施), deadline (完成时限) and lead units (牵头单位).
The deadline is kept as written ("2024年9月") and as the last day of that month.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .states import Cycle, EventKind, Stage


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


# --- The working ledger (台账): every task the office follows up, whatever its source --------
#
# ``KeyTask`` above is the gazette's Annex 1 as printed (reference data). The ledger below is
# what the office works with: one ``LedgerTask`` per row, whether seeded from Annex 1, from the
# 17 measures of 源政发〔2024〕1号, from the payment plan 源政办发〔2024〕7号, or imported from a
# spreadsheet. See docs/adr/0006-ledger-and-evaluation.md.


class Source(models.Model):
    """Where a group of ledger tasks comes from: a document (and part of it) or an import."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    document = models.CharField(_("document number"), max_length=64, blank=True)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=300, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    is_seeded = models.BooleanField(_("shipped with the product"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=100)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("ledger source")
        verbose_name_plural = _("ledger sources")

    def __str__(self) -> str:
        return f"{self.document} {self.title}".strip()


class LedgerTask(models.Model):
    """One row of the ledger. Its status (on track, at risk, overdue, done) is never stored as
    typed input: it is derived from the stage, the deadline and the schedule dates below, which
    the services recompute whenever a report, a deadline or a unit changes (``schedule.py``)."""

    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("source")
    )
    position = models.PositiveIntegerField(_("position"))
    clause = models.CharField(_("clause"), max_length=40, blank=True)
    key_task = models.OneToOneField(
        KeyTask,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_task",
        verbose_name=_("Annex 1 key task"),
    )
    category = models.CharField(_("category"), max_length=100)
    category_en = models.CharField(_("English category"), max_length=200, blank=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    goal = models.TextField(_("annual goal"), blank=True)  # 年度目标任务
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    deadline_as_written = models.CharField(_("deadline as written"), max_length=32, blank=True)
    starts_on = models.DateField(_("starts on"))
    lead_label = models.CharField(_("lead label as written"), max_length=8, default="牵头单位")
    lead_units_as_written = models.CharField(_("lead units as written"), max_length=300, blank=True)
    responsible_units_as_written = models.CharField(
        _("responsible units as written"), max_length=500, blank=True
    )
    remarks = models.TextField(_("remarks"), blank=True)  # 备注
    cycle = models.CharField(
        _("reporting cycle"), max_length=10, choices=Cycle.choices, default=Cycle.NONE
    )
    cycle_starts_on = models.DateField(_("reporting starts on"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.OPEN)
    # Derived schedule facts, recomputed by schedule.recompute(); read by the status expression.
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    next_report_due = models.DateField(_("next report due"), null=True, blank=True)
    at_risk_from = models.DateField(_("at risk from"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    units = models.ManyToManyField(
        "org.Department", through="TaskUnit", related_name="ledger_tasks", verbose_name=_("units")
    )

    class Meta:
        ordering = ["source__position", "position"]
        verbose_name = _("ledger task")
        verbose_name_plural = _("ledger tasks")
        constraints = [
            models.UniqueConstraint(fields=["source", "name"], name="ledger_task_unique_name"),
            models.UniqueConstraint(
                fields=["source", "position"], name="ledger_task_unique_position"
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="ledger_task_progress_max_100"
            ),
            models.CheckConstraint(
                condition=models.Q(cycle__in=["none", "weekly", "monthly"]),
                name="ledger_task_cycle_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    stage__in=["open", "closure_proposed", "lead_confirmed", "closed"]
                ),
                name="ledger_task_stage_valid",
            ),
            # A closed task has a closing time, and only a closed one.
            models.CheckConstraint(
                condition=models.Q(stage="closed", closed_at__isnull=False)
                | (~models.Q(stage="closed") & models.Q(closed_at__isnull=True)),
                name="ledger_task_closed_at_iff_closed",
            ),
        ]
        indexes = [
            models.Index(fields=["stage", "deadline"], name="ledger_task_stage_deadline"),
        ]

    def __str__(self) -> str:
        return self.name


class LedgerMeasure(models.Model):
    """A numbered measure (推进措施) of a ledger task."""

    task = models.ForeignKey(LedgerTask, on_delete=models.CASCADE, related_name="measures")
    number = models.PositiveSmallIntegerField(_("number"))
    is_numbered = models.BooleanField(_("numbered as written"), default=True)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["task", "number"]
        verbose_name = _("ledger measure")
        verbose_name_plural = _("ledger measures")
        constraints = [
            models.UniqueConstraint(fields=["task", "number"], name="ledger_lmeasure_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.task_id}.{self.number}"


class UnitRole(models.TextChoices):
    LEAD = "lead", _("Lead unit")  # 牵头单位
    RESPONSIBLE = "responsible", _("Responsible unit")  # 责任单位


class TaskUnit(models.Model):
    """A unit that owes work on a task. Both lead and responsible units file progress reports."""

    task = models.ForeignKey(LedgerTask, on_delete=models.CASCADE, related_name="unit_links")
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="ledger_links"
    )
    role = models.CharField(_("role"), max_length=12, choices=UnitRole.choices)
    position = models.PositiveSmallIntegerField(_("position"))
    # The phrase the unit came from, e.g. "各镇人民政府" for every township government.
    as_written = models.CharField(_("as written"), max_length=100)
    last_percent = models.PositiveSmallIntegerField(_("last reported progress (%)"), default=0)
    last_reported_at = models.DateTimeField(_("last reported at"), null=True, blank=True)
    next_report_due = models.DateField(_("next report due"), null=True, blank=True)
    last_chased_on = models.DateField(_("last chased on"), null=True, blank=True)

    class Meta:
        ordering = ["task", "role", "position"]
        verbose_name = _("task unit")
        verbose_name_plural = _("task units")
        constraints = [
            models.UniqueConstraint(fields=["task", "department"], name="ledger_taskunit_unique"),
        ]
        indexes = [models.Index(fields=["department", "task"], name="ledger_taskunit_dept")]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.department_id} ({self.role})"


class ProgressReport(models.Model):
    """A unit's progress report for one reporting period of a task (at most one per period)."""

    task = models.ForeignKey(LedgerTask, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    due_on = models.DateField(_("due on"))
    text = models.TextField(_("progress"))
    percent = models.PositiveSmallIntegerField(_("percentage complete"))
    submitted_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    is_late = models.BooleanField(_("late"), default=False)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.UniqueConstraint(
                fields=["task", "unit", "period_start"], name="ledger_report_one_per_period"
            ),
            models.CheckConstraint(
                condition=models.Q(percent__lte=100), name="ledger_report_percent_max_100"
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "due_on"], name="ledger_report_unit_due"),
            models.Index(fields=["submitted_at"], name="ledger_report_submitted"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.unit_id} {self.period_start}"


class ClosureState(models.TextChoices):
    # A unit has proposed closing the task, with evidence; waiting for the lead units.
    PROPOSED = "proposed", _("Proposed, awaiting the lead units")
    # Every lead unit has confirmed; waiting for the office's sign-off.
    CONFIRMED = "confirmed", _("Confirmed by the lead units, awaiting sign-off")
    # The office signed off: the task closed. Stays so even if the task is reopened later.
    SIGNED_OFF = "signed_off", _("Signed off")
    # A lead unit or the office sent it back; the task stayed open.
    REJECTED = "rejected", _("Sent back")


OPEN_CLOSURE_STATES = [ClosureState.PROPOSED, ClosureState.CONFIRMED]


class Closure(models.Model):
    """One attempt to close a task (a round): evidence, confirmations, the decision."""

    task = models.ForeignKey(LedgerTask, on_delete=models.CASCADE, related_name="closures")
    round = models.PositiveSmallIntegerField(_("round"))
    state = models.CharField(_("state"), max_length=12, choices=ClosureState.choices)
    summary = models.TextField(_("summary of results"))
    proposed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    proposed_unit = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"))
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["task", "round"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        constraints = [
            models.UniqueConstraint(fields=["task", "round"], name="ledger_closure_unique_round"),
            # At most one closure in progress per task.
            models.UniqueConstraint(
                fields=["task"],
                condition=models.Q(state__in=["proposed", "confirmed"]),
                name="ledger_closure_one_open_per_task",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id}#{self.round} {self.state}"


class ClosureConfirmation(models.Model):
    """A lead unit's confirmation that the task's results are in place."""

    closure = models.ForeignKey(Closure, on_delete=models.CASCADE, related_name="confirmations")
    unit = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"))

    class Meta:
        ordering = ["confirmed_at"]
        constraints = [
            models.UniqueConstraint(fields=["closure", "unit"], name="ledger_confirm_unique_unit")
        ]

    def __str__(self) -> str:
        return f"{self.closure_id}: {self.unit_id}"


def evidence_path(instance: "Evidence", filename: str) -> str:
    return f"ledger/evidence/{instance.task_id}/{filename}"


class Evidence(models.Model):
    """A file backing a progress report or a closure. Served only through the access check."""

    task = models.ForeignKey(LedgerTask, on_delete=models.CASCADE, related_name="evidence")
    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    closure = models.ForeignKey(
        Closure, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(report__isnull=False) & models.Q(closure__isnull=True))
                | (models.Q(report__isnull=True) & models.Q(closure__isnull=False)),
                name="ledger_evidence_report_xor_closure",
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class TaskEvent(models.Model):
    """The task's history as shown on its page (the audit log keeps the full record)."""

    task = models.ForeignKey(LedgerTask, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=40, choices=EventKind.choices)
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        "org.Department", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("task event")
        verbose_name_plural = _("task events")

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind}"


# --- Comprehensive evaluation (综合评价) -----------------------------------------------------


class Indicator(models.Model):
    """A weighted indicator of the evaluation; ``source`` names a function in the registry
    (``indicators.py``) that gives each unit's value for a period and the inputs behind it."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    source = models.CharField(_("data source"), max_length=60)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=100)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("evaluation indicator")
        verbose_name_plural = _("evaluation indicators")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gte=0), name="ledger_indicator_weight_nonnegative"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Evaluation(models.Model):
    """The evaluation of every unit for one period; recomputing replaces its scores."""

    period_kind = models.CharField(_("period"), max_length=10)  # month, quarter, year
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    computed_at = models.DateTimeField(_("computed at"))
    computed_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The indicators and weights used, so a later change of weights does not rewrite history.
    indicators = models.JSONField(_("indicators used"), default=list)

    class Meta:
        ordering = ["-period_start", "period_kind"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.UniqueConstraint(
                fields=["period_kind", "period_start"], name="ledger_evaluation_unique_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_kind} {self.period_start}"


class EvaluationScore(models.Model):
    """One unit's score and rank, with every indicator's value, weight and inputs."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    unit = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    rank = models.PositiveIntegerField(_("rank"))
    breakdown = models.JSONField(_("breakdown"), default=list)

    class Meta:
        ordering = ["evaluation", "rank", "unit_id"]
        verbose_name = _("evaluation score")
        verbose_name_plural = _("evaluation scores")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "unit"], name="ledger_score_unique_unit")
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id}: {self.unit_id} {self.score}"
