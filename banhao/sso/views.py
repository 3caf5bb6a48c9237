"""Thin pages of the unified login: start, callback, logout (RP-initiated) and its return."""

from authlib.common.errors import AuthlibBaseError
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from joserfc.errors import JoseError
from requests import RequestException

from banhao.core.errors import DomainError
from banhao.core.i18n import remember_language

from . import claims, errors, services, tokens
from .client import client, enabled

NEXT_KEY = "banhao_sso_next"
# Everything that can go wrong talking to the provider: it is down, it answered an error, the
# state or the ID token did not check out.
PROVIDER_ERRORS = (
    AuthlibBaseError,
    JoseError,
    RequestException,
    ValueError,
    KeyError,
    RuntimeError,
)


def _refused(request, error: DomainError, *, status: int = 403):
    return render(request, "sso/refused.html", {"error": error}, status=status)


@require_GET
def login(request):
    if not enabled():
        raise Http404
    next_url = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        request.session[NEXT_KEY] = next_url
    lang = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    try:
        return client().authorize_redirect(
            request,
            request.build_absolute_uri(reverse("sso:callback")),
            ui_locales="zh-CN" if lang.startswith("zh") else "en",
            # Ask for the levels this site accepts; the provider then states the one it has.
            acr_values=" ".join(
                acr
                for acr, level in settings.BANHAO_OIDC_ACR_LEVELS.items()
                if level >= settings.BANHAO_OIDC_MIN_ASSURANCE
            ),
        )
    except PROVIDER_ERRORS:
        services.record_refusal(identity=None, code=errors.PROVIDER_FAILED.code)
        return _refused(request, errors.SsoError(errors.PROVIDER_FAILED), status=503)


@require_GET
def callback(request):
    if not enabled():
        raise Http404
    app = client()
    try:
        token = app.authorize_access_token(request)
        id_claims = token.get("userinfo")
        if not id_claims:
            raise ValueError("no ID token")
        found = dict(app.userinfo(token=token))
    except PROVIDER_ERRORS:
        services.record_refusal(identity=None, code=errors.PROVIDER_FAILED.code)
        return _refused(request, errors.SsoError(errors.PROVIDER_FAILED), status=400)
    if found.get("sub") != id_claims.get("sub"):
        found = {}
    # The signed ID token wins over the userinfo answer; acr is only in the ID token.
    identity = claims.read(settings.BANHAO_OIDC_ISSUER, {**found, **dict(id_claims)})
    try:
        user = services.sign_in(identity)
    except DomainError as exc:
        services.record_refusal(identity=identity, code=exc.code)
        return _refused(request, exc)
    next_url = request.session.pop(NEXT_KEY, "")
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    tokens.store(request.session, token, issuer=identity.issuer)
    response = redirect(next_url or settings.LOGIN_REDIRECT_URL)
    remember_language(response, user)
    return response


@require_POST
def logout(request):
    """End the local session, then the provider's (RP-initiated logout with the ID token)."""
    data = tokens.current(request.session)
    if request.user.is_authenticated:
        services.record_logout(user=request.user, at_provider=bool(data and enabled()))
    auth_logout(request)
    if not data or not enabled():
        return redirect(settings.LOGOUT_REDIRECT_URL)
    try:
        return client().logout_redirect(
            request,
            post_logout_redirect_uri=request.build_absolute_uri(reverse("sso:logged_out")),
            id_token_hint=data.get("id_token") or None,
        )
    except PROVIDER_ERRORS:
        messages.warning(
            request,
            _("You are signed out here; the unified login could not be reached to sign out there."),
        )
        return redirect(settings.LOGOUT_REDIRECT_URL)


@require_GET
def logged_out(request):
    messages.info(request, _("You are signed out here and at the unified login."))
    return redirect(settings.LOGOUT_REDIRECT_URL)
