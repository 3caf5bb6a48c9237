"""Error codes of accounts, each with the message the user reads in their language."""

from django.utils.translation import gettext_lazy as _

from banhao.core.errors import DomainError, ErrorCode


class AccountError(DomainError):
    """A refused account operation."""


DUPLICATE_ID_NUMBER = ErrorCode(
    "duplicate_id_number", _("An account with this ID number already exists.")
)
DUPLICATE_CREDIT_CODE = ErrorCode(
    "duplicate_credit_code",
    _("An account with this unified social credit code already exists."),
)
UNIT_REQUIRED = ErrorCode(
    "unit_required", _("Staff in this role must belong to a department or venue.")
)
