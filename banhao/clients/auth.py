"""The API's authentication for machine clients: an OAuth2 bearer token from the client-
credentials grant (``/oauth/token/``), checked on every call.

``machine(scope)`` gives an operation its auth and its OpenAPI security requirement::

    @router.post("/tasks/{pk}/accept/", **machine(scopes.TASK_DECIDE))

The token is verified through DOT's own ``OAuthLibCore.verify_request`` (expiry, revocation);
then the operation's scope must be both in the token and still allowed to the client (a scope
withdrawn from a client stops working at once), and a unit's operation needs a client bound to
a department. Every call is logged (``MachineCall``), refused ones too. No CSRF: the token is
not a cookie. The handler reads ``request.auth`` (a ``Caller``): the client and its service
account, the actor the services see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security.base import AuthBase
from oauth2_provider.oauth2_backends import get_oauthlib_core

from . import errors, services
from .errors import ClientError
from .models import Credential, MachineClient
from .scopes import SCOPES, UNIT_SCOPES

TOKEN_URL = "/oauth/token/"  # noqa: S105 (a path, not a secret)


@dataclass(frozen=True)
class Caller:
    client: MachineClient
    client_id: str

    @property
    def user(self) -> Any:
        return self.client.service_user


class OAuth2ClientCredentials(AuthBase):
    """Bearer token of a machine client, with the operation's scope."""

    openapi_type = "oauth2"
    openapi_description = (
        "Machine clients (department systems, city and province platforms): obtain a token at "
        f"{TOKEN_URL} with the client-credentials grant (HTTP Basic client id and secret), "
        "then send `Authorization: Bearer <token>`."
    )
    openapi_flows = {"clientCredentials": {"tokenUrl": TOKEN_URL, "scopes": SCOPES}}

    def __init__(self, scope: str) -> None:
        if scope not in SCOPES:
            raise ValueError(f"unknown scope {scope!r}")
        self.scope = scope
        super().__init__()

    def __call__(self, request: HttpRequest) -> Caller | None:
        if not request.headers.get("Authorization", "").lower().startswith("bearer "):
            return None
        valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
        if not valid:
            return None  # 401
        token = oauth_request.access_token
        credential = (
            Credential.objects.select_related(
                "client__service_user__department", "client__department", "application"
            )
            .filter(application_id=token.application_id)
            .first()
        )
        if credential is None or not credential.is_usable(timezone.now()):
            return None
        client = credential.client
        refusal = None
        if self.scope not in client.scopes or not token.allow_scopes([self.scope]):
            refusal = errors.SCOPE_MISSING
        elif self.scope in UNIT_SCOPES and client.department_id is None:
            refusal = errors.UNIT_REQUIRED
        match = request.resolver_match
        services.record_call(
            client=client,
            client_id=credential.application.client_id,
            scope=self.scope,
            operation=f"{request.method} {match.route if match else request.path_info}",
            object_id=str(next(iter(match.kwargs.values()), "")) if match else "",
            outcome=refusal.code if refusal else "allowed",
        )
        if refusal is not None:
            raise ClientError(refusal, scope=self.scope)
        return Caller(client=client, client_id=credential.application.client_id)


def machine(scope: str) -> dict[str, Any]:
    """Keyword arguments for a router operation open to machine clients holding ``scope``."""
    return {
        "auth": OAuth2ClientCredentials(scope),
        "openapi_extra": {"security": [{OAuth2ClientCredentials.__name__: [scope]}]},
    }
