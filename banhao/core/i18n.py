"""Picking the right language of a bilingual data field (name / name_en)."""

from django.utils import translation


def localized(obj, field: str = "name") -> str:
    """``obj.<field>_en`` on English pages when present, else the Chinese original."""
    if translation.get_language() and translation.get_language().startswith("en"):
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, field)
