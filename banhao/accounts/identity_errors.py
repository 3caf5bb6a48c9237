"""Error codes of real-name verification (``AccountError(CODE)``)."""

from django.utils.translation import gettext_lazy as _

from banhao.core.errors import ErrorCode

NOT_PUBLIC_ACCOUNT = ErrorCode(
    "not_public_account",
    _("Only citizen and enterprise accounts have a real-name identity to verify."),
)
LOW_ASSURANCE = ErrorCode(
    "low_assurance",
    _("This identity check is not strong enough to open an archive."),
)
DOCUMENT_REQUIRED = ErrorCode(
    "document_required",
    _(
        "Choose the document you checked: an identity card for a citizen, the business licence for an enterprise."
    ),
)
AUTHORITY_REQUIRED = ErrorCode(
    "authority_required",
    _("Record whether the person is the legal representative or an authorised agent."),
)
DOCUMENT_MISMATCH = ErrorCode(
    "document_mismatch",
    _("The document's number is not the one this account registered with. Nothing was changed."),
)
VERIFIED_OTHERWISE = ErrorCode(
    "verified_otherwise",
    _("This account is already verified with another identity."),
)
IDENTITY_TAKEN = ErrorCode(
    "identity_taken",
    _(
        "This identity is already verified on another account. Ask the security administrator to resolve it."
    ),
)
NOT_A_VERIFIER = ErrorCode(
    "not_a_verifier",
    _("Only a window clerk at a service venue can verify identities in person."),
)
