"""Evaluation indicator sources the hotline offers the ledger's unit evaluation (registered
from ``HotlineConfig.ready``)."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from banhao.core.registry import IndicatorSource, Value

from .evaluation import ranking


def hotline_three_rates(unit_ids, start: dt.date, end: dt.date) -> dict[int, Value]:
    """Mean of the unit's response, resolution and satisfaction rates (the rates with data),
    from the hotline's own ranking over its daily facts (``hotline.evaluation.ranking``)."""

    wanted = set(unit_ids)
    out = {}
    for row in ranking(start, end):
        if row.department_id not in wanted:
            continue
        rates = {
            "response_rate": row.response_rate,
            "resolution_rate": row.resolution_rate,
            "satisfaction_rate": row.satisfaction_rate,
        }
        present = [r for r in rates.values() if r is not None]
        value = round(100 * sum(present) / len(present), 2) if present else None
        keys = (
            "received",
            "responded_on_time",
            "resolution_rated",
            "resolved",
            "rated",
            "satisfied",
        )
        out[row.department_id] = Value(
            value,
            {
                **{k: row.counts.get(k, 0) for k in keys},
                **{k: None if v is None else round(100 * v, 2) for k, v in rates.items()},
            },
        )
    return out


def hotline_timeliness(unit_ids, start: dt.date, end: dt.date) -> dict[int, Value]:
    """Share of the unit's hotline replies given before the handling deadline."""

    wanted = set(unit_ids)
    return {
        row.department_id: Value(
            None if row.timeliness is None else round(100 * row.timeliness, 2),
            {
                "replied": row.counts.get("replied", 0),
                "replied_on_time": row.counts.get("replied_on_time", 0),
            },
        )
        for row in ranking(start, end)
        if row.department_id in wanted
    }


SOURCES = [
    IndicatorSource(
        "hotline.three_rates",
        _("Hotline response, resolution and satisfaction (三率)"),
        _("Mean of the unit's response, resolution and satisfaction rates on 12345 tickets."),
        compute=hotline_three_rates,
    ),
    IndicatorSource(
        "hotline.timeliness",
        _("Hotline tickets handled on time"),
        _("Share of the unit's hotline replies given before the handling deadline."),
        compute=hotline_timeliness,
    ),
]
