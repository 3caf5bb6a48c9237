"""Evaluation indicator sources the payments app offers the ledger's unit evaluation
(registered from ``PaymentsConfig.ready``)."""

import datetime as dt

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from banhao.core.registry import IndicatorSource, Value, ratio

from .models import PaymentTarget, Place
from .selectors import covered_q, population_q


def payments_targets(unit_ids, start: dt.date, end: dt.date) -> dict[int, Value]:
    """Of the places a unit keeps that fall under one of the plan's targets, the share meeting
    it, from the payment register as it stands when the evaluation runs (the register keeps no
    history, so a past period is evaluated on today's register; the inputs say so)."""

    totals: dict[int, dict] = {}
    for target in PaymentTarget.objects.all():
        rows = (
            Place.objects.filter(population_q(target.rule), department_id__in=unit_ids)
            .values("department_id")
            .annotate(population=Count("id"), covered=Count("id", filter=covered_q(target.rule)))
            .order_by()
        )
        for r in rows:
            entry = totals.setdefault(
                r["department_id"], {"places_in_scope": 0, "places_meeting": 0, "targets": {}}
            )
            entry["places_in_scope"] += r["population"]
            entry["places_meeting"] += r["covered"]
            entry["targets"][target.code] = f"{r['covered']}/{r['population']}"
    return {
        unit_id: Value(
            ratio(e["places_meeting"], e["places_in_scope"]),
            {
                **{k: v for k, v in e.items() if k != "targets"},
                **e["targets"],
                "register_as_of": "evaluation time",
            },
        )
        for unit_id, e in totals.items()
    }


SOURCES = [
    IndicatorSource(
        "payments.targets",
        _("Payment targets met"),
        _(
            "Of the places the unit keeps under one of the payment plan's targets, the share meeting it."
        ),
        compute=payments_targets,
    ),
]
