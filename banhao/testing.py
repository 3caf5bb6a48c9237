"""Test helpers that set up data through the real services (used by unit, API and browser tests)."""

import itertools

from stdnum.cn import ric, uscc

from banhao.accounts import services as account_services
from banhao.accounts.roles import DEPARTMENT_ROLES, VENUE_ROLES, Role
from banhao.org.models import Department, Region, Venue

PASSWORD = "Banhao-test-2024!"  # noqa: S105
_seq = itertools.count(1)


def valid_id_number(
    birth: str = "19900101", region: str = "370323", serial: int | None = None
) -> str:
    """A valid 18-digit ID number: the same for the same serial, else different on every call."""
    serial = next(_seq) if serial is None else serial
    first17 = f"{region}{birth}{serial % 1000:03d}"
    return first17 + ric.calc_check_digit(first17 + "0")  # stdnum expects a placeholder check digit


def valid_credit_code(serial: int | None = None) -> str:
    """A valid unified social credit code: the same for the same serial, else a new one."""
    serial = next(_seq) if serial is None else serial
    first17 = f"91370323MA{serial:07d}"
    return first17 + uscc.calc_check_digit(first17)


def county() -> Region:
    province, _ = Region.objects.get_or_create(
        code="370000", defaults={"name": "山东省", "level": "province", "kind": "province"}
    )
    city, _ = Region.objects.get_or_create(
        code="370300",
        defaults={"name": "淄博市", "level": "city", "kind": "city", "parent": province},
    )
    yiyuan, _ = Region.objects.get_or_create(
        code="370323",
        defaults={"name": "沂源县", "level": "county", "kind": "county", "parent": city},
    )
    return yiyuan


def department(name: str = "县行政审批服务局", level: str = "county") -> Department:
    dept, _ = Department.objects.get_or_create(
        name=name, defaults={"level": level, "region": county(), "kind": "agency"}
    )
    return dept


def venue(name: str = "沂源县政务服务中心") -> Venue:
    obj, _ = Venue.objects.get_or_create(
        name=name, defaults={"kind": "county_centre", "region": county()}
    )
    return obj


def make_user(role: str = Role.CITIZEN, username: str | None = None, **extra):
    """A user of any role, created through the account services."""
    role = Role(role)
    username = username or f"{role.value}{next(_seq)}"
    if role == Role.CITIZEN:
        return account_services.register_citizen(
            username=username,
            password=PASSWORD,
            full_name=extra.get("full_name", "张三"),
            id_number=extra.get("id_number") or valid_id_number(),
            phone=extra.get("phone", ""),
        )
    if role == Role.ENTERPRISE:
        return account_services.register_enterprise(
            username=username,
            password=PASSWORD,
            organisation_name=extra.get("organisation_name", "沂源县示例食品有限公司"),
            credit_code=extra.get("credit_code") or valid_credit_code(),
            contact_name=extra.get("contact_name", ""),
            phone=extra.get("phone", ""),
        )
    return account_services.create_staff(
        actor=None,
        username=username,
        password=PASSWORD,
        role=role,
        full_name=extra.get("full_name", "李四"),
        department=extra.get("department") or (department() if role in DEPARTMENT_ROLES else None),
        venue=extra.get("venue") or (venue() if role in VENUE_ROLES else None),
        phone=extra.get("phone", ""),
    )
