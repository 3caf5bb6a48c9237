"""The unified login's tokens, kept server-side in the session (never in a cookie or a URL),
and their refresh before the access token expires."""

import time

from authlib.integrations.base_client import OAuthError
from django.conf import settings
from requests import RequestException

from .client import client

SESSION_KEY = "banhao_sso"


def store(session, token: dict, *, issuer: str) -> None:
    previous = session.get(SESSION_KEY) or {}
    session[SESSION_KEY] = {
        "issuer": issuer,
        "access_token": token["access_token"],
        # A provider that does not rotate refresh tokens sends none with a refreshed token.
        "refresh_token": token.get("refresh_token") or previous.get("refresh_token", ""),
        "id_token": token.get("id_token") or previous.get("id_token", ""),
        # A token without a lifetime is treated as short-lived: refreshed within minutes.
        "expires_at": int(
            token.get("expires_at") or time.time() + int(token.get("expires_in") or 300)
        ),
    }


def current(session) -> dict | None:
    return session.get(SESSION_KEY)


def due(data: dict, now: float | None = None) -> bool:
    now = time.time() if now is None else now
    return data["expires_at"] - settings.BANHAO_OIDC_REFRESH_MARGIN <= now


def refresh(session) -> str:
    """Renew the access token with the refresh token. Returns "" on success, else why not."""
    data = current(session)
    if not data or not data.get("refresh_token"):
        return "no_refresh_token"
    try:
        # No scope: the grant's own (a provider may refuse offline_access asked for again).
        token = client().fetch_access_token(
            grant_type="refresh_token", refresh_token=data["refresh_token"], scope=""
        )
    except OAuthError as exc:
        return str(exc.error or "oauth_error")[:100]
    except (RequestException, ValueError) as exc:
        return type(exc).__name__
    if not token.get("access_token"):
        return "no_access_token"
    store(session, token, issuer=data["issuer"])
    return ""
