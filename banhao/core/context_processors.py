from django.conf import settings

LARGE_TEXT_COOKIE = "bh_large_text"


def large_text_enabled(request) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.large_text:
        return True
    return request.COOKIES.get(LARGE_TEXT_COOKIE) == "1"


def ui(request):
    return {
        "large_text": large_text_enabled(request),
        "site_name": settings.BANHAO_SITE_NAME,
        "LANGUAGES_AVAILABLE": settings.LANGUAGES,
    }
