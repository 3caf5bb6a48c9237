"""Error codes of the ledger, each with the message the user sees."""

from django.utils.translation import gettext_lazy as _

from banhao.core import states as core_states
from banhao.core.errors import DomainError, ErrorCode


class LedgerError(DomainError):
    """A refused ledger action; ``field`` names the input it is about."""


class TransitionRefused(core_states.TransitionRefused, LedgerError):
    """A stage change the task's current stage does not allow."""


NOT_YOUR_TASK = ErrorCode(
    "not_your_task", _("Your unit is not a lead or responsible unit of this task."), 403
)
OFFICE_ONLY = ErrorCode("office_only", _("Only the county government office may do this."), 403)
SIGN_OFF_ONLY = ErrorCode(
    "sign_off_only", _("Only a head of the county government office may sign off."), 403
)
LEAD_HEAD_ONLY = ErrorCode(
    "lead_head_only", _("Only the head of a lead unit may confirm or send back."), 403
)
TASK_CLOSED = ErrorCode("task_closed", _("This task is closed; it has to be reopened first."))
WRONG_STAGE = ErrorCode(
    "wrong_stage", _("This task is not at a stage that allows this; reload the page."), 409
)
NO_LEAD_UNIT = ErrorCode(
    "no_lead_unit",
    _("This task has no lead unit to confirm its closure; the office has to name one first."),
)
EVIDENCE_REQUIRED = ErrorCode("evidence_required", _("Attach at least one evidence file."))
FILE_TOO_LARGE = ErrorCode("file_too_large", _("Each file may be at most 20 MB."))
FILE_TYPE = ErrorCode(
    "file_type",
    _("Evidence must be a PDF, image, Word, Excel, WPS/OFD or ZIP file."),
)
TEXT_REQUIRED = ErrorCode("text_required", _("Describe the progress made."))
REASON_REQUIRED = ErrorCode("reason_required", _("Give a reason."))
PERCENT_RANGE = ErrorCode(
    "percent_range", _("The percentage must be a whole number from 0 to 100.")
)
PERIOD_INVALID = ErrorCode(
    "period_invalid",
    _("Choose a reporting period that has started; reports cannot be filed in advance."),
)
PERIOD_REPORTED = ErrorCode(
    "period_reported",
    _("Your unit has already reported for this period."),
)
CONCURRENT = ErrorCode(
    "concurrent",
    _("Someone else changed this task at the same moment; reload the page and try again."),
    409,
)
ALREADY_CONFIRMED = ErrorCode(
    "already_confirmed", _("Your unit has already confirmed this closure.")
)
DEADLINE_BEFORE_START = ErrorCode(
    "deadline_before_start", _("The deadline cannot be before the start.")
)
UNIT_ALREADY_ON_TASK = ErrorCode("unit_already_on_task", _("This unit is already on the task."))
LAST_LEAD_UNIT = ErrorCode("last_lead_unit", _("A task with reports needs at least one lead unit."))
WEIGHTS_INVALID = ErrorCode("weights_invalid", _("Weights must be numbers from 0 to 100."))
PERIOD_KIND_INVALID = ErrorCode("period_kind_invalid", _("Choose a month, a quarter or a year."))
UNIT_STAFF_ONLY = ErrorCode("unit_staff_only", _("Only unit staff have a unit view."), 403)
