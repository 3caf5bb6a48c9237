"""Every unit the gazette names in its measures and in the payment plan resolves to a department."""

import re

import pytest

from banhao.catalog.tests.gazette import gazette_text, squash
from banhao.org.selectors import resolve_department

pytestmark = pytest.mark.django_db


def measures_lead_units(text: str) -> list[str]:
    """Lead units of the 17 measures of 源政发〔2024〕1号: （牵头单位：A、B；责任单位：…）."""
    body = squash(text.split("附件1")[0])
    groups = re.findall(r"[（(]牵头(?:单位|部门)：(.*?)[；）)]", body)
    return [name for group in groups for name in group.split("、")]


def payment_plan_units(text: str) -> list[str]:
    """Units of the payment plan's tasks: （A、B按职责分工负责）."""
    body = squash(text.rsplit("关于印发沂源县进一步优化支付服务", 1)[1])
    groups = re.findall(r"[（(]([^（）()]*?)按职责分工负责[）)]", body)
    return [name for group in groups for name in group.split("、")]


def test_measures_lead_units_resolve(seeded):
    names = measures_lead_units(gazette_text())
    assert len(names) >= 17
    assert set(names) == {
        "县行政审批服务局",
        "县大数据中心",
        "经济开发区管委会",
        "县发展改革局",
        "县人力资源社会保障局",
        "县政府办公室",
        "县政府市民投诉中心",
    }
    for name in names:
        resolve_department(name)


def test_payment_plan_units_resolve(seeded):
    names = payment_plan_units(gazette_text())
    assert set(names) == {
        "中国人民银行淄博市分行沂源营业管理部",
        "中国人民银行淄博市分行沂源营业部",  # shortened spelling, an alias
        "国家金融监督管理总局沂源监管支局",
        "国家外汇管理局淄博市分局沂源营业管理部",
        "国家外汇管理局淄博市分局沂源营业部",  # shortened spelling, an alias
        "县财政局",
        "县交通运输局",
        "县商务局",
        "县文化和旅游局",
        "县卫生健康局",
        "县公安局",
        "县委宣传部",
        "县移动公司",
        "县联通公司",
        "县电信公司",
        "县广电网络公司",
    }
    for name in names:
        assert resolve_department(name).level == "county", name


def test_units_named_in_annex1_measure_texts_resolve(seeded):
    text = squash(gazette_text())
    for name in ["县纪委监委", "县委编办", "县政府市民投诉中心", "县行政审批局", "市大数据局"]:
        assert name in text
        resolve_department(name)
