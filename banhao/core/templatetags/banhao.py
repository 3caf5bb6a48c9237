from django import template

from banhao.core import i18n, masking

register = template.Library()


@register.filter
def loc(obj, field="name"):
    """{{ item|loc }} or {{ item|loc:"title" }}: the field in the page's language.

    An absent object (an optional foreign key) gives "", so ``|loc|default:"—"`` works.
    """
    if obj is None:
        return ""
    return i18n.localized(obj, field)


@register.filter
def mask_id(value):
    return masking.mask_id_number(value)


@register.filter
def mask_phone(value):
    return masking.mask_phone(value)
