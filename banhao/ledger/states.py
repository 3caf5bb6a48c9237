"""Stages of a ledger task, reporting cycles and the derived status.

The stage is where the task is in closing; it changes only through the services below and only
along ``STAGE_TRANSITIONS``. The status (on track, at risk, overdue, done) is derived — from the
stage, the deadline, the progress and the reports — and never set by anyone (``schedule.py``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Cycle(models.TextChoices):
    # No periodic report is asked for (the default until the office sets a cycle).
    NONE = "none", _("No periodic report")
    # One report per calendar week (Monday to Sunday), due on its last working day.
    WEEKLY = "weekly", _("Weekly")
    # One report per calendar month, due on its last working day.
    MONTHLY = "monthly", _("Monthly")


class Stage(models.TextChoices):
    # Being worked on; units file progress reports.
    OPEN = "open", pgettext_lazy("ledger stage", "Open")
    # A unit proposed closing it with evidence; the lead units are to confirm.
    CLOSURE_PROPOSED = "closure_proposed", _("Closure proposed")
    # Every lead unit confirmed; the office is to sign off.
    LEAD_CONFIRMED = "lead_confirmed", _("Confirmed by lead units")
    # The office signed off. Can be reopened; the history stays.
    CLOSED = "closed", _("Closed")


STAGE_TRANSITIONS: dict[str, frozenset[str]] = {
    Stage.OPEN: frozenset({Stage.CLOSURE_PROPOSED}),
    Stage.CLOSURE_PROPOSED: frozenset({Stage.LEAD_CONFIRMED, Stage.OPEN}),
    Stage.LEAD_CONFIRMED: frozenset({Stage.CLOSED, Stage.OPEN}),
    Stage.CLOSED: frozenset({Stage.OPEN}),
}


class Status(models.TextChoices):
    # Not closed, deadline not passed, progress keeping pace and reports in on time.
    ON_TRACK = "on_track", _("On track")
    # Not closed and one of: a report is late, progress lags the time elapsed by 25 points
    # or more, or the deadline is within 7 days and progress is below 100%.
    AT_RISK = "at_risk", _("At risk")
    # Not closed and the deadline has passed.
    OVERDUE = "overdue", _("Overdue")
    # Closed (signed off by the office).
    DONE = "done", _("Done")


class EventKind(models.TextChoices):
    """Entries of a task's history (``TaskEvent.kind``)."""

    SCHEDULE_SET = "schedule_set", _("Schedule set")
    UNIT_ADDED = "unit_added", _("Unit added")
    REPORT_FILED = "report_filed", _("Progress report filed")
    CLOSURE_PROPOSED = "closure_proposed", _("Closure proposed")
    CLOSURE_LEAD_CONFIRMED = "closure_lead_confirmed", _("Lead unit confirmed")
    CLOSURE_CONFIRMED_BY_LEADS = "closure_confirmed_by_leads", _("All lead units confirmed")
    CLOSURE_SENT_BACK = "closure_sent_back", _("Closure sent back")
    SIGNED_OFF = "signed_off", _("Signed off and closed")
    REOPENED = "reopened", _("Reopened")
    IMPORTED = "imported", _("Imported from a spreadsheet")
    IMPORT_UPDATED = "import_updated", _("Updated from a spreadsheet")
