"""Error codes of the ledger, each with the message the user sees."""

from django.utils.translation import gettext_lazy as _


class LedgerError(Exception):
    """A refused ledger action; ``message`` is shown to the user, ``field`` names the input."""

    def __init__(self, code: str, message, field: str = ""):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field


NOT_YOUR_TASK = ("not_your_task", _("Your unit is not a lead or responsible unit of this task."))
OFFICE_ONLY = ("office_only", _("Only the county government office may do this."))
SIGN_OFF_ONLY = ("sign_off_only", _("Only a head of the county government office may sign off."))
LEAD_HEAD_ONLY = ("lead_head_only", _("Only the head of a lead unit may confirm or send back."))
TASK_CLOSED = ("task_closed", _("This task is closed; it has to be reopened first."))
WRONG_STAGE = ("wrong_stage", _("This task is not at a stage that allows this; reload the page."))
NO_LEAD_UNIT = (
    "no_lead_unit",
    _("This task has no lead unit to confirm its closure; the office has to name one first."),
)
EVIDENCE_REQUIRED = ("evidence_required", _("Attach at least one evidence file."))
FILE_TOO_LARGE = ("file_too_large", _("Each file may be at most 20 MB."))
FILE_TYPE = (
    "file_type",
    _("Evidence must be a PDF, image, Word, Excel, WPS/OFD or ZIP file."),
)
TEXT_REQUIRED = ("text_required", _("Describe the progress made."))
REASON_REQUIRED = ("reason_required", _("Give a reason."))
PERCENT_RANGE = ("percent_range", _("The percentage must be a whole number from 0 to 100."))
PERIOD_INVALID = (
    "period_invalid",
    _("Choose a reporting period that has started; reports cannot be filed in advance."),
)
PERIOD_REPORTED = (
    "period_reported",
    _("Your unit has already reported for this period."),
)
CONCURRENT = (
    "concurrent",
    _("Someone else changed this task at the same moment; reload the page and try again."),
)
ALREADY_CONFIRMED = ("already_confirmed", _("Your unit has already confirmed this closure."))
DEADLINE_BEFORE_START = ("deadline_before_start", _("The deadline cannot be before the start."))
UNIT_ALREADY_ON_TASK = ("unit_already_on_task", _("This unit is already on the task."))
LAST_LEAD_UNIT = ("last_lead_unit", _("A task with reports needs at least one lead unit."))
WEIGHTS_INVALID = ("weights_invalid", _("Weights must be numbers from 0 to 100."))
PERIOD_KIND_INVALID = ("period_kind_invalid", _("Choose a month, a quarter or a year."))


def raise_error(error: tuple, field: str = "") -> None:
    raise LedgerError(*error, field=field)
