"""Demo data for the payments register: a small hand-shaped demo register for every town
(``load_demo_register``) and random places at volume for benchmarks (``generate_places``).

Everything here is demo data: ``is_demo`` is set, codes start with ``DEMO-`` and Chinese names
carry 演示 like the other demo rows of the project. Town centres are approximate.
"""

import datetime
import random
import time
import zlib
from dataclasses import dataclass

from django.db import transaction

from banhao.org.models import Department, DepartmentKind, Region
from banhao.org.selectors import county, resolve_department, townships

from .models import (
    FOREIGN_CARD_SCHEMES,
    Bank,
    Capability,
    CapabilityFact,
    Category,
    FactSource,
    Landmark,
    Place,
    PlaceKind,
    Sector,
)
from .seed import sector_departments

# Approximate centres (latitude, longitude) of the county's township-level units, for demo data.
TOWN_CENTRES = {
    "南麻街道": (36.1850, 118.1700),
    "历山街道": (36.1930, 118.1450),
    "悦庄镇": (36.1380, 118.0560),
    "东里镇": (36.0330, 118.3020),
    "西里镇": (36.0600, 118.1350),
    "大张庄镇": (36.0180, 118.2250),
    "中庄镇": (36.2450, 118.3050),
    "张家坡镇": (36.2780, 118.1180),
    "燕崖镇": (36.1500, 118.3800),
    "石桥镇": (36.3050, 118.2150),
    "鲁村镇": (36.2050, 117.9600),
    "南鲁山镇": (36.2700, 118.0150),
    "经济开发区": (36.1700, 118.2150),
}
# The county's bounding box, for generated places.
COUNTY_BOX = ((35.98, 36.34), (117.92, 118.42))

PLAN_BANKS = ("icbc", "abc", "boc", "ccb")
DEMO_FACT_DATE = datetime.date(2024, 9, 30)
DEMO_NOTE = "演示数据 demo data"

CATEGORY_SECTOR = {
    Category.HOTEL: Sector.LODGING,
    Category.TRANSPORT_HUB: Sector.TRANSPORT,
    Category.TAXI: Sector.TRANSPORT,
    Category.SCENIC_SPOT: Sector.TOURISM,
    Category.LARGE_SUPERMARKET: Sector.SHOPPING,
    Category.NIGHT_DISTRICT: Sector.ENTERTAINMENT,
    Category.CULTURAL_VENUE: Sector.ENTERTAINMENT,
    Category.ENTERTAINMENT_VENUE: Sector.ENTERTAINMENT,
    Category.HOSPITAL: Sector.MEDICAL,
    Category.PHARMACY: Sector.MEDICAL,
    Category.RESTAURANT: Sector.FOOD,
    Category.SHOP: Sector.SHOPPING,
    Category.SCHOOL: Sector.EDUCATION,
}

CATEGORY_NAMES = {
    Category.HOTEL: ("演示大酒店", "Demo Grand Hotel"),
    Category.TRANSPORT_HUB: ("演示汽车站", "Demo Bus Station"),
    Category.SCENIC_SPOT: ("演示风景区", "Demo Scenic Area"),
    Category.LARGE_SUPERMARKET: ("演示购物中心", "Demo Shopping Centre"),
    Category.HOSPITAL: ("演示医院", "Demo Hospital"),
    Category.PHARMACY: ("演示大药房", "Demo Pharmacy"),
    Category.RESTAURANT: ("演示饭店", "Demo Restaurant"),
    Category.CULTURAL_VENUE: ("演示文化馆", "Demo Cultural Centre"),
    Category.SHOP: ("演示商店", "Demo Shop"),
    Category.ENTERTAINMENT_VENUE: ("演示影城", "Demo Cinema"),
    Category.NIGHT_DISTRICT: ("演示夜市", "Demo Night Market"),
    Category.TAXI: ("演示出租车公司", "Demo Taxi Company"),
    Category.SCHOOL: ("演示学校", "Demo School"),
    Category.OTHER: ("演示商户", "Demo Merchant"),
}


class MissingSeedData(Exception):
    pass


@dataclass
class Units:
    """Departments and banks the demo and generated places refer to."""

    by_sector: dict[str, Department]
    banks: dict[str, Bank]
    towns: list[Region]


def bank_unit_name(bank: Bank) -> str:
    return "沂源农商银行演示支行" if bank.code == "rcb" else f"{bank.full_name}沂源演示支行"


def ensure_bank_units() -> dict[str, Bank]:
    """Give every bank without one a demo county-branch unit (kind financial) for its staff."""
    yiyuan = county()
    banks = {}
    for bank in Bank.objects.select_related("department"):
        if bank.department_id is None:
            dept, _ = Department.objects.get_or_create(
                level="county",
                name=bank_unit_name(bank),
                defaults={
                    "name_en": f"{bank.name_en}, Yiyuan Sub-branch (demo)",
                    "kind": DepartmentKind.FINANCIAL,
                    "region": yiyuan,
                    "sort_order": 900 + bank.sort_order,
                },
            )
            bank.department = dept
            bank.save(update_fields=["department"])
        banks[bank.code] = bank
    return banks


def _units() -> Units:
    if not Bank.objects.exists():
        raise MissingSeedData("Banks are missing; run `banhao seed` first.")
    try:
        by_sector = {s: resolve_department(n) for s, n in sector_departments().items()}
    except Department.DoesNotExist as exc:
        raise MissingSeedData(f"{exc} Run `banhao seed` first.") from exc
    towns = list(townships())
    if not towns:
        raise MissingSeedData("Townships are missing; run `banhao seed` first.")
    return Units(by_sector=by_sector, banks=ensure_bank_units(), towns=towns)


def _place(
    units: Units,
    *,
    code: str,
    name: str,
    name_en: str,
    kind: str,
    region: Region,
    lat: float,
    lon: float,
    category: str = Category.OTHER,
    bank: Bank | None = None,
    is_key: bool = False,
    hours: tuple[str, str] = ("", ""),
) -> Place:
    if bank is not None or kind in (
        PlaceKind.SERVICE_STATION,
        PlaceKind.CONSULTATION_POINT,
        PlaceKind.EXCHANGE_POINT,
    ):
        sector = Sector.FINANCE
    else:
        sector = CATEGORY_SECTOR.get(category, Sector.SHOPPING)
    supervisor = units.by_sector[sector]
    number = zlib.crc32(code.encode()) % 300 + 1  # stable across runs, unlike hash()
    return Place(
        code=code,
        name=name,
        name_en=name_en,
        kind=kind,
        sector=sector,
        category=category,
        is_key=is_key,
        region=region,
        address=f"{region.name}演示路{number}号",
        address_en=f"No. {number} Demo Road, {region.name_en}",
        latitude=round(lat, 6),
        longitude=round(lon, 6),
        opening_hours=hours[0],
        opening_hours_en=hours[1],
        bank=bank,
        department=bank.department if bank is not None else supervisor,
        supervising_department=supervisor,
        is_demo=True,
    )


HOURS_ALWAYS = ("24小时", "24 hours")
HOURS_BANK = ("周一至周五 8:30-17:00", "Mon-Fri 8:30-17:00")
HOURS_SHOP = ("每天 8:00-21:00", "Daily 8:00-21:00")


def _demo_specs(units: Units) -> list[tuple[Place, dict[str, bool]]]:
    """The demo register: per town, banks with ATMs, key merchants, a service station."""
    rng = random.Random(7)  # fixed, so the demo register is the same on every machine
    specs = []
    for t_index, town in enumerate(units.towns):
        lat0, lon0 = TOWN_CENTRES.get(town.name, (36.185, 118.17))
        short = town.name.removesuffix("街道").removesuffix("镇")
        seat = t_index < 2  # the two subdistricts form the county seat

        def near(spread: float = 0.012, lat0=lat0, lon0=lon0) -> tuple[float, float]:
            return lat0 + rng.uniform(-spread, spread), lon0 + rng.uniform(-spread, spread)

        bank_codes = (
            list(units.banks) if seat else ["abc", "psbc", "rcb", "icbc"][: 2 + t_index % 3]
        )
        for b_index, code in enumerate(bank_codes):
            bank = units.banks[code]
            lat, lon = near()
            branch = _place(
                units,
                code=f"DEMO-{t_index + 1:02d}-BR-{code}",
                name=f"{bank.name}{short}演示网点",
                name_en=f"{bank.name_en}, {town.name_en} demo branch",
                kind=PlaceKind.BANK_BRANCH,
                region=town,
                lat=lat,
                lon=lon,
                bank=bank,
                hours=HOURS_BANK,
            )
            exchange = seat and code == "boc"
            specs.append(
                (
                    branch,
                    {
                        Capability.UNIONPAY: True,
                        Capability.CASH: True,
                        Capability.CHANGE: True,
                        Capability.CHANGE_PACKS: code != "psbc" or seat,
                        Capability.EXCHANGE: exchange,
                        Capability.SIGNAGE: True,
                    },
                )
            )
            for n in range(1 if not seat else 2):
                lat, lon = near()
                # In the demo, one ATM of a plan bank in the seat still lacks foreign cards,
                # so the first target shows a shortfall to work on.
                foreign = not (seat and code == "ccb" and n == 1) and (
                    code in PLAN_BANKS or b_index % 2 == 0
                )
                atm = _place(
                    units,
                    code=f"DEMO-{t_index + 1:02d}-ATM-{code}-{n + 1}",
                    name=f"{bank.name}{short}演示ATM{n + 1}",
                    name_en=f"{bank.name_en} ATM {n + 1}, {town.name_en} (demo)",
                    kind=PlaceKind.ATM,
                    region=town,
                    lat=lat,
                    lon=lon,
                    bank=bank,
                    hours=HOURS_ALWAYS,
                )
                specs.append(
                    (
                        atm,
                        {
                            Capability.UNIONPAY: True,
                            Capability.FOREIGN_WITHDRAWAL: foreign,
                            Capability.VISA: foreign,
                            Capability.MASTERCARD: foreign,
                            Capability.SIGNAGE: foreign,
                        },
                    )
                )
        categories = [
            Category.LARGE_SUPERMARKET,
            Category.HOTEL,
            Category.HOSPITAL,
            Category.PHARMACY,
            Category.RESTAURANT,
        ]
        if seat:
            categories += [
                Category.TRANSPORT_HUB,
                Category.SCENIC_SPOT,
                Category.CULTURAL_VENUE,
                Category.ENTERTAINMENT_VENUE,
                Category.NIGHT_DISTRICT,
            ]
        elif t_index % 4 == 2:
            categories.append(Category.SCENIC_SPOT)
        for c_index, category in enumerate(categories):
            zh, en = CATEGORY_NAMES[category]
            lat, lon = near()
            place = _place(
                units,
                code=f"DEMO-{t_index + 1:02d}-M-{c_index + 1:02d}",
                name=f"{short}{zh}",
                name_en=f"{town.name_en.split()[0]} {en}",
                kind=PlaceKind.MERCHANT,
                region=town,
                lat=lat,
                lon=lon,
                category=category,
                is_key=category != Category.RESTAURANT,
                hours=HOURS_ALWAYS
                if category in (Category.HOTEL, Category.HOSPITAL)
                else HOURS_SHOP,
            )
            foreign = seat or (t_index + c_index) % 3 != 0
            specs.append(
                (
                    place,
                    {
                        Capability.UNIONPAY: True,
                        Capability.VISA: foreign,
                        Capability.MASTERCARD: foreign,
                        Capability.JCB: seat and category == Category.HOTEL,
                        Capability.AMEX: seat and category == Category.HOTEL,
                        Capability.CASH: True,
                        Capability.CASH_PLEDGE: category
                        in (Category.SCENIC_SPOT, Category.TRANSPORT_HUB),
                        Capability.CHANGE: True,
                        Capability.MOBILE_DOMESTIC: True,
                        Capability.MOBILE_FOREIGN_CARD: foreign,
                        Capability.FOREIGN_WALLETS: seat,
                        Capability.SIGNAGE: foreign,
                    },
                )
            )
        lat, lon = near(0.006)
        station = _place(
            units,
            code=f"DEMO-{t_index + 1:02d}-SS",
            name=f"{short}演示便民支付服务站",
            name_en=f"{town.name_en.split()[0]} Payment Service Station (demo)",
            kind=PlaceKind.SERVICE_STATION
            if seat or t_index % 2 == 0
            else PlaceKind.CONSULTATION_POINT,
            region=town,
            lat=lat,
            lon=lon,
            is_key=True,
            hours=HOURS_SHOP,
        )
        specs.append(
            (
                station,
                {
                    Capability.UNIONPAY: True,
                    Capability.CASH: True,
                    Capability.CHANGE: True,
                    Capability.EXCHANGE: seat,
                    Capability.SIGNAGE: True,
                },
            )
        )
    return specs


DEMO_LANDMARKS = [
    ("沂源县人民政府", "Yiyuan County Government", 36.1853, 118.1706, "南麻街道"),
    ("沂源汽车站（演示位置）", "Yiyuan Bus Station (demo location)", 36.1790, 118.1620, "南麻街道"),
    ("历山演示广场", "Lishan Demo Square", 36.1950, 118.1440, "历山街道"),
    ("鲁山演示景区入口", "Lushan Demo Scenic Area Gate", 36.2850, 118.0300, "南鲁山镇"),
]


@transaction.atomic
def load_demo_register() -> dict[str, int]:
    """The demo register, idempotently: existing demo places (by code) are left as they are,
    so staff edits made while trying the platform survive a second load."""
    units = _units()
    regions = {r.name: r for r in units.towns}
    for position, (name, name_en, lat, lon, town) in enumerate(DEMO_LANDMARKS, start=1):
        if town in regions:
            Landmark.objects.get_or_create(
                name=name,
                defaults={
                    "name_en": name_en,
                    "latitude": lat,
                    "longitude": lon,
                    "region": regions[town],
                    "sort_order": position,
                    "is_demo": True,
                },
            )
    specs = _demo_specs(units)
    existing = set(Place.objects.filter(code__startswith="DEMO-").values_list("code", flat=True))
    new = [(p, caps) for p, caps in specs if p.code not in existing]
    _insert(new)
    return {"demo_places": len(specs), "created": len(new), "landmarks": Landmark.objects.count()}


def _insert(specs: list[tuple[Place, dict]], batch_size: int = 2000) -> None:
    """Bulk-insert places with their current values and one demo fact per value."""
    for start in range(0, len(specs), batch_size):
        chunk = specs[start : start + batch_size]
        for place, caps in chunk:
            for cap, value in caps.items():
                setattr(place, Capability(cap).value, bool(value))
            place.capability_dates = {Capability(c).value: DEMO_FACT_DATE.isoformat() for c in caps}
        created = Place.objects.bulk_create([p for p, _ in chunk])
        if not created or created[0].pk is None:  # backends without RETURNING
            codes = [p.code for p in created]
            ids = dict(Place.objects.filter(code__in=codes).values_list("code", "pk"))
            for p in created:
                p.pk = ids[p.code]
        CapabilityFact.objects.bulk_create(
            [
                CapabilityFact(
                    place=place,
                    capability=Capability(cap).value,
                    value=bool(value),
                    observed_on=DEMO_FACT_DATE,
                    source=FactSource.DEMO,
                    source_note=DEMO_NOTE,
                )
                for place, caps in chunk
                for cap, value in caps.items()
            ],
            batch_size=5000,
        )


def generate_places(count: int, *, seed: int | None = None) -> dict:
    """Add ``count`` random demo places across the county (for volume and benchmarks)."""
    units = _units()
    rng = random.Random(seed)
    start_code = Place.objects.filter(code__startswith="DEMO-G-").count()
    run = rng.randrange(16**6)
    kinds = [
        (PlaceKind.MERCHANT, 70),
        (PlaceKind.ATM, 18),
        (PlaceKind.BANK_BRANCH, 6),
        (PlaceKind.SERVICE_STATION, 3),
        (PlaceKind.CONSULTATION_POINT, 2),
        (PlaceKind.EXCHANGE_POINT, 1),
    ]
    kind_list = [k for k, _ in kinds]
    weights = [w for _, w in kinds]
    categories = [c for c in Category if c != Category.OTHER]
    banks = list(units.banks.values())
    specs = []
    began = time.perf_counter()
    for i in range(count):
        town = rng.choice(units.towns)
        lat0, lon0 = TOWN_CENTRES.get(town.name, (36.185, 118.17))
        lat = min(max(lat0 + rng.gauss(0, 0.025), COUNTY_BOX[0][0]), COUNTY_BOX[0][1])
        lon = min(max(lon0 + rng.gauss(0, 0.03), COUNTY_BOX[1][0]), COUNTY_BOX[1][1])
        kind = rng.choices(kind_list, weights)[0]
        code = f"DEMO-G-{run:06x}-{start_code + i + 1:06d}"
        short = town.name.removesuffix("街道").removesuffix("镇")
        bank = rng.choice(banks) if kind in (PlaceKind.ATM, PlaceKind.BANK_BRANCH) else None
        category = rng.choice(categories) if kind == PlaceKind.MERCHANT else Category.OTHER
        if bank is not None:
            zh = f"{bank.name}{short}演示{'ATM' if kind == PlaceKind.ATM else '网点'}{i + 1}"
            en = f"{bank.name_en} {'ATM' if kind == PlaceKind.ATM else 'branch'} {i + 1} (demo)"
        else:
            base_zh, base_en = CATEGORY_NAMES[category]
            zh, en = f"{short}{base_zh}{i + 1}", f"{base_en} {i + 1}"
        place = _place(
            units,
            code=code,
            name=zh,
            name_en=en,
            kind=kind,
            region=town,
            lat=lat,
            lon=lon,
            category=category,
            bank=bank,
            is_key=rng.random() < 0.3,
            hours=HOURS_ALWAYS if kind == PlaceKind.ATM else HOURS_SHOP,
        )
        foreign = rng.random() < 0.6
        caps = {Capability.UNIONPAY: True, Capability.CASH: kind != PlaceKind.ATM}
        for scheme in FOREIGN_CARD_SCHEMES:
            caps[scheme] = foreign and rng.random() < 0.8
        if kind == PlaceKind.ATM:
            caps[Capability.FOREIGN_WITHDRAWAL] = foreign
        if kind in (PlaceKind.BANK_BRANCH, PlaceKind.EXCHANGE_POINT):
            caps[Capability.EXCHANGE] = rng.random() < 0.3
        if kind == PlaceKind.MERCHANT:
            caps[Capability.MOBILE_DOMESTIC] = True
            caps[Capability.FOREIGN_WALLETS] = rng.random() < 0.4
        specs.append((place, caps))
    with transaction.atomic():
        _insert(specs)
    seconds = time.perf_counter() - began
    return {"places": count, "seconds": round(seconds, 3), "seed": seed}
