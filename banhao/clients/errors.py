"""Refusals of machine clients."""

from django.utils.translation import gettext_lazy as _

from banhao.core.errors import DomainError, ErrorCode


class ClientError(DomainError):
    """A refused machine-client operation."""


SCOPE_MISSING = ErrorCode(
    "scope_missing", _("This client is not allowed the operation “%(scope)s”."), 403
)
UNIT_REQUIRED = ErrorCode(
    "unit_required", _("Only a client bound to a department may do “%(scope)s”."), 403
)
UNKNOWN_SCOPE = ErrorCode("unknown_scope", _("Unknown operation “%(scope)s”."), 422)
DEPARTMENT_OUTSIDE_REGION = ErrorCode(
    "department_outside_region", _("The department is not in the client's region."), 422
)
CODE_TAKEN = ErrorCode("code_taken", _("A client with the code “%(code)s” exists."), 409)
BAD_CODE = ErrorCode(
    "bad_code",
    _("A client code is 3 to 40 lower-case letters, digits and hyphens."),
    422,
)
BAD_GRACE = ErrorCode("bad_grace", _("The grace period must be 0 to 30 days."), 422)
