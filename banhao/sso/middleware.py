"""Keeps a unified-login session's access token fresh: shortly before it expires, the refresh
token renews it; if the provider refuses (the person signed out there, or was blocked), the
local session ends too, so a revoked identity does not stay signed in here."""

from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

from banhao.core.middleware import SESSIONLESS_PREFIXES

from . import services, tokens


class TokenRefreshMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(SESSIONLESS_PREFIXES):
            self._refresh_if_due(request)
        return self.get_response(request)

    def _refresh_if_due(self, request) -> None:
        data = tokens.current(request.session)
        if data is None or not tokens.due(data) or not request.user.is_authenticated:
            return
        reason = tokens.refresh(request.session)
        if reason:
            user = request.user
            services.record_refresh_failed(user=user, reason=reason)
            logout(request)
            messages.warning(
                request, _("Your unified login session has ended. Please sign in again.")
            )
