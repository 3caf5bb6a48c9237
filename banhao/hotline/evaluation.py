"""Ranking of units: 三率 (response, resolution, satisfaction) plus timeliness.

Formulas (docs/adr/0005-hotline.md), over a period's UnitDayFact rows of one unit:

    response rate      = responded on time / received        (accepted or returned in time)
    resolution rate    = resolved / resolution answered      (解决 + 基本解决 at callback)
    satisfaction rate  = satisfied / rated                   (满意 + 基本满意 at callback)
    timeliness         = replied on time / replied           (before the handling deadline)
    score              = 100 × Σ weight × rate / Σ weight    (over the rates that have data)

Units with no data for a rate are not penalised for it: that weight drops out. Ties are broken
by satisfaction rate, then by tickets received.
"""

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Sum

from .models import EvaluationSettings, UnitDayFact

PERIODS = ("week", "month", "year")
SUMMED = (
    "received",
    "responded",
    "responded_on_time",
    "returned",
    "replied",
    "replied_on_time",
    "rated",
    "satisfied",
    "resolution_rated",
    "resolved",
    "reopened",
)


def period_bounds(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the week (Monday–Sunday), month or year containing ``day``."""
    if kind == "week":
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    if kind == "month":
        return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if kind == "year":
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    raise ValueError(kind)


def previous_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _rate(num: int, den: int) -> float | None:
    return num / den if den else None


@dataclass
class RankRow:
    department_id: int
    department: str
    department_en: str
    counts: dict[str, int]
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    timeliness: float | None
    score: float
    rank: int = 0
    flags: list[str] = field(default_factory=list)


def current_settings() -> EvaluationSettings:
    return EvaluationSettings.objects.get_or_create(pk=1)[0]


def ranking(start: dt.date, end: dt.date, cfg: EvaluationSettings | None = None) -> list[RankRow]:
    """All units with tickets in [start, end], ranked. One GROUP BY over the daily facts."""
    cfg = cfg or current_settings()
    weights = {
        "response_rate": cfg.weight_response,
        "resolution_rate": cfg.weight_resolution,
        "satisfaction_rate": cfg.weight_satisfaction,
        "timeliness": cfg.weight_timeliness,
    }
    rows = (
        UnitDayFact.objects.filter(day__gte=start, day__lte=end)
        .values("department_id", "department__name", "department__name_en")
        .annotate(**{name: Sum(name) for name in SUMMED})
        .order_by()
    )
    result = []
    for row in rows:
        counts = {name: row[name] or 0 for name in SUMMED}
        rates = {
            "response_rate": _rate(counts["responded_on_time"], counts["received"]),
            "resolution_rate": _rate(counts["resolved"], counts["resolution_rated"]),
            "satisfaction_rate": _rate(counts["satisfied"], counts["rated"]),
            "timeliness": _rate(counts["replied_on_time"], counts["replied"]),
        }
        used = {k: w for k, w in weights.items() if rates[k] is not None}
        total_weight = sum(used.values())
        score = (
            100 * sum(w * rates[k] for k, w in used.items()) / total_weight if total_weight else 0.0
        )
        result.append(
            RankRow(
                department_id=row["department_id"],
                department=row["department__name"],
                department_en=row["department__name_en"],
                counts=counts,
                score=round(score, 2),
                **rates,
            )
        )
    result.sort(
        key=lambda r: (-r.score, -(r.satisfaction_rate or 0), -r.counts["received"], r.department)
    )
    for position, row in enumerate(result, start=1):
        row.rank = position
    return result


def _eligible(rows: list[RankRow], cfg: EvaluationSettings) -> list[RankRow]:
    return [r for r in rows if r.counts["received"] >= cfg.interview_min_tickets]


def interview_flags(month: dt.date, cfg: EvaluationSettings | None = None) -> dict[int, list[str]]:
    """Units meeting the interview (约谈) rule in the month containing ``month``:
    last place (among units with enough tickets) for N months running, or satisfaction below
    the threshold. Returns department id -> reasons."""
    cfg = cfg or current_settings()
    flags: dict[int, list[str]] = {}
    start, end = period_bounds("month", month)
    current = _eligible(ranking(start, end, cfg), cfg)
    threshold = cfg.interview_satisfaction_below / 100
    for row in current:
        if row.satisfaction_rate is not None and row.satisfaction_rate < threshold:
            flags.setdefault(row.department_id, []).append("satisfaction_below")
    months = max(1, cfg.interview_last_places_months)
    last_places = []
    day = start
    for _ in range(months):
        rows = _eligible(ranking(*period_bounds("month", day), cfg), cfg)
        last_places.append(rows[-1].department_id if len(rows) > 1 else None)
        day = previous_month(day)
    if last_places[0] is not None and all(d == last_places[0] for d in last_places):
        flags.setdefault(last_places[0], []).append("last_place")
    return flags


def ranking_with_flags(kind: str, day: dt.date) -> tuple[dt.date, dt.date, list[RankRow]]:
    start, end = period_bounds(kind, day)
    cfg = current_settings()
    rows = ranking(start, end, cfg)
    if kind == "month":
        flags = interview_flags(start, cfg)
        for row in rows:
            row.flags = flags.get(row.department_id, [])
    return start, end, rows
