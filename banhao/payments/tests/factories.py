"""Test data for the payments app, made through the real seed, generator and services."""

from banhao.accounts.roles import Role
from banhao.org.selectors import resolve_department
from banhao.payments.generator import ensure_bank_units
from banhao.payments.models import Bank, Category, Place, PlaceKind, Sector
from banhao.testing import make_user


def bank(code: str = "icbc") -> Bank:
    ensure_bank_units()
    return Bank.objects.select_related("department").get(code=code)


def bank_clerk(code: str = "icbc", role: str = Role.DEPT_HANDLER):
    return make_user(role, department=bank(code).department)


def unit_handler(name: str, role: str = Role.DEPT_HANDLER):
    return make_user(role, department=resolve_department(name))


def town(name: str = "南麻街道"):
    from banhao.org.models import Region

    return Region.objects.get(name=name, level="township")


_n = iter(range(1, 100000))


def atm(bank_code: str = "icbc", *, lat=36.185, lon=118.170, town_name="南麻街道", **caps) -> Place:
    b = bank(bank_code)
    n = next(_n)
    place = Place.objects.create(
        code=f"T-ATM-{n}",
        name=f"{b.name}测试ATM{n}",
        name_en=f"{b.name_en} test ATM {n}",
        kind=PlaceKind.ATM,
        sector=Sector.FINANCE,
        region=town(town_name),
        latitude=lat,
        longitude=lon,
        bank=b,
        department=b.department,
        supervising_department=resolve_department("中国人民银行淄博市分行沂源营业管理部"),
    )
    for field, value in caps.items():
        setattr(place, field, value)
    if caps:
        place.save()
    return place


def merchant(
    category: str = Category.LARGE_SUPERMARKET,
    *,
    supervisor: str = "县商务局",
    sector: str = Sector.SHOPPING,
    lat=36.186,
    lon=118.171,
    town_name="南麻街道",
    **caps,
) -> Place:
    n = next(_n)
    dept = resolve_department(supervisor)
    place = Place.objects.create(
        code=f"T-M-{n}",
        name=f"测试商户{n}",
        name_en=f"Test merchant {n}",
        kind=PlaceKind.MERCHANT,
        sector=sector,
        category=category,
        is_key=True,
        region=town(town_name),
        latitude=lat,
        longitude=lon,
        department=dept,
        supervising_department=dept,
        **caps,
    )
    return place
