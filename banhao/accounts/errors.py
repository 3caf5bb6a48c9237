from django.utils.translation import gettext_lazy as _


class AccountError(Exception):
    """A refused account operation; ``message`` is shown to the user."""

    def __init__(self, code: str, message):
        super().__init__(message)
        self.code = code
        self.message = message


DUPLICATE_ID_NUMBER = ("duplicate_id_number", _("An account with this ID number already exists."))
DUPLICATE_CREDIT_CODE = (
    "duplicate_credit_code",
    _("An account with this unified social credit code already exists."),
)
UNIT_REQUIRED = ("unit_required", _("Staff in this role must belong to a department or venue."))
