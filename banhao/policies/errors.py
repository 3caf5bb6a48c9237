"""Error codes of enterprise policies, each with a message in the user's language."""

from django.utils.translation import gettext_lazy as _

from banhao.core import states as core_states
from banhao.core.errors import DomainError, ErrorCode


class PolicyError(DomainError):
    """A refused operation; ``field`` names the form field (or ``clause-N`` for the N-th
    clause, from 0) when the error belongs to one."""


class TransitionRefused(core_states.TransitionRefused, PolicyError):
    """A policy or grant whose state does not allow the step (someone may have acted first)."""


NOT_ALLOWED = ErrorCode(
    "not_allowed", _("Only staff of the issuing department may change this policy."), 403
)
NOT_DRAFT = ErrorCode(
    "not_draft",
    _("Only draft policies can be changed; close this one and write a new one instead."),
)
TRANSITION = ErrorCode(
    "transition", _("A policy cannot go from “%(current)s” to “%(target)s”."), 409
)
TITLE_REQUIRED = ErrorCode("title_required", _("Give the policy a title."))
BENEFIT_REQUIRED = ErrorCode("benefit_required", _("Name the benefit the policy gives."))
AMOUNT_REQUIRED = ErrorCode(
    "amount_required",
    _("Give either a fixed amount or an amount formula, not both and not neither."),
)
CAP_WITHOUT_FORMULA = ErrorCode(
    "cap_without_formula", _("A maximum amount only applies to a formula.")
)
NEGATIVE_AMOUNT = ErrorCode("negative_amount", _("Amounts cannot be negative."))
BAD_DATES = ErrorCode("bad_dates", _("The end of validity cannot be before its start."))
EXPIRED = ErrorCode("expired", _("The policy's validity has already ended."))
NO_CLAUSES = ErrorCode("no_clauses", _("A policy needs at least one eligibility clause."))
LABEL_REQUIRED = ErrorCode("label_required", _("Give each clause a label, e.g. “R&D intensity”."))
BAD_RULE = ErrorCode("bad_rule", _("Clause %(number)s: %(message)s"))
BAD_FORMULA = ErrorCode("bad_formula", _("Amount formula: %(message)s"))
APPROVAL_WITHOUT_EXEMPTION = ErrorCode(
    "approval_without_exemption",
    _("Staff approval only applies to benefits granted without application (免申即享)."),
)
GRANT_DECIDED = ErrorCode(
    "grant_decided", _("This grant has already been decided by someone else."), 409
)
REASON_REQUIRED = ErrorCode(
    "reason_required", _("Say why the grant is refused; the enterprise sees it.")
)
PURPOSE_REQUIRED = ErrorCode(
    "purpose_required",
    _("Say why you look at this enterprise (at least %(n)s characters)."),
)
NO_ENTERPRISE = ErrorCode("no_enterprise", _("No enterprise archive has this credit code."))
NO_OWN_ARCHIVE = ErrorCode("no_own_archive", _("No enterprise archive for this account."), 404)
STAFF_ONLY = ErrorCode("staff_only", _("Staff only."), 403)
