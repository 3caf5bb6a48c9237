"""Languages: a bilingual data field's right side (name / name_en), a user's language."""

from django.conf import settings
from django.utils import translation


def localized(obj, field: str = "name") -> str:
    """``obj.<field>_en`` on English pages when present, else the Chinese original."""
    if translation.get_language() and translation.get_language().startswith("en"):
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, field)


def user_language(user) -> str:
    """The language to write to ``user`` in outside a request (notifications, jobs).

    Their chosen language, else the site default (zh-hans) — never ``None``, which would turn
    translation off and send the English source text.
    """
    return getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE


def remember_language(response, user) -> None:
    """On signing in, the language chosen on an earlier visit follows the account to this
    browser (Django's language cookie)."""
    if user.preferred_language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.preferred_language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
        )
