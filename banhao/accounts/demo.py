"""Demo accounts, one or more per role, for a first run and for trying the platform.

The password is public (README), so ``banhao demo`` refuses to run with production settings.
"""

from dataclasses import dataclass

from django.db import transaction

from banhao.org.models import Department, Venue

from . import services
from .identity import Authority, DocumentType
from .models import User
from .roles import Role

DEMO_PASSWORD = "Banhao-demo-2024"  # noqa: S105 (published demo password)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    full_name: str
    department: str = ""
    venue: str = ""
    id_number: str = ""
    credit_code: str = ""
    organisation_name: str = ""
    phone: str = ""


DEMO_ACCOUNTS = [
    DemoAccount(
        "citizen", Role.CITIZEN, "张明", id_number="370323198805120037", phone="13805330001"
    ),
    DemoAccount(
        "enterprise",
        Role.ENTERPRISE,
        "李红",
        credit_code="91370323MA3C0DEM0X",
        organisation_name="沂源县鲁山示范餐饮有限公司",
        phone="13805330002",
    ),
    DemoAccount("clerk", Role.WINDOW_CLERK, "王芳", venue="沂源县政务服务中心"),
    DemoAccount("handler", Role.DEPT_HANDLER, "赵强", department="县行政审批服务局"),
    DemoAccount("handler_police", Role.DEPT_HANDLER, "孙伟", department="县公安局"),
    DemoAccount("handler_health", Role.DEPT_HANDLER, "周静", department="县卫生健康局"),
    DemoAccount("handler_hrss", Role.DEPT_HANDLER, "吴磊", department="县人力资源社会保障局"),
    # Decides three-party rulings on hotline tickets whose unit is disputed (三方联动).
    DemoAccount("handler_bianban", Role.DEPT_HANDLER, "冯敏", department="县委编办"),
    # The People's Bank office: cash-refusal enforcement and the payments register's exchange.
    DemoAccount(
        "handler_pbc", Role.DEPT_HANDLER, "何静", department="中国人民银行淄博市分行沂源营业管理部"
    ),
    DemoAccount("head", Role.DEPT_HEAD, "郑军", department="县行政审批服务局"),
    DemoAccount("operator", Role.HOTLINE_OPERATOR, "陈丽", department="县政府市民投诉中心"),
    DemoAccount("supervisor", Role.HOTLINE_SUPERVISOR, "刘洋", department="县政府市民投诉中心"),
    DemoAccount("leader", Role.COUNTY_LEADER, "杨华", department=""),
    DemoAccount("admin", Role.ADMIN, "系统管理员"),
]


class MissingSeedData(Exception):
    pass


def _check_digits(account: DemoAccount) -> DemoAccount:
    """Fill in the check character so the fixed demo identifiers are valid numbers."""
    from stdnum.cn import ric, uscc

    if account.id_number:
        body = account.id_number[:17]
        account = DemoAccount(
            **{**account.__dict__, "id_number": body + ric.calc_check_digit(body + "0")}
        )
    if account.credit_code:
        body = account.credit_code[:17]
        account = DemoAccount(
            **{**account.__dict__, "credit_code": body + uscc.calc_check_digit(body)}
        )
    return account


@transaction.atomic
def load_demo_accounts() -> tuple[int, int]:
    """Create the demo accounts that do not exist yet. Returns (created, already there)."""
    created = existing = 0
    for account in map(_check_digits, DEMO_ACCOUNTS):
        if User.objects.filter(username=account.username).exists():
            existing += 1
            continue
        department = venue = None
        if account.department:
            department = Department.objects.filter(name=account.department).first()
            if department is None:
                raise MissingSeedData(
                    f"Department {account.department} is missing; run `banhao seed` first."
                )
        if account.venue:
            venue = Venue.objects.filter(name=account.venue).first()
            if venue is None:
                raise MissingSeedData(f"Venue {account.venue} is missing; run `banhao seed` first.")
        if account.role == Role.CITIZEN:
            services.register_citizen(
                username=account.username,
                password=DEMO_PASSWORD,
                full_name=account.full_name,
                id_number=account.id_number,
                phone=account.phone,
            )
        elif account.role == Role.ENTERPRISE:
            services.register_enterprise(
                username=account.username,
                password=DEMO_PASSWORD,
                organisation_name=account.organisation_name,
                credit_code=account.credit_code,
                contact_name=account.full_name,
                phone=account.phone,
            )
        else:
            services.create_staff(
                actor=None,
                username=account.username,
                password=DEMO_PASSWORD,
                role=account.role,
                full_name=account.full_name,
                department=department,
                venue=venue,
                phone=account.phone,
            )
        created += 1
    _verify_demo_holders()
    return created, existing


def _verify_demo_holders() -> None:
    """The demo clerk verifies the demo citizen and enterprise in person, as a window does with
    the ID card and the business licence (shown by 李红, the legal representative). Also run
    for demo accounts created before verification existed, so an old demo database opens."""
    clerk = User.objects.filter(username="clerk", role=Role.WINDOW_CLERK).first()
    if clerk is None:
        return
    for account in map(_check_digits, DEMO_ACCOUNTS):
        if account.role not in (Role.CITIZEN, Role.ENTERPRISE):
            continue
        user = User.objects.filter(username=account.username, role=account.role).first()
        if user is None or user.is_identity_verified:
            continue
        enterprise = account.role == Role.ENTERPRISE
        services.verify_in_person(
            clerk=clerk,
            user=user,
            document_type=(
                DocumentType.BUSINESS_LICENCE if enterprise else DocumentType.RESIDENT_ID_CARD
            ),
            document_number=account.credit_code or account.id_number,
            authority=Authority.LEGAL_REPRESENTATIVE if enterprise else "",
            acting_person=account.full_name if enterprise else "",
        )
