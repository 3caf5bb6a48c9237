"""Error codes of the hotline, each with a message the user reads in their language."""

from django.utils.translation import gettext_lazy as _

from banhao.core import states as core_states
from banhao.core.errors import DomainError, ErrorCode


class HotlineError(DomainError):
    """A refused hotline operation; ``field`` names the input it is about."""


class TransitionRefused(core_states.TransitionRefused, HotlineError):
    """A step asked of a ticket whose status does not allow it."""

    default = ErrorCode(
        "transition_refused",
        _("This ticket is %(current)s; that step is not possible now. Reload the page."),
    )


DESCRIPTION_REQUIRED = ErrorCode("description_required", _("Describe the matter."))
DESCRIPTION_TOO_LONG = ErrorCode(
    "description_too_long",
    _("The description is too long (at most %(limit)s characters)."),
)
CONTACT_REQUIRED = ErrorCode(
    "contact_required",
    _("Give a phone number so the centre can call back, or choose anonymous."),
)
BAD_PHONE = ErrorCode("bad_phone", _("This phone number is not valid: %(detail)s"))
BAD_TOWN = ErrorCode("bad_town", _("Choose one of the county's towns or subdistricts."))
BAD_COORDINATES = ErrorCode("bad_coordinates", _("The coordinates are outside the valid range."))
BAD_CATEGORY = ErrorCode("bad_category", _("Choose a matter from the category list."))
BAD_DEPARTMENT = ErrorCode("bad_department", _("This unit cannot handle tickets; choose another."))
REASON_REQUIRED = ErrorCode("reason_required", _("Give a reason."))
RETURN_WINDOW_PASSED = ErrorCode(
    "return_window_passed",
    _("The time to return this ticket has passed; handle it or ask the centre."),
)
SAME_DEPARTMENT = ErrorCode("same_department", _("The ticket is already with this unit."))
EXTENSION_PENDING = ErrorCode("extension_pending", _("An extension request is already waiting."))
EXTENSION_TOO_LONG = ErrorCode(
    "extension_too_long",
    _("An extension may be at most %(limit)s working days in total."),
)
NOT_PENDING = ErrorCode("not_pending", _("This request has already been decided."))
NOT_YOUR_UNIT = ErrorCode("not_your_unit", _("Only the unit holding the ticket may do this."), 403)
NOT_CENTRE = ErrorCode("not_centre", _("Only the citizen complaint centre may do this."), 403)
NOT_HEAD = ErrorCode("not_head", _("Only the unit's head may record a head's callback."), 403)
NOT_LEADER = ErrorCode("not_leader", _("Only a county leader may sign off."), 403)
RULING_PARTIES = ErrorCode("ruling_parties", _("Name at least two units in dispute."))
LEVEL_NOT_HIGHER = ErrorCode(
    "level_not_higher",
    _("The ticket is already at this supervision level or higher."),
)
MINUTES_REQUIRED = ErrorCode("minutes_required", _("A joint meeting needs attendees and minutes."))
ATTACHMENT_TOO_LARGE = ErrorCode(
    "attachment_too_large",
    _("Each attachment may be at most %(limit)s MB."),
)
ATTACHMENT_TYPE = ErrorCode(
    "attachment_type",
    _("Attachments may be pictures (JPEG, PNG), PDF or audio recordings."),
)
TOO_MANY_ATTACHMENTS = ErrorCode("too_many_attachments", _("At most %(limit)s attachments."))
CONFLICT = ErrorCode(
    "conflict",
    _("Someone else changed this ticket a moment ago. Reload the page and try again."),
    409,
)
WEIGHTS_SUM = ErrorCode("weights_sum", _("The weights must add up to 100."))
RULING_BINDING = ErrorCode(
    "ruling_binding",
    _("A three-party ruling made this unit responsible; the ticket cannot be returned."),
)
NOT_ESTABLISHMENT_OFFICE = ErrorCode(
    "not_establishment_office",
    _("Only the establishment office (县委编办) may rule on responsibility."),
    403,
)
BAD_SATISFACTION = ErrorCode(
    "bad_satisfaction", _("Choose the requester's satisfaction and resolution.")
)
NO_CONTACT = ErrorCode("no_contact", _("This ticket has no contact to share."))
BAD_CHANNEL = ErrorCode("bad_channel", _("Choose the web, mobile or API channel."))
NOT_REQUESTER = ErrorCode(
    "not_requester", _("Only requesters and the citizen complaint centre file tickets."), 403
)
RANKING_STAFF_ONLY = ErrorCode("ranking_staff_only", _("Rankings are for staff."), 403)
BAD_PERIOD = ErrorCode("bad_period", _("Period must be week, month or year."))
