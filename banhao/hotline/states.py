"""Ticket states, the transitions between them, and the enums a ticket carries.

The lifecycle (measures 十, 十一): registered → dispatched → accepted (handling) or returned →
replied → callback → closed, or reopened (续报) back to the unit. A returned ticket whose
responsibility is disputed goes to a three-party ruling (三方联动) before it is dispatched again.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from banhao.core.states import allowed_from, check_transition

from .errors import TransitionRefused


class TicketStatus(models.TextChoices):
    # Taken in by an operator, a web/mobile form or an API client; not yet sent to a unit.
    REGISTERED = "registered", _("Registered")
    # Sent to a unit, waiting for it to accept or return it.
    DISPATCHED = "dispatched", _("Dispatched")
    # The unit returned it (wrong assignment); back with the centre to re-dispatch or rule on.
    RETURNED = "returned", _("Returned")
    # Responsibility disputed; waiting for the establishment office's ruling (三方联动).
    IN_RULING = "in_ruling", _("Awaiting ruling")
    # Accepted by the unit and being handled.
    HANDLING = "handling", _("Handling")
    # The unit has replied; waiting for the centre's callback to the requester.
    REPLIED = "replied", _("Replied")
    # Done: called back (or answered directly at intake); may still be reopened.
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = frozenset(
    {
        TicketStatus.REGISTERED,
        TicketStatus.DISPATCHED,
        TicketStatus.RETURNED,
        TicketStatus.IN_RULING,
        TicketStatus.HANDLING,
        TicketStatus.REPLIED,
    }
)
# States in which a unit holds the ticket (and its deadlines run against the unit).
WITH_UNIT = frozenset({TicketStatus.DISPATCHED, TicketStatus.HANDLING})

# action -> allowed source states. The target state is set by the service.
TRANSITIONS: dict[str, frozenset[str]] = {
    "answer_directly": frozenset({TicketStatus.REGISTERED}),
    "dispatch": frozenset({TicketStatus.REGISTERED, TicketStatus.RETURNED}),
    "accept": frozenset({TicketStatus.DISPATCHED}),
    "return": frozenset({TicketStatus.DISPATCHED}),
    "request_ruling": frozenset({TicketStatus.RETURNED}),
    "rule": frozenset({TicketStatus.IN_RULING}),
    "reply": frozenset({TicketStatus.HANDLING}),
    "request_extension": frozenset({TicketStatus.HANDLING}),
    "callback": frozenset({TicketStatus.REPLIED}),
    "reopen": frozenset({TicketStatus.REPLIED, TicketStatus.CLOSED}),
    "close": frozenset({TicketStatus.REPLIED}),
    "supervise": OPEN_STATUSES,
    "head_callback": frozenset({TicketStatus.REPLIED, TicketStatus.CLOSED}),
}


# The same table the other way round, as ``check_transition`` reads it.
ALLOWED = allowed_from(TRANSITIONS)


def check(action: str, status: str) -> None:
    """Refuse ``action`` on a ticket in ``status`` (``TransitionRefused``, 409)."""
    check_transition(status, action, ALLOWED, refused=TransitionRefused, choices=TicketStatus)


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone (operator)")
    WEB = "web", _("Web form")
    MOBILE = "mobile", _("Mobile page")
    API = "api", _("HTTP API")
    OPEN311 = "open311", _("Open311 client")
    PAYMENT = "payment", _("Payment place page")


class TicketType(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")  # 咨询
    HELP = "help", _("Request for help")  # 求助
    COMPLAINT = "complaint", _("Complaint")  # 投诉
    REPORT = "report", _("Report of wrongdoing")  # 举报
    SUGGESTION = "suggestion", _("Suggestion")  # 建议
    PRAISE = "praise", _("Praise")  # 表扬


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")  # 一般
    URGENT = "urgent", _("Urgent")  # 紧急
    CRITICAL = "critical", _("Critical")  # 特急


# The stored values as sets, for the checks every intake makes: ``Choices.values`` builds a new
# list (through ``choices``, with every label) on each call.
CHANNELS = frozenset(Channel.values)
TICKET_TYPES = frozenset(TicketType.values)
URGENCIES = frozenset(Urgency.values)


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")  # 满意
    BASICALLY_SATISFIED = "basically", _("Basically satisfied")  # 基本满意
    UNSATISFIED = "unsatisfied", _("Unsatisfied")  # 不满意
    UNREACHABLE = "unreachable", _("Could not be reached")  # 无法回访


class Resolution(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")  # 解决
    BASICALLY_RESOLVED = "basically", _("Basically resolved")  # 基本解决
    UNRESOLVED = "unresolved", _("Unresolved")  # 未解决


class SupervisionLevel(models.IntegerChoices):
    """The progressive supervision ladder (递进式督办); a ticket only climbs."""

    NONE = 0, _("None")
    REMINDER = 1, _("Reminder")  # 催办
    LETTER = 2, _("Supervision letter")  # 督办函
    JOINT_MEETING = 3, _("Joint meeting")  # 联席会议
    ELEVATED = 4, _("Elevated supervision")  # 提级督办
    LEADER_SIGNOFF = 5, _("County leader sign-off")  # 县领导签批


class RequestStatus(models.TextChoices):
    """Extension requests and rulings: asked, then decided once."""

    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class DeadlineStage(models.TextChoices):
    RESPOND = "respond", _("Accept or return")  # 签收/退回
    HANDLE = "handle", _("Handle and reply")  # 办结
    EXTENSION = "extension", _("Longest extension")  # 延期上限
    CALLBACK = "callback", _("Call back")  # 回访


class DeadlineUnit(models.TextChoices):
    HOURS = "hours", _("Hours")
    WORKING_DAYS = "working_days", _("Working days")
