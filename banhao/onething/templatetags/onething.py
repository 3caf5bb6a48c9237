from django import template
from django.utils import translation

register = template.Library()


@register.filter
def get_answer(mapping, key):
    """{{ answers|get_answer:q.key }}: a dict lookup by a variable key."""
    return (mapping or {}).get(key, "")


@register.filter
def bi(entry, field="name"):
    """{{ item|bi }} / {{ field|bi:"label" }}: a definition entry's text in the page's language."""
    if translation.get_language() and translation.get_language().startswith("en"):
        return entry.get(f"{field}_en") or entry.get(field, "")
    return entry.get(field, "")
