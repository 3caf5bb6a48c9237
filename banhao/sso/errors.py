"""Why the unified login refused someone, each in the user's language (``SsoError(CODE)``)."""

from django.utils.translation import gettext_lazy as _

from banhao.core.errors import DomainError, ErrorCode


class SsoError(DomainError):
    """A refused unified login."""


UNVERIFIED = ErrorCode(
    "sso_unverified",
    _(
        "The unified login has not verified your real name. Complete the real-name check there, or verify in person at a service window."
    ),
)
LOW_ASSURANCE = ErrorCode(
    "sso_low_assurance",
    _(
        "Your unified login identity was not checked strongly enough for this platform. Raise it to a face or in-person check there and sign in again."
    ),
)
BAD_CLAIMS = ErrorCode(
    "sso_bad_claims",
    _("The unified login sent an identity this platform cannot read. Nothing was changed."),
)
ACCOUNT_TYPE = ErrorCode(
    "sso_account_type",
    _("This kind of unified login account cannot sign in here."),
)
ACCOUNT_MISMATCH = ErrorCode(
    "sso_account_mismatch",
    _("This unified login is linked to an account of another kind, or a closed one."),
)
UNKNOWN_UNIT = ErrorCode(
    "sso_unknown_unit",
    _("Your unit and region at the unified login are not a unit of this county."),
)
NO_STAFF_ACCOUNT = ErrorCode(
    "sso_no_staff_account",
    _("There is no staff account for you here. The county's administrator creates staff accounts."),
)
UNIT_MISMATCH = ErrorCode(
    "sso_unit_mismatch",
    _(
        "Your unit at the unified login is not the unit of your staff account here. Ask the administrator to correct it."
    ),
)
PROVIDER_FAILED = ErrorCode(
    "sso_provider_failed",
    _("The unified login did not complete. Please try again."),
)
DISABLED = ErrorCode("sso_disabled", _("The unified login is not enabled on this site."))
