"""Error codes of the payments app, each with a message in the user's language."""

from django.utils.translation import gettext_lazy as _


class PaymentsError(Exception):
    """A refused payments operation; ``message`` is shown to the user."""

    def __init__(self, error: tuple[str, object], **params):
        code, message = error
        message = str(message) % params if params else message
        super().__init__(str(message))
        self.code = code
        self.message = message


CONFLICT = (
    "conflict",
    _(
        "Someone else changed this place while you were editing. Your entries are kept below; "
        "check the current values and save again."
    ),
)
NOT_ALLOWED = ("not_allowed", _("Only the responsible unit or bank may change this place."))
NO_VALUES = ("no_values", _("Choose at least one capability to record."))
FUTURE_DATE = ("future_date", _("The date of a fact cannot be in the future."))
NO_FINDINGS = ("no_findings", _("Record at least one finding of the visit."))
TASK_CLOSED = ("task_closed", _("This task has already been closed by someone else."))
RESOLUTION_REQUIRED = ("resolution_required", _("Say what was done to close this task."))
ENFORCEMENT_REFUSED = (
    "enforcement_refused",
    _("This case cannot move from “%(current)s” to “%(target)s”."),
)
ENFORCEMENT_NOT_ALLOWED = (
    "enforcement_not_allowed",
    _("Only the cash-enforcement unit may work on cash-refusal cases."),
)
DESCRIPTION_REQUIRED = ("description_required", _("Please tell us what happened."))
PLACE_CLOSED = ("place_closed", _("This place is no longer listed."))
IMPORT_INVALID = ("import_invalid", _("The file has errors; nothing was imported."))
IMPORT_NOT_ALLOWED = (
    "import_not_allowed",
    _("Only administrators and the People's Bank office may import the register."),
)
NO_UNIT = ("no_unit", _("Your account does not belong to a unit that keeps payment places."))
WRONG_SECTOR = (
    "wrong_sector",
    _("Your unit is not the supervising department of this sector; choose one of your sectors."),
)
BANK_PLACE = ("bank_place", _("ATMs and bank branches are registered by their bank."))
CODE_TAKEN = ("code_taken", _("Another place already has this code."))
