"""The payment plan's four targets for the end of 2024."""

import datetime
from decimal import Decimal

import pytest

from banhao.catalog.tests.gazette import gazette_text
from banhao.payments.models import MetricKind, PaymentTarget

pytestmark = pytest.mark.django_db


def test_four_targets(seeded):
    assert seeded["payment_targets"] == 4
    got = list(PaymentTarget.objects.values_list("position", "code", "metric", "threshold"))
    assert got == [
        (1, "atm_foreign_card_withdrawal", MetricKind.COVERAGE_PERCENT, Decimal("100.00")),
        (2, "foreign_card_acceptance", MetricKind.FULL_COVERAGE, Decimal("100.00")),
        (3, "change_packs_on_demand", MetricKind.ON_DEMAND, None),
        (4, "foreign_cash_exchange_outlet", MetricKind.MIN_COUNT, Decimal("1.00")),
    ]
    for target in PaymentTarget.objects.all():
        assert target.deadline == datetime.date(2024, 12, 31)
        assert target.deadline_as_written == "到 2024 年年底"
        assert target.source == "源政办发〔2024〕7号"
        assert target.text_en
        assert len(target.scope) == len(target.scope_en) >= 1


def test_atm_target_covers_the_four_banks(seeded):
    atm = PaymentTarget.objects.get(code="atm_foreign_card_withdrawal")
    assert atm.scope == ["工商银行", "农业银行", "中国银行", "建设银行"]
    assert atm.text == (
        "全县工商银行、农业银行、中国银行、建设银行等 4 家银行自助取款机（ATM）"
        "支持境外银行卡取现覆盖率达到 100%"
    )
    places = PaymentTarget.objects.get(code="foreign_card_acceptance")
    assert places.scope == ["大型超市", "医院", "宾馆"]


def test_target_texts_are_verbatim_from_the_gazette(seeded):
    text = gazette_text()
    sentence = next(line for line in text.split("\n") if line.startswith("到 2024 年年底"))
    clauses = sentence.split("，", 1)[1].rstrip("。").split("；")
    assert list(PaymentTarget.objects.values_list("text", flat=True)) == clauses
