"""Error codes of accounts, each with the message the user reads in their language."""

from django.utils.translation import gettext_lazy as _

from banhao.core.errors import DomainError, ErrorCode


class AccountError(DomainError):
    """A refused account operation."""


UNIT_REQUIRED = ErrorCode(
    "unit_required", _("Staff in this role must belong to a department or venue.")
)
