"""Application and task states, and the transitions each allows.

An application is one applicant's request for one bundle; on submission it fans out to one
task per applicable item. Tasks carry the departments' work; the application's state is derived
from its tasks after every step.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from banhao.core.states import allowed_from, check_transition

from .errors import TASK_STATE, TransitionRefused


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")  # being filled in; saved at every step, nothing sent yet
    IN_PROGRESS = "in_progress", _("In progress")  # submitted; departments are working
    CORRECTION = "correction", _("Correction requested")  # a department waits for the applicant
    COMPLETED = "completed", _("Completed")  # every item approved; combined result ready
    PARTLY_COMPLETED = "partly_completed", _("Partly completed")  # some approved, some refused
    REJECTED = "rejected", _("Rejected")  # no item approved
    WITHDRAWN = "withdrawn", _("Withdrawn")  # the applicant gave up a draft


class TaskState(models.TextChoices):
    WAITING = "waiting", _("Waiting for other items")  # needs results of items not done yet
    READY = "ready", _("To accept")  # in the department's queue; deadline running
    ACCEPTED = "accepted", _("Accepted")  # a handler is working on it
    CORRECTION = "correction", _("Correction requested")  # back with the applicant (clock stops)
    APPROVED = "approved", _("Approved")  # done, with a result (certificate number…)
    REJECTED = "rejected", _("Rejected")  # refused, with a reason
    CANCELLED = "cancelled", _("Cancelled")  # an item it needed was rejected


OPEN_TASK_STATES = (TaskState.WAITING, TaskState.READY, TaskState.ACCEPTED, TaskState.CORRECTION)
FINAL_TASK_STATES = (TaskState.APPROVED, TaskState.REJECTED, TaskState.CANCELLED)
# A department's queue: tasks it has to act on. Spelled once, so the queue's queries and its
# partial index (Task.Meta) name the same states in the same order and the index applies.
QUEUE_STATES = (TaskState.READY, TaskState.ACCEPTED, TaskState.CORRECTION)
SUBMITTED_STATES = (
    ApplicationState.IN_PROGRESS,
    ApplicationState.CORRECTION,
    ApplicationState.COMPLETED,
    ApplicationState.PARTLY_COMPLETED,
    ApplicationState.REJECTED,
)
FINAL_APPLICATION_STATES = (
    ApplicationState.COMPLETED,
    ApplicationState.PARTLY_COMPLETED,
    ApplicationState.REJECTED,
)

# Handler actions and the task states they start from.
TASK_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "accept": (TaskState.READY,),
    # Approving a task still in the queue accepts it in the same step (即办).
    "approve": (TaskState.READY, TaskState.ACCEPTED),
    "reject": (TaskState.READY, TaskState.ACCEPTED),
    "request_correction": (TaskState.READY, TaskState.ACCEPTED),
    "answer_correction": (TaskState.CORRECTION,),
}
# The same table the other way round, as ``check_transition`` reads it.
TASK_ALLOWED = allowed_from(TASK_TRANSITIONS)


def check_task(task, action: str) -> None:
    """Refuse ``action`` on a task whose state does not allow it (``TransitionRefused``, 409)."""
    check_transition(
        task.state,
        action,
        TASK_ALLOWED,
        error=TASK_STATE,
        refused=TransitionRefused,
        state=task.get_state_display(),
        action=ACTION_LABELS[action],
    )


# How the refusal names each action (``TASK_STATE``'s “it cannot be %(action)s now”).
ACTION_LABELS = {
    "accept": _("accepted"),
    "approve": _("approved"),
    "reject": _("rejected"),
    "request_correction": _("sent back for correction"),
    "answer_correction": _("resumed"),
}


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    WINDOW = (
        "window",
        _("At a service window"),
    )  # 一窗受理: a clerk applies on the applicant's behalf


class EventKind(models.TextChoices):
    """Timeline entries the applicant sees."""

    CREATED = "created", _("Application started")
    SUBMITTED = "submitted", _("Application submitted")
    TASK_STARTED = "task_started", _("Sent to the department")
    ACCEPTED = "accepted", _("Accepted by the department")
    CORRECTION_REQUESTED = "correction_requested", _("Correction requested")
    CORRECTION_ANSWERED = "correction_answered", _("Correction supplied")
    APPROVED = "approved", _("Item approved")
    REJECTED = "rejected", _("Item rejected")
    CANCELLED = "cancelled", _("Item cancelled")
    FINISHED = "finished", _("Application finished")
    WITHDRAWN = "withdrawn", _("Draft withdrawn")
