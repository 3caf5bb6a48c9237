"""Error codes of one-thing applications, with messages in the user's language."""

from django.utils.translation import gettext_lazy as _


class OneThingError(Exception):
    """A refused operation; ``code`` is stable for API clients, ``message`` is translated."""

    status = 400

    def __init__(self, code: str, message, **params):
        self.code = code
        self.message = message % params if params else message
        super().__init__(str(self.message))


class TransitionRefused(OneThingError):
    """The object is not in a state that allows this action."""

    status = 409


class Conflict(OneThingError):
    """Someone else changed the task since the caller looked at it."""

    status = 409


class PreReviewFailed(OneThingError):
    """Pre-review found problems; ``problems`` holds every one of them (一次性告知)."""

    status = 422

    def __init__(self, problems: list[dict]):
        self.problems = problems
        super().__init__(
            "prereview_failed",
            _("The application has %(count)d problems to fix."),
            count=len(problems),
        )


NOT_DRAFT = ("not_draft", _("This application has been submitted and can no longer be edited."))
NO_ITEMS = (
    "no_items",
    _("None of this bundle's services applies to your answers; nothing can be submitted."),
)
UNKNOWN_QUESTION = ("unknown_question", _("Unknown question: %(key)s."))
BAD_ANSWER = ("bad_answer", _("“%(value)s” is not an answer to “%(question)s”."))
UNKNOWN_FIELD = ("unknown_field", _("Unknown form field: %(key)s."))
UNKNOWN_MATERIAL = ("unknown_material", _("This application does not ask for material %(code)s."))
FILE_TOO_LARGE = (
    "file_too_large",
    _("The file is larger than %(limit)d MB; please upload a smaller scan."),
)
TASK_STATE = (
    "task_state",
    _("This task is “%(state)s”; it cannot be %(action)s now. Reload the page to see its status."),
)
TASK_CONFLICT = (
    "task_conflict",
    _(
        "Someone else changed this task at the same time (now “%(state)s”). Nothing was "
        "applied twice; reload the page to see the current status."
    ),
)
BAD_RESULT = (
    "bad_result",
    _("The result “%(value)s” does not look like a %(label)s (example: %(example)s)."),
)
REASON_REQUIRED = ("reason_required", _("Please give the reason, so the applicant knows why."))
CORRECTION_EMPTY = (
    "correction_empty",
    _("Say what the applicant must correct: a message and at least one field or material."),
)
APPLICANT_REQUIRED = (
    "applicant_required",
    _("Enter the applicant's name and ID number (or credit code) before starting."),
)
NOT_YOURS = ("not_yours", _("You cannot act on this application."))
DEPARTMENT_UNRESOLVED = (
    "department_unresolved",
    _("Choose which department keeps the list for “%(item)s”."),
)
