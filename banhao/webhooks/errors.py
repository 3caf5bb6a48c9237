"""Error codes of outbound webhooks, with messages in the user's language."""

from django.utils.translation import gettext_lazy as _

from banhao.core.errors import DomainError, ErrorCode


class WebhookError(DomainError):
    """A refused change to a subscriber or a delivery."""


NOT_ADMIN = ErrorCode("not_admin", _("Only an administrator manages webhooks."), 403)
BAD_URL = ErrorCode("bad_url", _("The URL must start with http:// or https://."), 422)
BAD_NAME = ErrorCode("bad_name", _("Give the subscriber a name of at most 100 characters."), 422)
NAME_TAKEN = ErrorCode("name_taken", _("Another subscriber already has this name."), 409)
NO_EVENT_TYPES = ErrorCode("no_event_types", _("Choose at least one event type."), 422)
BAD_EVENT_TYPE = ErrorCode("bad_event_type", _("Unknown event type: %(value)s."), 422)
BAD_GRACE = ErrorCode("bad_grace", _("The grace period must be between 0 and %(max)d hours."), 422)
NOT_DELIVERED_YET = ErrorCode(
    "replay_pending",
    _("This delivery is still queued; it will be sent without a replay."),
    409,
)
BAD_SINCE = ErrorCode("bad_since", _("Give a time in the past to replay from."), 422)
