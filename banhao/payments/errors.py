"""Error codes of the payments app, each with a message in the user's language."""

from django.utils.translation import gettext_lazy as _

from banhao.core import states as core_states
from banhao.core.errors import DomainError, ErrorCode


class PaymentsError(DomainError):
    """A refused payments operation."""


class TransitionRefused(core_states.TransitionRefused, PaymentsError):
    """A task or case whose status does not allow the step (someone may have acted first);
    for ``check_transition(..., refused=errors.TransitionRefused)``."""


CONFLICT = ErrorCode(
    "conflict",
    _(
        "Someone else changed this place while you were editing. Your entries are kept below; "
        "check the current values and save again."
    ),
    409,
)
NOT_ALLOWED = ErrorCode(
    "not_allowed", _("Only the responsible unit or bank may change this place."), 403
)
NO_VALUES = ErrorCode("no_values", _("Choose at least one capability to record."))
FUTURE_DATE = ErrorCode("future_date", _("The date of a fact cannot be in the future."))
NO_FINDINGS = ErrorCode("no_findings", _("Record at least one finding of the visit."))
TASK_CLOSED = ErrorCode("task_closed", _("This task has already been closed by someone else."), 409)
RESOLUTION_REQUIRED = ErrorCode("resolution_required", _("Say what was done to close this task."))
ENFORCEMENT_REFUSED = ErrorCode(
    "enforcement_refused", _("This case cannot move from “%(current)s” to “%(target)s”."), 409
)
ENFORCEMENT_NOT_ALLOWED = ErrorCode(
    "enforcement_not_allowed",
    _("Only the cash-enforcement unit may work on cash-refusal cases."),
    403,
)
DESCRIPTION_REQUIRED = ErrorCode("description_required", _("Please tell us what happened."))
PLACE_CLOSED = ErrorCode("place_closed", _("This place is no longer listed."))
IMPORT_INVALID = ErrorCode("import_invalid", _("The file has errors; nothing was imported."))
IMPORT_NOT_ALLOWED = ErrorCode(
    "import_not_allowed",
    _("Only administrators and the People's Bank office may import the register."),
    403,
)
NO_UNIT = ErrorCode(
    "no_unit", _("Your account does not belong to a unit that keeps payment places.")
)
WRONG_SECTOR = ErrorCode(
    "wrong_sector",
    _("Your unit is not the supervising department of this sector; choose one of your sectors."),
)
BANK_PLACE = ErrorCode("bank_place", _("ATMs and bank branches are registered by their bank."))
CODE_TAKEN = ErrorCode("code_taken", _("Another place already has this code."))
