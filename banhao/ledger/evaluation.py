"""Comprehensive evaluation (综合评价): every unit's weighted score and rank for a period.

score = Σ weightᵢ × valueᵢ / Σ weightᵢ over the active indicators that have a value for the
unit (an indicator with nothing due for the unit, or whose source has no data yet, is left out
and the weights of the others are renormalised). Each score keeps, per indicator, the value,
the weight, the contribution and the inputs the value came from (``EvaluationScore.breakdown``),
and the evaluation keeps the indicator set it used.
"""

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from banhao.audit.models import AuditAction
from banhao.audit.services import record
from banhao.core.registry import indicators as sources
from banhao.org.models import Department

from . import access, errors
from .models import Evaluation, EvaluationScore, Indicator

PERIOD_KINDS = ("month", "quarter", "year")


def period_bounds(kind: str, start: dt.date) -> tuple[dt.date, dt.date]:
    if kind == "month":
        first = start.replace(day=1)
        return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])
    if kind == "quarter":
        month = 3 * ((start.month - 1) // 3) + 1
        first = dt.date(start.year, month, 1)
        last_month = month + 2
        return first, dt.date(
            start.year, last_month, calendar.monthrange(start.year, last_month)[1]
        )
    if kind == "year":
        return dt.date(start.year, 1, 1), dt.date(start.year, 12, 31)
    raise errors.LedgerError(errors.PERIOD_KIND_INVALID, "period_kind")


def source_states() -> list[dict]:
    """Each registered source (shown on the evaluation pages). Only installed apps register
    sources, so every one listed has data; an indicator naming another key has none yet."""
    return [
        {"key": s.key, "name": s.name, "description": s.description, "available": True}
        for s in sources
    ]


def evaluated_units() -> list[int]:
    return list(
        Department.objects.filter(
            level__in=["county", "township"], is_placeholder=False, is_active=True
        )
        .order_by("sort_order", "id")
        .values_list("id", flat=True)
    )


def compute(
    start: dt.date, end: dt.date, indicators: list[Indicator]
) -> tuple[list[dict], dict[int, list]]:
    """(indicator set used, {unit_id: breakdown}) — pure reading, no writes."""
    unit_ids = evaluated_units()
    used, values = [], {}
    for indicator in indicators:
        fn = sources.get(indicator.source).compute if indicator.source in sources else None
        used.append(
            {
                "code": indicator.code,
                "name": indicator.name,
                "source": indicator.source,
                "weight": str(indicator.weight),
                "available": fn is not None,
            }
        )
        values[indicator.code] = fn(unit_ids, start, end) if fn else None
    breakdowns: dict[int, list] = {}
    for unit_id in unit_ids:
        rows = []
        for indicator, meta in zip(indicators, used, strict=True):
            data = values[indicator.code]
            if data is None:
                rows.append({**meta, "value": None, "inputs": {}, "note": "no data source yet"})
                continue
            item = data.get(unit_id)
            if item is None or item.value is None:
                rows.append(
                    {
                        **meta,
                        "value": None,
                        "inputs": item.inputs if item else {},
                        "note": "nothing due",
                    }
                )
                continue
            rows.append({**meta, "value": item.value, "inputs": item.inputs, "note": ""})
        if any(r["value"] is not None for r in rows):
            breakdowns[unit_id] = rows
    return used, breakdowns


def _score(rows: list[dict]) -> Decimal:
    weighted = [
        (Decimal(r["weight"]), Decimal(str(r["value"]))) for r in rows if r["value"] is not None
    ]
    total = sum(w for w, _v in weighted)
    if not total:
        return Decimal("0.00")
    score = sum(w * v for w, v in weighted) / total
    for r in rows:
        if r["value"] is not None:
            r["contribution"] = str(
                (Decimal(r["weight"]) * Decimal(str(r["value"])) / total).quantize(
                    Decimal("0.01"), ROUND_HALF_UP
                )
            )
            r["effective_weight"] = str(
                (Decimal(r["weight"]) * 100 / total).quantize(Decimal("0.01"), ROUND_HALF_UP)
            )
    return score.quantize(Decimal("0.01"), ROUND_HALF_UP)


@transaction.atomic
def evaluate(*, actor, period_kind: str, period_start: dt.date) -> Evaluation:
    """Compute (or recompute) the evaluation of every unit for one period."""
    if actor is not None and not access.can_manage(actor):
        raise errors.LedgerError(errors.OFFICE_ONLY)
    start, end = period_bounds(period_kind, period_start)
    indicators = list(
        Indicator.objects.filter(is_active=True, weight__gt=0).order_by("position", "code")
    )
    used, breakdowns = compute(start, end, indicators)
    scored = sorted(
        ((_score(rows), unit_id, rows) for unit_id, rows in breakdowns.items()),
        key=lambda x: (-x[0], x[1]),
    )
    evaluation = (
        Evaluation.objects.select_for_update()
        .filter(period_kind=period_kind, period_start=start)
        .first()
    )
    before = None
    if evaluation is None:
        evaluation = Evaluation.objects.create(
            period_kind=period_kind,
            period_start=start,
            period_end=end,
            computed_at=timezone.now(),
            computed_by=actor,
            indicators=used,
        )
    else:
        before = {
            "computed_at": evaluation.computed_at.isoformat(),
            "units": evaluation.scores.count(),
        }
        evaluation.scores.all().delete()
        evaluation.computed_at = timezone.now()
        evaluation.computed_by = actor
        evaluation.indicators = used
        evaluation.save(update_fields=["computed_at", "computed_by", "indicators"])
    rows, rank, previous = [], 0, None
    for position, (score, unit_id, breakdown) in enumerate(scored, start=1):
        if score != previous:
            rank, previous = position, score  # equal scores share a rank (1, 1, 3)
        rows.append(
            EvaluationScore(
                evaluation=evaluation, unit_id=unit_id, score=score, rank=rank, breakdown=breakdown
            )
        )
    EvaluationScore.objects.bulk_create(rows, batch_size=500)
    record(
        actor=actor,
        action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
        event_type="ledger.evaluated",
        obj=evaluation,
        summary=f"{period_kind} {start}: {len(rows)} units",
        before=before,
        after={"units": len(rows), "indicators": used},
    )
    return evaluation


@transaction.atomic
def set_weights(*, actor, weights: dict[str, str], active: dict[str, bool]) -> None:
    """The office sets each indicator's weight (0–100) and whether it counts."""
    if not access.can_manage(actor):
        raise errors.LedgerError(errors.OFFICE_ONLY)
    parsed = {}
    for code, text in weights.items():
        try:
            value = Decimal(str(text).strip())
        except InvalidOperation:
            raise errors.LedgerError(errors.WEIGHTS_INVALID, code) from None
        if not Decimal(0) <= value <= Decimal(100) or value != value.quantize(Decimal("0.01")):
            raise errors.LedgerError(errors.WEIGHTS_INVALID, code)
        parsed[code] = value
    before, after = {}, {}
    for indicator in Indicator.objects.select_for_update().filter(code__in=parsed):
        new = (parsed[indicator.code], active.get(indicator.code, indicator.is_active))
        old = (indicator.weight, indicator.is_active)
        if new != old:
            before[indicator.code] = [str(old[0]), old[1]]
            after[indicator.code] = [str(new[0]), new[1]]
            indicator.weight, indicator.is_active = new
            indicator.save(update_fields=["weight", "is_active"])
    if after:
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            event_type="ledger.indicator_weights_set",
            object_type="ledger.indicator",
            summary=", ".join(sorted(after)),
            before=before,
            after=after,
        )
