"""Public landing page, each role's home page, and display preferences."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import i18n as i18n_views
from django.views.decorators.http import require_POST

from banhao.accounts.roles import Role
from banhao.accounts.services import set_display_preferences
from banhao.catalog import selectors as catalog_selectors
from banhao.core.context_processors import LARGE_TEXT_COOKIE
from banhao.core.registry import home_cards
from banhao.notifications import selectors as notification_selectors

ROLE_TEMPLATES = {role: f"portal/home/{role.value}.html" for role in Role}


def cards_for(user) -> list[dict]:
    """The home cards the apps registered for the user's role, in order."""
    return [
        {
            "title": card.title,
            "description": card.description,
            "url": reverse(card.url_name),
            "badge": card.badge(user) if card.badge else None,
            "testid": card.url_name.replace(":", "-"),
        }
        for card in home_cards
        if user.role in card.roles
    ]


def home(request):
    if not request.user.is_authenticated:
        return render(
            request, "portal/landing.html", {"onethings": catalog_selectors.public_onethings()}
        )
    user = request.user
    context = {
        "home_cards": cards_for(user),
        "unread_count": notification_selectors.unread_count(user),
        "recent_notifications": notification_selectors.inbox(user)[:5],
    }
    return render(request, ROLE_TEMPLATES[Role(user.role)], context)


def _safe_next(request, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or fallback
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


@require_POST
def toggle_large_text(request):
    enable = request.POST.get("large_text") == "1"
    response = HttpResponseRedirect(_safe_next(request))
    response.set_cookie(
        LARGE_TEXT_COOKIE, "1" if enable else "0", max_age=365 * 24 * 3600, samesite="Lax"
    )
    if request.user.is_authenticated:
        set_display_preferences(user=request.user, large_text=enable)
    return response


@require_POST
def set_language(request):
    """Django's language switch, also remembered on the account so it follows the user."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        set_display_preferences(user=request.user, language=language)
    return response
