"""Refusals of the exchange."""

from django.utils.translation import gettext_lazy as _

from banhao.core.errors import DomainError, ErrorCode


class ExchangeError(DomainError):
    """A refused exchange batch."""


BATCH_CONFLICT = ErrorCode(
    "batch_conflict",
    _("Batch %(batch)s was already imported with different content; send it with a new id."),
    409,
)
ROWS_INVALID = ErrorCode(
    "rows_invalid", _("%(count)d row(s) have errors; nothing was imported."), 422
)
TOO_MANY_ROWS = ErrorCode("too_many_rows", _("A batch holds at most %(max)d rows."), 422)
BAD_BATCH_ID = ErrorCode(
    "bad_batch_id", _("A batch id is 1 to 64 letters, digits, dots, hyphens or underscores."), 422
)
OUTSIDE_REGION = ErrorCode("outside_region", _("Not in the client's region."))
