"""The operations a machine client may be allowed, as OAuth2 scopes.

DOT's scopes backend (``OAUTH2_PROVIDER["SCOPES_BACKEND_CLASS"]``) offers a credential only the
scopes its machine client holds, so the token endpoint never issues more than was granted.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

QUEUE_READ = "onething:queue:read"
TASK_DECIDE = "onething:task:decide"
EXCHANGE_IMPORT = "exchange:import"

# Name → description (shown in the OpenAPI schema's OAuth2 flow).
SCOPES: dict[str, str] = {
    QUEUE_READ: "Read the client's unit's queue of one-thing tasks.",
    TASK_DECIDE: "Accept, approve with a result, reject or send back for correction the "
    "unit's tasks.",
    EXCHANGE_IMPORT: "Send person, enterprise and licence batches from the exchange platform.",
}
# Scopes that act as a unit: a client holding one must be bound to a department.
UNIT_SCOPES = frozenset({QUEUE_READ, TASK_DECIDE})


def _usable_scopes(application: Any) -> list[str]:
    from .models import Credential

    credential = (
        Credential.objects.select_related("client")
        .filter(application_id=getattr(application, "pk", None))
        .first()
    )
    if credential is None or not credential.is_usable(timezone.now()):
        return []
    return sorted(set(credential.client.scopes) & set(SCOPES))


class ClientScopes:
    """DOT scopes backend: a credential may ask for its client's scopes, and gets all of them
    when it asks for none."""

    def get_all_scopes(self) -> dict[str, str]:
        return SCOPES

    def get_available_scopes(self, application=None, request=None, *args, **kwargs) -> list[str]:
        return _usable_scopes(application)

    def get_default_scopes(self, application=None, request=None, *args, **kwargs) -> list[str]:
        return _usable_scopes(application)
