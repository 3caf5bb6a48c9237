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


def township(name: str = "南麻街道") -> Region:
    obj, _ = Region.objects.get_or_create(
        parent=county(), name=name, defaults={"level": "township", "kind": "subdistrict"}
    )
    return obj


def person_archive(id_number: str | None = None, name: str = "张三", **fields):
    """A person's archive (一人一档) with a valid ID number; extra fields override defaults."""
    from banhao.archives.models import Person

    id_number = id_number or valid_id_number()
    birth = id_number[6:14]
    defaults = {
        "name": name,
        "gender": "M" if int(id_number[16]) % 2 else "F",
        "birth_date": f"{birth[:4]}-{birth[4:6]}-{birth[6:]}",
        "township": township(),
    }
    return Person.objects.create(id_number=id_number, **{**defaults, **fields})


def enterprise_archive(
    credit_code: str | None = None, name: str = "沂源县示例食品有限公司", **fields
):
    """An enterprise's archive (一企一档) with a valid credit code; fields override defaults."""
    import datetime as dt
    from decimal import Decimal

    from banhao.archives.models import Enterprise

    defaults = {
        "name": name,
        "legal_representative": "张三",
        "legal_representative_id": valid_id_number(),
        "industry": "C",
        "registered_capital": Decimal("100"),
        "established_on": dt.date(2015, 5, 1),
        "township": township(),
    }
    return Enterprise.objects.create(
        credit_code=credit_code or valid_credit_code(), **{**defaults, **fields}
    )


def venue(name: str = "沂源县政务服务中心") -> Venue:
    obj, _ = Venue.objects.get_or_create(
        name=name, defaults={"kind": "county_centre", "region": county()}
    )
    return obj


VERIFYING_CLERK = "testing_clerk"


def verifying_clerk():
    """The window clerk who verifies test holders in person (created once per database)."""
    from banhao.accounts.models import User

    clerk = User.objects.filter(username=VERIFYING_CLERK).first()
    return clerk or make_user(Role.WINDOW_CLERK, VERIFYING_CLERK, full_name="核验员")


def verify(user, identifier: str):
    """Verify a public account's identity in person, as a window clerk does with the ID card
    (or the business licence, presented by the legal representative)."""
    enterprise = user.role == Role.ENTERPRISE
    account_services.verify_in_person(
        clerk=verifying_clerk(),
        user=user,
        document_type="business_licence" if enterprise else "resident_id_card",
        document_number=identifier,
        authority="legal_representative" if enterprise else "",
        acting_person=(user.full_name or "张三") if enterprise else "",
    )
    user.refresh_from_db()
    return user


def make_user(role: str = Role.CITIZEN, username: str | None = None, **extra):
    """A user of any role, created through the account services. Citizens and enterprises are
    verified in person (their archive opens to them) unless ``verified=False``: then the typed
    number stays a claim and opens nothing."""
    role = Role(role)
    username = username or f"{role.value}{next(_seq)}"
    verified = extra.get("verified", True)
    if role == Role.CITIZEN:
        id_number = extra.get("id_number") or valid_id_number()
        user = account_services.register_citizen(
            username=username,
            password=PASSWORD,
            full_name=extra.get("full_name", "张三"),
            id_number=id_number,
            phone=extra.get("phone", ""),
        )
        return verify(user, id_number) if verified else user
    if role == Role.ENTERPRISE:
        credit_code = extra.get("credit_code") or valid_credit_code()
        user = account_services.register_enterprise(
            username=username,
            password=PASSWORD,
            organisation_name=extra.get("organisation_name", "沂源县示例食品有限公司"),
            credit_code=credit_code,
            contact_name=extra.get("contact_name", ""),
            phone=extra.get("phone", ""),
        )
        return verify(user, credit_code) if verified else user
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
