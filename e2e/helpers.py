"""Small helpers shared by the browser tests."""

from django.utils import translation


def page_language(page) -> str:
    return page.locator("html").get_attribute("lang")


def tr(page, message: str) -> str:
    """``message`` as the page shows it: translated into the page's own language.

    Until the zh-hans catalogue is compiled this is the English source text; afterwards it
    is the Chinese translation, so the assertions stay right without change.
    """
    with translation.override(page_language(page)):
        return translation.gettext(message)


def horizontal_overflow(page) -> int:
    """How many CSS pixels the document is wider than the viewport (0 = no sideways scroll)."""
    return page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )


def root_font_size(page) -> float:
    return page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
