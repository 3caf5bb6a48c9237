"""Error codes of one-thing applications, with messages in the user's language."""

from django.utils.translation import gettext_lazy as _

from banhao.core import errors as core_errors
from banhao.core import states as core_states
from banhao.core.errors import CodeAndMessage, ErrorCode


class OneThingError(CodeAndMessage):
    """A refused operation on an application or a task."""


class TransitionRefused(core_states.TransitionRefused, OneThingError):
    """The application or task is not in a state that allows this action."""


class Conflict(core_errors.Conflict, OneThingError):
    """Someone else changed the task since the caller looked at it."""


class PreReviewFailed(core_errors.InvalidInput, OneThingError):
    """Pre-review found problems; ``problems`` holds every one of them (一次性告知)."""

    def __init__(self, problems: list[dict]):
        super().__init__(PREREVIEW_FAILED, problems=problems, count=len(problems))


PREREVIEW_FAILED = ErrorCode(
    "prereview_failed", _("The application has %(count)d problems to fix.")
)
NOT_DRAFT = ErrorCode(
    "not_draft", _("This application has been submitted and can no longer be edited.")
)
NO_ITEMS = ErrorCode(
    "no_items",
    _("None of this bundle's services applies to your answers; nothing can be submitted."),
)
UNKNOWN_QUESTION = ErrorCode("unknown_question", _("Unknown question: %(key)s."))
BAD_ANSWER = ErrorCode("bad_answer", _("“%(value)s” is not an answer to “%(question)s”."))
UNKNOWN_FIELD = ErrorCode("unknown_field", _("Unknown form field: %(key)s."))
UNKNOWN_MATERIAL = ErrorCode(
    "unknown_material", _("This application does not ask for material %(material)s.")
)
FILE_TOO_LARGE = ErrorCode(
    "file_too_large",
    _("The file is larger than %(limit)d MB; please upload a smaller scan."),
)
TASK_STATE = ErrorCode(
    "task_state",
    _("This task is “%(state)s”; it cannot be %(action)s now. Reload the page to see its status."),
)
TASK_CONFLICT = ErrorCode(
    "task_conflict",
    _(
        "Someone else changed this task at the same time (now “%(state)s”). Nothing was "
        "applied twice; reload the page to see the current status."
    ),
)
BAD_RESULT = ErrorCode(
    "bad_result",
    _("The result “%(value)s” does not look like a %(label)s (example: %(example)s)."),
)
REASON_REQUIRED = ErrorCode(
    "reason_required", _("Please give the reason, so the applicant knows why.")
)
CORRECTION_EMPTY = ErrorCode(
    "correction_empty",
    _("Say what the applicant must correct: a message and at least one field or material."),
)
APPLICANT_REQUIRED = ErrorCode(
    "applicant_required",
    _("Enter the applicant's name and ID number (or credit code) before starting."),
)
NOT_YOURS = ErrorCode("not_yours", _("You cannot act on this application."), 403)
DEPARTMENT_UNRESOLVED = ErrorCode(
    "department_unresolved",
    _("Choose which department keeps the list for “%(item)s”."),
)
BAD_JSON = ErrorCode("bad_json", _("“data” must be a JSON object."))
RECORDS_OWN_ONLY = ErrorCode(
    "records_own_only",
    _(
        "Only the applicant, signed in with a verified identity, can consent to using their records."
    ),
    403,
)
NO_RECORDS = ErrorCode(
    "no_records", _("None of the materials asked for is held in your records; upload them.")
)
