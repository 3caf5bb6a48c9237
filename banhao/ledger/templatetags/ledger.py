from django import template

from banhao.ledger.states import Stage, Status

register = template.Library()
_STATUS = dict(Status.choices)
_STAGE = dict(Stage.choices)


@register.filter
def status_label(value: str) -> str:
    return _STATUS.get(value, value)


@register.filter
def stage_label(value: str) -> str:
    return _STAGE.get(value, value)


@register.inclusion_tag("ledger/_status.html")
def status_badge(value: str):
    return {"value": value, "label": _STATUS.get(value, value)}


@register.inclusion_tag("ledger/_nav.html", takes_context=True)
def ledger_nav(context, active: str = ""):
    from banhao.ledger import access

    user = context["request"].user
    return {
        "user": user,
        "active": active,
        "sees_all": access.sees_all(user),
        "can_manage": access.can_manage(user),
    }
