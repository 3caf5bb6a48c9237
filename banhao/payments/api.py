"""Public HTTP API of the payments register: the finder, one place, target coverage."""

from django.http import Http404
from ninja import Field, Query, Router, Schema

from . import selectors
from .models import Capability, PlaceKind

router = Router(tags=["payments"])


class FinderParams(Schema):
    need: list[str] = Field(
        default_factory=list,
        description="Capabilities that must all be yes: " + ", ".join(Capability.values),
    )
    kind: str = Field("", description="One of " + ", ".join(PlaceKind.values))
    town: int | None = Field(None, description="Township region id")
    q: str = Field("", description="Text in the name or address")
    lat: float | None = Field(None, description="Origin latitude (nearest first)")
    lng: float | None = Field(None, description="Origin longitude")
    landmark: int | None = Field(None, description="Landmark id as origin, if no lat/lng")


class PlaceOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    kind: str
    town: str
    town_en: str
    address: str
    address_en: str
    latitude: float
    longitude: float
    opening_hours: str
    opening_hours_en: str
    bank: str | None
    is_demo: bool
    distance_km: float | None = None
    accepts: list[str]


def _out(row: dict) -> dict:
    return {
        **{k: row[k] for k in ("id", "code", "name", "name_en", "kind", "address", "address_en")},
        "town": row["region__name"],
        "town_en": row["region__name_en"],
        "latitude": row["latitude"],
        "longitude": row["longitude"],
        "opening_hours": row["opening_hours"],
        "opening_hours_en": row["opening_hours_en"],
        "bank": row["bank__name"],
        "is_demo": row["is_demo"],
        "distance_km": round(row["distance_km"], 3) if "distance_km" in row else None,
        "accepts": [c.value for c in Capability if row.get(c.value)],
    }


class _Params(dict):
    """``parse_finder_query`` reads a QueryDict; this gives it the validated values."""

    def getlist(self, key):
        value = self.get(key)
        return value if isinstance(value, list) else ([] if value is None else [value])


@router.get("/places/", response=list[PlaceOut], auth=None, summary="Find places (nearest 20)")
def find_places(request, params: Query[FinderParams]):
    from .views import parse_finder_query

    raw = {k: ("" if v is None else v) for k, v in params.dict().items()}
    raw = {k: (str(v) if not isinstance(v, list) else v) for k, v in raw.items()}
    query, _state = parse_finder_query(_Params(raw))
    return [_out(r) for r in selectors.find_places(query)]


class FactOut(Schema):
    code: str
    value: bool | None
    as_of: str


class PlaceDetailOut(Schema):
    place: PlaceOut
    capabilities: list[FactOut]


@router.get("/places/{place_id}/", response=PlaceDetailOut, auth=None)
def get_place(request, place_id: int):
    place = selectors.public_place(place_id)
    if place is None:
        raise Http404
    row = selectors.place_row(place.pk)
    return {
        "place": _out(row),
        "capabilities": [
            {"code": f["code"], "value": f["value"], "as_of": f["as_of"]}
            for f in selectors.current_facts(place)
        ],
    }


class CoverageOut(Schema):
    code: str
    text: str
    text_en: str
    metric: str
    threshold: float | None
    population: int
    covered: int
    percent: float | None
    met: bool


@router.get("/targets/", response=list[CoverageOut], auth=None, summary="Live target coverage")
def targets(request):
    return [
        {
            "code": c.target.code,
            "text": c.target.text,
            "text_en": c.target.text_en,
            "metric": c.target.metric,
            "threshold": float(c.target.threshold) if c.target.threshold is not None else None,
            "population": c.population,
            "covered": c.covered,
            "percent": float(c.percent) if c.percent is not None else None,
            "met": c.met,
        }
        for c in selectors.target_coverage()
    ]
