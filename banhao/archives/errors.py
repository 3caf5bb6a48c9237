"""Errors of the archives, with messages in the user's language."""

from django.utils.translation import gettext_lazy as _

from banhao.core.errors import CodeAndMessage, ErrorCode


class ArchiveError(CodeAndMessage):
    """A refused archive operation (``archives/services.py`` raises it as
    ``ArchiveError(code, message, **params)``)."""


# Electronic licences (ADR 0016).
NOT_ISSUER = ErrorCode("not_issuer", _("Only the issuing department can revoke this licence."), 403)
ALREADY_REVOKED = ErrorCode("already_revoked", _("This licence is already revoked."), 409)
REVOCATION_REASON = ErrorCode(
    "revocation_reason", _("State the reason in %(min)d to %(max)d characters.")
)
