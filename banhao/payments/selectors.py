"""Every read of the payments register: the public finder (filters, nearest first), place
pages, target coverage and shortfalls, town guides and staff lists."""

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, ExpressionWrapper, F, FloatField, Prefetch, Q, QuerySet

from banhao.org.models import Region
from banhao.org.selectors import townships

from . import access
from .models import (
    FOREIGN_CARD_SCHEMES,
    Capability,
    CapabilityFact,
    FollowUpTask,
    Inspection,
    Landmark,
    MetricKind,
    PaymentTarget,
    Place,
    PlaceKind,
)
from .states import TaskStatus

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LAT = 111.195
NEAREST_LIMIT = 20
# Bounding boxes tried in turn for "nearest first" (half-side in km): the database answers
# from the (latitude, longitude) index instead of measuring every place in the county.
SEARCH_RADII_KM = (2.0, 8.0, 30.0, 120.0)

# Filters a visitor can tick; each is one capability that must be yes.
FINDER_NEEDS = [
    Capability.VISA,
    Capability.MASTERCARD,
    Capability.JCB,
    Capability.AMEX,
    Capability.DINERS_DISCOVER,
    Capability.UNIONPAY,
    Capability.CASH,
    Capability.FOREIGN_WITHDRAWAL,
    Capability.EXCHANGE,
    Capability.MOBILE_FOREIGN_CARD,
    Capability.FOREIGN_WALLETS,
    Capability.TRAVEL_CARD,
]

PLACE_LIST_FIELDS = (
    "id",
    "code",
    "name",
    "name_en",
    "kind",
    "sector",
    "category",
    "region_id",
    "region__name",
    "region__name_en",
    "address",
    "address_en",
    "latitude",
    "longitude",
    "opening_hours",
    "opening_hours_en",
    "bank__name",
    "bank__name_en",
    "is_demo",
    *[c.value for c in Capability],
)


@dataclass
class Origin:
    latitude: float
    longitude: float
    label: str = ""


@dataclass
class FinderQuery:
    needs: list[str] = field(default_factory=list)
    kind: str = ""
    region_id: int | None = None
    text: str = ""
    origin: Origin | None = None
    limit: int = NEAREST_LIMIT


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def _filtered(query: FinderQuery) -> QuerySet[Place]:
    qs = Place.objects.filter(is_active=True)
    for need in query.needs:
        qs = qs.filter(**{Capability(need).value: True})
    if query.kind:
        qs = qs.filter(kind=query.kind)
    if query.region_id:
        qs = qs.filter(region_id=query.region_id)
    if query.text:
        qs = qs.filter(
            Q(name__icontains=query.text)
            | Q(name_en__icontains=query.text)
            | Q(address__icontains=query.text)
        )
    return qs


def _rows(qs: QuerySet[Place]) -> list[dict]:
    return list(qs.values(*PLACE_LIST_FIELDS))


def place_row(pk: int) -> dict:
    return _rows(Place.objects.filter(pk=pk))[0]


def find_places(query: FinderQuery) -> list[dict]:
    """Places matching the filters: the nearest ``limit`` to the origin when one is given
    (distance in km on each row), else in town and name order. One or a few queries."""
    qs = _filtered(query)
    if query.origin is None:
        return _rows(qs.order_by("region__sort_order", "kind", "name")[: query.limit])
    lat0, lon0 = query.origin.latitude, query.origin.longitude
    # Squared planar distance in km²; plain arithmetic, so SQLite and PostgreSQL both order by
    # it without extensions. Good to well under a percent across one county.
    k_lon = KM_PER_DEGREE_LAT * math.cos(math.radians(lat0))
    d2 = ExpressionWrapper(
        ((F("latitude") - lat0) * KM_PER_DEGREE_LAT) * ((F("latitude") - lat0) * KM_PER_DEGREE_LAT)
        + ((F("longitude") - lon0) * k_lon) * ((F("longitude") - lon0) * k_lon),
        output_field=FloatField(),
    )
    nearest: list[tuple[int, float]] = []
    for radius in (*SEARCH_RADII_KM, None):
        boxed = qs
        if radius is not None:
            dlat = radius / KM_PER_DEGREE_LAT
            dlon = radius / max(k_lon, 1e-6)
            boxed = qs.filter(
                latitude__range=(lat0 - dlat, lat0 + dlat),
                longitude__range=(lon0 - dlon, lon0 + dlon),
            )
        # Ids only: the finder index covers every column this query reads.
        nearest = list(
            boxed.annotate(d2=d2).order_by("d2", "id").values_list("id", "d2")[: query.limit]
        )
        # Inside the box, a result is certainly among the nearest only if it lies within the
        # inscribed circle; otherwise a place just outside the box might be nearer.
        if radius is None or (len(nearest) == query.limit and nearest[-1][1] <= radius * radius):
            break
    order = {pk: i for i, (pk, _d2) in enumerate(nearest)}
    rows = sorted(_rows(Place.objects.filter(pk__in=order)), key=lambda r: order[r["id"]])
    for row in rows:
        row["distance_km"] = distance_km(lat0, lon0, row["latitude"], row["longitude"])
    return rows


def landmarks() -> list[Landmark]:
    return list(Landmark.objects.select_related("region"))


def landmark(pk) -> Landmark | None:
    try:
        return Landmark.objects.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def towns() -> list[Region]:
    return list(townships())


def public_place(pk: int) -> Place | None:
    return (
        Place.objects.select_related("region", "bank", "department", "supervising_department")
        .filter(pk=pk, is_active=True)
        .first()
    )


def place_facts(place: Place) -> list[CapabilityFact]:
    """The full history of what the place accepts, newest first."""
    return list(place.facts.select_related("recorded_by", "inspection"))


def current_facts(place: Place) -> list[dict]:
    """Each capability with its current value and the date it rests on (public page)."""
    return [
        {
            "code": c.value,
            "label": c.label,
            "value": getattr(place, c.value),
            "as_of": place.capability_dates.get(c.value, ""),
        }
        for c in Capability
    ]


def town_guide(region: Region) -> dict:
    """What a one-page printed guide lists for one town."""
    base = Place.objects.filter(region=region, is_active=True).select_related("bank")
    foreign = Q()
    for c in FOREIGN_CARD_SCHEMES:
        foreign |= Q(**{c.value: True})
    return {
        "region": region,
        "atms": list(base.filter(kind=PlaceKind.ATM, foreign_card_withdrawal=True)[:8]),
        "exchange": list(base.filter(currency_exchange=True)[:6]),
        "help": list(
            base.filter(kind__in=[PlaceKind.SERVICE_STATION, PlaceKind.CONSULTATION_POINT])[:6]
        ),
        "merchants": list(
            base.filter(foreign, kind=PlaceKind.MERCHANT, is_key=True).order_by("category", "name")[
                :12
            ]
        ),
    }


# --- targets -----------------------------------------------------------------------------


@dataclass
class Coverage:
    target: PaymentTarget
    population: int
    covered: int

    @property
    def percent(self) -> Decimal | None:
        if not self.population:
            return None
        return (Decimal(self.covered) * 100 / self.population).quantize(Decimal("0.1"))

    @property
    def met(self) -> bool:
        t = self.target
        if t.metric == MetricKind.MIN_COUNT:
            return self.covered >= (t.threshold or 0)
        if not self.population:
            return False
        threshold = t.threshold if t.threshold is not None else Decimal(100)
        return Decimal(self.covered) * 100 >= threshold * self.population

    @property
    def shortfall(self) -> int:
        if self.target.metric == MetricKind.MIN_COUNT:
            return 0 if self.met else int(self.target.threshold or 0) - self.covered
        return self.population - self.covered


def population_q(rule: dict) -> Q:
    q = Q(is_active=True)
    if rule.get("kinds"):
        q &= Q(kind__in=rule["kinds"])
    if rule.get("categories"):
        q &= Q(category__in=rule["categories"])
    if rule.get("banks"):
        q &= Q(bank__code__in=rule["banks"])
    return q


def covered_q(rule: dict) -> Q:
    return Q(**{Capability(c).value: True for c in rule.get("all_of", [])})


def target_coverage(user=None) -> list[Coverage]:
    """Live coverage of every target from the register: one aggregate query per target.
    With ``user``, counted over the places that user keeps (a unit's own share)."""
    result = []
    for target in PaymentTarget.objects.all():
        qs = Place.objects.filter(population_q(target.rule))
        if user is not None:
            qs = qs.filter(access.place_q(user))
        agg = qs.aggregate(
            population=Count("id"), covered=Count("id", filter=covered_q(target.rule))
        )
        result.append(Coverage(target, agg["population"], agg["covered"]))
    return result


def shortfall_places(target: PaymentTarget, user) -> list[Place]:
    """Places in the target's scope that do not (yet) meet it, by responsible unit. Unknown
    values count as not met: only a recorded yes counts."""
    return list(
        Place.objects.filter(population_q(target.rule))
        .exclude(covered_q(target.rule))
        .filter(access.place_q(user))
        .select_related("department", "region", "bank")
        .order_by("department__sort_order", "department_id", "region__sort_order", "name")
    )


def shortfall_counts_by_unit(target: PaymentTarget, user) -> list[dict[str, Any]]:
    counts = (
        Place.objects.filter(population_q(target.rule))
        .exclude(covered_q(target.rule))
        .filter(access.place_q(user))
        .values("department_id", "department__name", "department__name_en")
        .annotate(count=Count("id"))
        .order_by("-count", "department__name")
    )
    return [dict(row) for row in counts]


# --- staff -------------------------------------------------------------------------------


def staff_place_list(user, *, kind: str = "", region_id=None, text: str = "") -> QuerySet[Place]:
    qs = access.staff_places(user).select_related("region", "bank", "department")
    if kind:
        qs = qs.filter(kind=kind)
    if region_id:
        qs = qs.filter(region_id=region_id)
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(code__icontains=text))
    return qs.annotate(
        open_tasks=Count("tasks", filter=Q(tasks__status=TaskStatus.OPEN), distinct=True)
    ).order_by("region__sort_order", "kind", "name")


def staff_place(user, pk) -> Place:
    """One place the user keeps, with its inspections and tasks; others answer 404."""
    from django.http import Http404

    place = (
        access.staff_places(user)
        .select_related("region", "bank", "department", "supervising_department")
        .prefetch_related(
            Prefetch(
                "inspections",
                queryset=Inspection.objects.select_related("inspector").prefetch_related(
                    "findings"
                ),
            ),
            Prefetch("tasks", queryset=FollowUpTask.objects.select_related("department")),
        )
        .filter(pk=pk)
        .first()
    )
    if place is None:
        raise Http404
    return place


def staff_tasks(user, *, status: str = TaskStatus.OPEN) -> QuerySet[FollowUpTask]:
    qs = FollowUpTask.objects.filter(access.place_q(user, "place__")).select_related(
        "place", "place__region", "department", "inspection"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("due_on", "id")


def staff_task(user, pk) -> FollowUpTask:
    from django.http import Http404

    task = staff_tasks(user, status="").filter(pk=pk).first()
    if task is None:
        raise Http404
    return task


def open_task_count(user) -> int:
    return FollowUpTask.objects.filter(
        access.place_q(user, "place__"), status=TaskStatus.OPEN
    ).count()


def staff_reports(user, *, kind: str = ""):
    qs = access.staff_reports(user).select_related("place", "place__region", "place__department")
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def export_rows() -> QuerySet[Place]:
    return (
        Place.objects.filter(is_active=True)
        .select_related("region", "bank", "department", "supervising_department")
        .order_by("code")
    )


def _english() -> bool:
    from django.utils import translation

    return (translation.get_language() or "").startswith("en")


def localize_rows(rows: list[dict]) -> list[dict]:
    """Add display_* keys in the page's language (English names where there are any), and
    resolve labels once per page rather than once per row (the finder's hot path)."""
    from django.urls import reverse

    english = _english()
    kind_labels = {k.value: str(k.label) for k in PlaceKind}
    need_labels = [(c.value, str(c.label)) for c in FINDER_NEEDS]
    place_url = reverse("payments:place", args=[0])[: -len("0/")]
    for row in rows:
        for key in ("name", "address", "opening_hours", "region__name", "bank__name"):
            value = row.get(key) or ""
            if english and row.get(f"{key}_en"):
                value = row[f"{key}_en"]
            row[f"display_{key.replace('__', '_')}"] = value
        row["kind_label"] = kind_labels[row["kind"]]
        row["accepts"] = [label for code, label in need_labels if row.get(code)]
        row["url"] = f"{place_url}{row['id']}/"
        if "distance_km" in row:
            row["distance_text"] = f"{row['distance_km']:.1f}"
    return rows
