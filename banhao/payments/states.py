"""Statuses of follow-up tasks, hotline hand-offs and cash-refusal enforcement, with the allowed
transitions. Services check the source state with ``check`` (``banhao.core.states``), which raises
``TransitionRefused`` (409) otherwise."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from banhao.core.states import TransitionRefused as TransitionRefused  # what services catch
from banhao.core.states import check_transition


class TaskStatus(models.TextChoices):
    # Opened by an inspection finding or a problem report; the responsible unit must act.
    OPEN = "open", pgettext_lazy("payments task", "Open")
    # The unit fixed the shortfall (usually with a capability update) and closed the task.
    DONE = "done", _("Done")
    # Closed without action: the finding turned out wrong, or the place closed down.
    CANCELLED = "cancelled", _("Cancelled")


TASK_TRANSITIONS = {
    TaskStatus.OPEN: {TaskStatus.DONE, TaskStatus.CANCELLED},
    TaskStatus.DONE: set(),
    TaskStatus.CANCELLED: set(),
}


class HandoffStatus(models.TextChoices):
    # Kept here because the hotline intake was not available (or failed); retried by
    # ``services.hand_off_pending_reports``. Never dropped.
    PENDING = "pending", _("Waiting for hand-off to the 12345 hotline")
    # A hotline ticket exists; ``hotline_ticket_ref`` names it.
    HANDED_OFF = "handed_off", _("Passed to the 12345 hotline")


HANDOFF_TRANSITIONS = {
    HandoffStatus.PENDING: {HandoffStatus.HANDED_OFF},
    HandoffStatus.HANDED_OFF: set(),
}


class EnforcementStatus(models.TextChoices):
    """Cash refusals (拒收人民币现金) are tracked for enforcement by the People's Bank office."""

    # Reported; nobody has looked into it yet.
    REPORTED = "reported", _("Reported")
    # The enforcement unit is checking the place.
    INVESTIGATING = "investigating", _("Under investigation")
    # A refusal was confirmed and penalised (and published, as the plan requires).
    PENALISED = "penalised", _("Confirmed and penalised")
    # Confirmed, corrected on the spot with a warning; no penalty.
    WARNED = "warned", _("Confirmed, warning given")
    # No refusal could be confirmed.
    UNFOUNDED = "unfounded", _("Not confirmed")


ENFORCEMENT_TRANSITIONS = {
    EnforcementStatus.REPORTED: {EnforcementStatus.INVESTIGATING, EnforcementStatus.UNFOUNDED},
    EnforcementStatus.INVESTIGATING: {
        EnforcementStatus.PENALISED,
        EnforcementStatus.WARNED,
        EnforcementStatus.UNFOUNDED,
    },
    EnforcementStatus.PENALISED: set(),
    EnforcementStatus.WARNED: set(),
    EnforcementStatus.UNFOUNDED: set(),
}
ENFORCEMENT_CLOSED = {
    EnforcementStatus.PENALISED,
    EnforcementStatus.WARNED,
    EnforcementStatus.UNFOUNDED,
}


def check(transitions: dict, current: str, target: str, action: str = "") -> None:
    """``check_transition`` in the argument order ``payments/services.py`` calls it."""
    check_transition(current, target, transitions, action=action)
