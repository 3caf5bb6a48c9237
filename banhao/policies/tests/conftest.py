import datetime as dt
from decimal import Decimal

import pytest

from banhao.accounts.roles import Role
from banhao.policies import services
from banhao.policies.services import ClauseInput
from banhao.testing import department, enterprise_archive, make_user, township

TODAY = dt.date(2025, 6, 30)


@pytest.fixture
def science(db):
    return department("县科技局")


@pytest.fixture
def writer(science):
    return make_user(Role.DEPT_HANDLER, department=science)


@pytest.fixture
def towns(db):
    return {name: township(name) for name in ("南麻街道", "历山街道", "悦庄镇")}


@pytest.fixture
def firms(towns):
    """Three enterprises: a high-tech manufacturer, an R&D-light one, a young shop."""
    return {
        "tech": enterprise_archive(
            name="沂源县鑫盛新材料有限公司",
            industry="C",
            registered_capital=Decimal("500"),
            headcount=80,
            established_on=dt.date(2015, 3, 1),
            annual_revenue=Decimal("3000"),
            tax_paid=Decimal("120"),
            rd_spending=Decimal("150"),
            is_high_tech=True,
            township=towns["南麻街道"],
            facts_year=2024,
        ),
        "light": enterprise_archive(
            name="沂源县华源机械制造有限公司",
            industry="C",
            registered_capital=Decimal("200"),
            headcount=40,
            established_on=dt.date(2018, 5, 1),
            annual_revenue=Decimal("1000"),
            tax_paid=Decimal("30"),
            rd_spending=Decimal("12"),
            township=towns["历山街道"],
            facts_year=2024,
        ),
        "shop": enterprise_archive(
            name="沂源县悦庄便民超市有限公司",
            industry="F",
            registered_capital=Decimal("10"),
            headcount=4,
            established_on=dt.date(2024, 11, 1),
            annual_revenue=Decimal("80"),
            tax_paid=Decimal("1"),
            township=towns["悦庄镇"],
            facts_year=2024,
        ),
    }


def rd_values(**overrides) -> dict:
    return {
        "title": "研发费用后补助",
        "title_en": "R&D expense subsidy",
        "summary": "对研发投入占营业收入3%以上的制造业企业给予补助。",
        "document_number": "源科发〔2025〕3号",
        "benefit_title": "研发费用后补助",
        "benefit_title_en": "R&D expense subsidy",
        "amount_formula": "rd_spending * 10%",
        "amount_cap": Decimal("100000"),
        "valid_from": dt.date(2025, 1, 1),
        "valid_until": dt.date(2030, 12, 31),
        **overrides,
    }


RD_CLAUSES = [
    ClauseInput("制造业企业", 'industry in ["C"]', "Manufacturing"),
    ClauseInput("研发投入占比", "rd_spending / annual_revenue >= 3%", "R&D intensity"),
]


@pytest.fixture
def make_policy(writer):
    def make(values=None, clauses=None, activate=True, actor=None):
        policy = services.save_draft(
            actor=actor or writer,
            values=rd_values(**(values or {})),
            clauses=RD_CLAUSES if clauses is None else clauses,
        )
        if activate:
            policy = services.activate(actor=actor or writer, policy=policy, today=TODAY)
        return policy

    return make
