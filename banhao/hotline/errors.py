"""Error codes of the hotline, each with a message the user reads in their language."""

from django.utils.translation import gettext_lazy as _

from .states import TransitionRefused  # noqa: F401 (re-exported: every refusal is importable here)


class HotlineError(Exception):
    """A refused hotline operation; ``message`` is shown to the user, ``field`` names the input."""

    def __init__(self, code: tuple, field: str = "", **params):
        self.code = code[0]
        self.message = str(code[1]) % params if params else str(code[1])
        self.field = field
        super().__init__(self.message)


DESCRIPTION_REQUIRED = ("description_required", _("Describe the matter."))
DESCRIPTION_TOO_LONG = (
    "description_too_long",
    _("The description is too long (at most %(limit)s characters)."),
)
CONTACT_REQUIRED = (
    "contact_required",
    _("Give a phone number so the centre can call back, or choose anonymous."),
)
BAD_PHONE = ("bad_phone", _("This phone number is not valid: %(detail)s"))
BAD_TOWN = ("bad_town", _("Choose one of the county's towns or subdistricts."))
BAD_COORDINATES = ("bad_coordinates", _("The coordinates are outside the valid range."))
BAD_CATEGORY = ("bad_category", _("Choose a matter from the category list."))
BAD_DEPARTMENT = ("bad_department", _("This unit cannot handle tickets; choose another."))
REASON_REQUIRED = ("reason_required", _("Give a reason."))
RETURN_WINDOW_PASSED = (
    "return_window_passed",
    _("The time to return this ticket has passed; handle it or ask the centre."),
)
SAME_DEPARTMENT = ("same_department", _("The ticket is already with this unit."))
EXTENSION_PENDING = ("extension_pending", _("An extension request is already waiting."))
EXTENSION_TOO_LONG = (
    "extension_too_long",
    _("An extension may be at most %(limit)s working days in total."),
)
NOT_PENDING = ("not_pending", _("This request has already been decided."))
NOT_YOUR_UNIT = ("not_your_unit", _("Only the unit holding the ticket may do this."))
NOT_CENTRE = ("not_centre", _("Only the citizen complaint centre may do this."))
NOT_HEAD = ("not_head", _("Only the unit's head may record a head's callback."))
NOT_LEADER = ("not_leader", _("Only a county leader may sign off."))
RULING_PARTIES = ("ruling_parties", _("Name at least two units in dispute."))
LEVEL_NOT_HIGHER = (
    "level_not_higher",
    _("The ticket is already at this supervision level or higher."),
)
MINUTES_REQUIRED = ("minutes_required", _("A joint meeting needs attendees and minutes."))
ATTACHMENT_TOO_LARGE = (
    "attachment_too_large",
    _("Each attachment may be at most %(limit)s MB."),
)
ATTACHMENT_TYPE = (
    "attachment_type",
    _("Attachments may be pictures (JPEG, PNG), PDF or audio recordings."),
)
TOO_MANY_ATTACHMENTS = ("too_many_attachments", _("At most %(limit)s attachments."))
CONFLICT = (
    "conflict",
    _("Someone else changed this ticket a moment ago. Reload the page and try again."),
)
WEIGHTS_SUM = ("weights_sum", _("The weights must add up to 100."))
RULING_BINDING = (
    "ruling_binding",
    _("A three-party ruling made this unit responsible; the ticket cannot be returned."),
)
NOT_ESTABLISHMENT_OFFICE = (
    "not_establishment_office",
    _("Only the establishment office (县委编办) may rule on responsibility."),
)
BAD_SATISFACTION = ("bad_satisfaction", _("Choose the requester's satisfaction and resolution."))
NO_CONTACT = ("no_contact", _("This ticket has no contact to share."))
