"""Demo enterprise policies for Yiyuan County, loaded by ``banhao demo``.

Invented for trying the platform: the titles follow common county support policies, but the
rules, amounts and document numbers are not the county's. Every one is marked ``is_demo`` and
its document number says 演示 (demo).
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from banhao.org.models import Department

from . import services
from .models import Policy
from .services import ClauseInput

VALID_FROM = dt.date(2024, 1, 1)
VALID_UNTIL = dt.date(2027, 12, 31)

DEMO_POLICIES = [
    {
        "department": "县科技局",
        "title": "研发费用后补助",
        "title_en": "Post-subsidy for R&D expenses",
        "summary": "对研发投入占营业收入3%以上、依法纳税的制造业、信息技术和科研服务企业，按上年度研发投入的10%给予后补助，最高50万元。",
        "summary_en": "Manufacturing, IT and research enterprises whose R&D spending is at least 3% of revenue and who pay tax receive 10% of last year's R&D spending, at most 500,000 yuan.",
        "document_number": "源科字〔2024〕演示1号",
        "benefit_title": "研发费用后补助",
        "benefit_title_en": "R&D expense post-subsidy",
        "amount_formula": "rd_spending * 10%",
        "amount_cap": Decimal("500000"),
        "clauses": [
            ("重点行业", "Key industries", 'industry in ["C", "I", "M"]'),
            ("研发投入占比", "R&D intensity", "rd_spending / annual_revenue >= 3%"),
            ("依法纳税", "Pays tax", "tax_paid > 0"),
        ],
    },
    {
        "department": "县科技局",
        "title": "高新技术企业认定奖励",
        "title_en": "Award for certified high-tech enterprises",
        "summary": "对首次通过认定、在本县经营满一年的高新技术企业一次性奖励10万元，免申即享，经科技局核实后发放。",
        "summary_en": "A one-off award of 100,000 yuan to certified high-tech enterprises operating in the county for at least a year; granted without application after a check by the science bureau.",
        "document_number": "源科字〔2024〕演示2号",
        "benefit_title": "高新技术企业认定奖励",
        "benefit_title_en": "High-tech enterprise award",
        "amount_fixed": Decimal("100000"),
        "exempt_application": True,
        "needs_staff_approval": True,
        "clauses": [
            ("高新技术企业", "Certified high-tech enterprise", "is_high_tech"),
            ("经营满一年", "In operation for a year", "years_in_operation >= 1"),
        ],
    },
    {
        "department": "县人力资源社会保障局",
        "title": "小微企业稳岗返还",
        "title_en": "Job retention refund for small businesses",
        "summary": "参保缴费、依法纳税的小微企业，按每名职工600元返还，最高5万元，免申即享、直接拨付。",
        "summary_en": "Small businesses that pay tax receive 600 yuan per employee, at most 50,000 yuan, paid directly without application.",
        "document_number": "源人社字〔2024〕演示3号",
        "benefit_title": "稳岗返还",
        "benefit_title_en": "Job retention refund",
        "amount_formula": "headcount * 0.06",
        "amount_cap": Decimal("50000"),
        "exempt_application": True,
        "clauses": [
            ("小微企业", "Small business", "headcount between 1 and 100 and annual_revenue < 3000"),
            ("依法纳税", "Pays tax", "tax_paid > 0"),
        ],
    },
    {
        "department": "县商务局",
        "title": "新办企业首年房租补贴",
        "title_en": "First-year rent subsidy for new businesses",
        "summary": "成立不满一年的批发零售、住宿餐饮和居民服务企业，首年房租补贴2万元。",
        "summary_en": "Shops, restaurants and resident-service businesses in their first year receive 20,000 yuan towards their rent.",
        "document_number": "源商字〔2024〕演示4号",
        "benefit_title": "首年房租补贴",
        "benefit_title_en": "First-year rent subsidy",
        "amount_fixed": Decimal("20000"),
        "clauses": [
            ("成立不满一年", "Less than a year old", "years_in_operation < 1"),
            ("服务业", "Services", 'industry in ["F", "H", "O"]'),
        ],
    },
    {
        "department": "县发展改革局",
        "title": "开发区制造业企业扩产奖励",
        "title_en": "Expansion award for manufacturers in the development zone",
        "summary": "经济开发区内年营业收入2000万元以上的制造业企业，按上年度纳税额的5%奖励，最高30万元。",
        "summary_en": "Manufacturers in the economic development zone with revenue of at least 20 million yuan receive 5% of last year's tax paid, at most 300,000 yuan.",
        "document_number": "源发改字〔2024〕演示5号",
        "benefit_title": "扩产奖励",
        "benefit_title_en": "Expansion award",
        "amount_formula": "tax_paid * 5%",
        "amount_cap": Decimal("300000"),
        "clauses": [
            ("位于经济开发区", "In the development zone", 'township = "经济开发区"'),
            ("制造业", "Manufacturing", 'industry = "C"'),
            (
                "营业收入2000万元以上",
                "Revenue of 20 million yuan or more",
                "annual_revenue >= 2000",
            ),
        ],
    },
]


@transaction.atomic
def load_demo_policies() -> tuple[int, int]:
    """Create and activate the demo policies that are not there yet. (created, present)."""
    created = present = 0
    for spec in DEMO_POLICIES:
        spec = dict(spec)
        if Policy.objects.filter(title=spec["title"], is_demo=True).exists():
            present += 1
            continue
        department = Department.objects.filter(name=spec.pop("department"), level="county").first()
        if department is None:
            continue  # the seed is not loaded; `banhao demo` says so for the accounts
        clauses = [
            ClauseInput(label, rule, label_en) for label, label_en, rule in spec.pop("clauses")
        ]
        policy = services.save_draft(
            actor=None,
            values={
                **spec,
                "department": department,
                "valid_from": VALID_FROM,
                "valid_until": VALID_UNTIL,
                "is_demo": True,
            },
            clauses=clauses,
        )
        services.activate(actor=None, policy=policy)
        created += 1
    return created, present
