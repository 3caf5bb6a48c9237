"""Error codes of enterprise policies, each with a message in the user's language."""

from django.utils.translation import gettext_lazy as _


class PolicyError(Exception):
    """A refused operation; ``message`` is shown to the user, ``field`` names the form field
    (or ``clause-N`` for the N-th clause, from 0) when the error belongs to one."""

    def __init__(self, error: tuple[str, object], field: str = "", **params):
        code, message = error
        message = str(message) % params if params else str(message)
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


NOT_ALLOWED = ("not_allowed", _("Only staff of the issuing department may change this policy."))
NOT_DRAFT = (
    "not_draft",
    _("Only draft policies can be changed; close this one and write a new one instead."),
)
TRANSITION = ("transition", _("A policy cannot go from “%(current)s” to “%(target)s”."))
TITLE_REQUIRED = ("title_required", _("Give the policy a title."))
BENEFIT_REQUIRED = ("benefit_required", _("Name the benefit the policy gives."))
AMOUNT_REQUIRED = (
    "amount_required",
    _("Give either a fixed amount or an amount formula, not both and not neither."),
)
CAP_WITHOUT_FORMULA = ("cap_without_formula", _("A maximum amount only applies to a formula."))
NEGATIVE_AMOUNT = ("negative_amount", _("Amounts cannot be negative."))
BAD_DATES = ("bad_dates", _("The end of validity cannot be before its start."))
EXPIRED = ("expired", _("The policy's validity has already ended."))
NO_CLAUSES = ("no_clauses", _("A policy needs at least one eligibility clause."))
LABEL_REQUIRED = ("label_required", _("Give each clause a label, e.g. “R&D intensity”."))
BAD_RULE = ("bad_rule", _("Clause %(number)s: %(message)s"))
BAD_FORMULA = ("bad_formula", _("Amount formula: %(message)s"))
APPROVAL_WITHOUT_EXEMPTION = (
    "approval_without_exemption",
    _("Staff approval only applies to benefits granted without application (免申即享)."),
)
GRANT_DECIDED = ("grant_decided", _("This grant has already been decided by someone else."))
REASON_REQUIRED = ("reason_required", _("Say why the grant is refused; the enterprise sees it."))
PURPOSE_REQUIRED = (
    "purpose_required",
    _("Say why you look at this enterprise (at least %(n)s characters)."),
)
NO_ENTERPRISE = ("no_enterprise", _("No enterprise archive has this credit code."))
