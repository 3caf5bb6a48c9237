"""Enterprise policies (惠企政策): rules over archive facts, matches, and 免申即享 grants.

A policy's eligibility is a list of clauses, all of which must hold; each clause is a condition
in the safe rule language of ``rules.py`` with a human label used in explanations. Rules are
validated by ``services`` before they are saved and are read back with ``rules.parse_condition``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .states import GrantState, PolicyState


class Policy(models.Model):
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="policies",
        verbose_name=_("department issuing the policy"),
    )
    summary = models.TextField(_("summary"), blank=True)
    summary_en = models.TextField(_("English summary"), blank=True)
    document_number = models.CharField(_("document number"), max_length=64, blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    benefit_title = models.CharField(_("benefit"), max_length=200)
    benefit_title_en = models.CharField(_("English benefit name"), max_length=200, blank=True)
    # Either a fixed amount, or a formula over the facts (10,000 yuan) with an optional cap.
    amount_fixed = models.DecimalField(
        _("fixed amount (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    amount_formula = models.CharField(_("amount formula"), max_length=500, blank=True)
    amount_cap = models.DecimalField(
        _("maximum amount (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=PolicyState.choices, default=PolicyState.DRAFT
    )
    # 免申即享: granted to every eligible enterprise without an application.
    exempt_application = models.BooleanField(
        _("granted without application (免申即享)"), default=False
    )
    needs_staff_approval = models.BooleanField(_("grants need staff approval"), default=False)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-valid_from", "-id"]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        indexes = [models.Index(fields=["state", "department"], name="policies_state_dept")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_fixed__isnull=True) | Q(amount_formula=""),
                name="policies_policy_one_amount_kind",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="policies_policy_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Clause(models.Model):
    """One condition of a policy's eligibility; all clauses of a policy must hold."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="clauses")
    position = models.PositiveSmallIntegerField(_("position"))
    label = models.CharField(_("label"), max_length=100)
    label_en = models.CharField(_("English label"), max_length=100, blank=True)
    expression = models.CharField(_("rule"), max_length=500)

    class Meta:
        ordering = ["policy", "position"]
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        constraints = [
            models.UniqueConstraint(fields=["policy", "position"], name="policies_clause_position")
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.expression}"


class PolicyMatch(models.Model):
    """An enterprise found eligible by the matching job; written by ``services.match_all``.

    ``lapsed_at`` is set when a later run no longer finds it eligible (its facts changed) and
    cleared if it qualifies again; ``notified_at`` when its account was told (once).
    """

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="matches")
    enterprise = models.ForeignKey(
        "archives.Enterprise", on_delete=models.CASCADE, related_name="policy_matches"
    )
    matched_at = models.DateTimeField(_("matched"))
    lapsed_at = models.DateTimeField(_("no longer eligible since"), null=True, blank=True)
    notified_at = models.DateTimeField(_("told"), null=True, blank=True)

    class Meta:
        verbose_name = _("policy match")
        verbose_name_plural = _("policy matches")
        constraints = [
            models.UniqueConstraint(fields=["policy", "enterprise"], name="policies_match_once")
        ]
        indexes = [models.Index(fields=["enterprise"], name="policies_match_enterprise")]

    def __str__(self) -> str:
        return f"{self.policy_id} → {self.enterprise_id}"


class Grant(models.Model):
    """A 免申即享 benefit made by the matching job, with no application."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="grants")
    enterprise = models.ForeignKey(
        "archives.Enterprise", on_delete=models.PROTECT, related_name="policy_grants"
    )
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    state = models.CharField(_("state"), max_length=20, choices=GrantState.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    benefit = models.OneToOneField(
        "archives.Benefit", on_delete=models.PROTECT, null=True, blank=True, related_name="grant"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        constraints = [
            models.UniqueConstraint(fields=["policy", "enterprise"], name="policies_grant_once")
        ]
        indexes = [
            models.Index(fields=["state", "policy"], name="policies_grant_state"),
            models.Index(fields=["enterprise"], name="policies_grant_enterprise"),
        ]

    def __str__(self) -> str:
        return f"{self.policy} → {self.enterprise_id}"
