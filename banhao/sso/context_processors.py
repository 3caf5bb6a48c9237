from . import tokens
from .client import enabled


def sso(request):
    """Whether the login page offers the unified login, and whether this session came from it
    (its logout then also ends the provider's session)."""
    session = getattr(request, "session", None)
    return {
        "sso_enabled": enabled(),
        "sso_session": session is not None and tokens.SESSION_KEY in session,
    }
