"""Open data: the register as CSV and GeoJSON, and CSV import with an error per row, for
exchange with the province's payment service platform (任务 (五)1).

The CSV has one row per place; capability columns hold yes / no / empty (unknown). Import is
all or nothing: if any row has an error, nothing is written and every error is listed, so a
corrected file can be loaded again as a whole.
"""

import csv
import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from banhao.org.models import Department
from banhao.org.selectors import DepartmentDirectory, townships

from .models import Bank, Capability, Category, Place, PlaceKind, Sector
from .seed import sector_departments
from .services.places import import_places

BASE_COLUMNS = [
    "code",
    "name",
    "name_en",
    "kind",
    "sector",
    "category",
    "is_key",
    "town",
    "address",
    "address_en",
    "latitude",
    "longitude",
    "opening_hours",
    "opening_hours_en",
    "phone",
    "bank",
    "responsible_unit",
    "supervising_department",
]
CAPABILITY_COLUMNS = [c.value for c in Capability]
COLUMNS = [*BASE_COLUMNS, *CAPABILITY_COLUMNS, "capabilities_as_of", "is_demo"]
REQUIRED = ["code", "name", "kind", "sector", "town", "latitude", "longitude"]
YES = {"yes", "y", "true", "1", "是"}
NO = {"no", "n", "false", "0", "否"}


def _yes_no(value) -> str:
    return "" if value is None else ("yes" if value else "no")


def place_record(place: Place) -> dict:
    as_of = max(place.capability_dates.values(), default="")
    return {
        "code": place.code,
        "name": place.name,
        "name_en": place.name_en,
        "kind": place.kind,
        "sector": place.sector,
        "category": place.category,
        "is_key": _yes_no(place.is_key),
        "town": place.region.name,
        "address": place.address,
        "address_en": place.address_en,
        "latitude": f"{place.latitude:.6f}",
        "longitude": f"{place.longitude:.6f}",
        "opening_hours": place.opening_hours,
        "opening_hours_en": place.opening_hours_en,
        "phone": place.phone,
        "bank": place.bank.code if place.bank_id else "",
        "responsible_unit": place.department.name,
        "supervising_department": place.supervising_department.name,
        **{c: _yes_no(getattr(place, c)) for c in CAPABILITY_COLUMNS},
        "capabilities_as_of": as_of,
        "is_demo": _yes_no(place.is_demo),
    }


def write_csv(out, places) -> None:
    out.write("\ufeff")  # so spreadsheet programs open the Chinese text as UTF-8
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for place in places.iterator(chunk_size=2000):
        writer.writerow(place_record(place))


def geojson(places) -> dict:
    features = []
    for place in places.iterator(chunk_size=2000):
        props = place_record(place)
        props.pop("latitude")
        props.pop("longitude")
        features.append(
            {
                "type": "Feature",
                "id": place.code,
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(place.longitude, 6), round(place.latitude, 6)],
                },
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "features": features}


@dataclass
class RowError:
    line: int
    code: str
    messages: list[str]


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and self.rows > 0


@dataclass
class CleanRow:
    line: int
    values: dict
    capabilities: dict
    as_of: datetime.date | None


class _Lookups:
    def __init__(self) -> None:
        self.towns = {}
        for town in townships():
            self.towns[town.name] = town
            if town.name_en:
                self.towns[town.name_en.lower()] = town
        self.banks = {b.code: b for b in Bank.objects.select_related("department")}
        self.units = DepartmentDirectory()
        self.sector_units = sector_departments()

    def unit(self, name: str) -> Department:
        return self.units.resolve(name, level=None)


def parse_csv(stream) -> tuple[list[CleanRow], list[RowError], int]:
    """Read and check every row. Returns (clean rows, errors, rows read)."""
    reader = csv.DictReader(stream)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return (
            [],
            [RowError(1, "", [_("Missing columns: %(cols)s") % {"cols": ", ".join(missing)}])],
            0,
        )
    look = _Lookups()
    clean, errors, seen = [], [], {}
    count = 0
    for line, raw in enumerate(reader, start=2):
        count += 1
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        problems: list[str] = []
        code = row.get("code", "")
        for column in REQUIRED:
            if not row.get(column):
                problems.append(_("%(col)s is required.") % {"col": column})
        if code in seen:
            problems.append(
                _("Code %(code)s is also on line %(line)d.") % {"code": code, "line": seen[code]}
            )
        seen.setdefault(code, line)
        kind = row.get("kind", "")
        if kind and kind not in PlaceKind.values:
            problems.append(
                _("Unknown kind %(v)s; use one of %(choices)s.")
                % {"v": kind, "choices": ", ".join(PlaceKind.values)}
            )
        sector = row.get("sector", "")
        if sector and sector not in Sector.values:
            problems.append(
                _("Unknown sector %(v)s; use one of %(choices)s.")
                % {"v": sector, "choices": ", ".join(Sector.values)}
            )
        category = row.get("category") or Category.OTHER
        if category not in Category.values:
            problems.append(_("Unknown category %(v)s.") % {"v": category})
        town = look.towns.get(row.get("town", "")) or look.towns.get(row.get("town", "").lower())
        if row.get("town") and town is None:
            problems.append(_("Unknown town %(v)s.") % {"v": row["town"]})
        lat = lon = None
        try:
            lat = float(row.get("latitude", ""))
            lon = float(row.get("longitude", ""))
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError
        except ValueError:
            if row.get("latitude") and row.get("longitude"):
                problems.append(_("Latitude and longitude must be numbers in range."))
        bank = None
        if row.get("bank"):
            bank = look.banks.get(row["bank"])
            if bank is None:
                problems.append(_("Unknown bank %(v)s.") % {"v": row["bank"]})
        elif kind in (PlaceKind.ATM, PlaceKind.BANK_BRANCH):
            problems.append(_("ATMs and bank branches need a bank."))
        supervising = responsible = None
        sup_name = row.get("supervising_department") or look.sector_units.get(sector, "")
        if sup_name:
            try:
                supervising = look.unit(sup_name)
            except (Department.DoesNotExist, Department.MultipleObjectsReturned):
                problems.append(_("Unknown department %(v)s.") % {"v": sup_name})
        if row.get("responsible_unit"):
            try:
                responsible = look.unit(row["responsible_unit"])
            except (Department.DoesNotExist, Department.MultipleObjectsReturned):
                problems.append(_("Unknown department %(v)s.") % {"v": row["responsible_unit"]})
        else:
            responsible = (
                bank.department if bank is not None and bank.department_id else supervising
            )
        if responsible is None and not problems:
            problems.append(_("Name the responsible unit (the bank has no unit yet)."))
        caps = {}
        for column in CAPABILITY_COLUMNS:
            value = row.get(column, "").lower()
            if not value:
                continue
            if value in YES:
                caps[column] = True
            elif value in NO:
                caps[column] = False
            else:
                problems.append(
                    _("%(col)s must be yes, no or empty, not %(v)s.")
                    % {"col": column, "v": row[column]}
                )
        as_of = None
        if caps:
            try:
                as_of = datetime.date.fromisoformat(row.get("capabilities_as_of", ""))
                if as_of > timezone.localdate():
                    problems.append(_("capabilities_as_of cannot be in the future."))
            except ValueError:
                problems.append(
                    _(
                        "capabilities_as_of must be a date like 2024-12-31 when capabilities are given."
                    )
                )
        if problems:
            errors.append(RowError(line, code, problems))
            continue
        clean.append(
            CleanRow(
                line=line,
                values={
                    "code": code,
                    "name": row["name"],
                    "name_en": row.get("name_en", ""),
                    "kind": kind,
                    "sector": sector,
                    "category": category,
                    "is_key": row.get("is_key", "").lower() in YES,
                    "region": town,
                    "address": row.get("address", ""),
                    "address_en": row.get("address_en", ""),
                    "latitude": lat,
                    "longitude": lon,
                    "opening_hours": row.get("opening_hours", ""),
                    "opening_hours_en": row.get("opening_hours_en", ""),
                    "phone": row.get("phone", ""),
                    "bank": bank,
                    "department": responsible,
                    "supervising_department": supervising,
                    "is_demo": row.get("is_demo", "").lower() in YES,
                },
                capabilities=caps,
                as_of=as_of,
            )
        )
    return clean, errors, count


def import_csv(*, actor, stream) -> ImportResult:
    clean, errors, count = parse_csv(stream)
    result = ImportResult(rows=count, errors=errors)
    if errors or not clean:
        return result
    result.created, result.updated = import_places(actor=actor, rows=clean)
    return result
