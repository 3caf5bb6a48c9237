"""The Annex 2 seed: counts, exact rows, variant spellings and the service-item model."""

import pytest

from banhao.catalog.models import Audience, OneThing, OneThingItem, ServiceItem, Stage
from banhao.org.models import Department

pytestmark = pytest.mark.django_db


def rows_of(number: int) -> list[OneThingItem]:
    return list(
        OneThingItem.objects.filter(onething__number=number)
        .select_related("item", "city_responsible", "county_responsible")
        .order_by("position")
    )


def test_counts(seeded):
    assert seeded["onethings"] == 13
    assert seeded["onething_items"] == 85
    # 82 distinct item names; 统筹相关申请核查信息的受理、分派、汇总和结果送达 is two services.
    assert seeded["service_items"] == 83
    assert [o.number for o in OneThing.objects.all()] == list(range(1, 14))
    assert [len(rows_of(n)) for n in range(1, 14)] == [6, 3, 4, 6, 4, 18, 9, 5, 7, 5, 4, 5, 9]


def test_onething_names_stages_and_audiences(seeded):
    got = list(OneThing.objects.values_list("number", "name", "stage", "audience"))
    ent, ind = Audience.ENTERPRISE, Audience.INDIVIDUAL
    assert got == [
        (1, "企业信息变更“一件事”", Stage.ENTRY, ent),
        (2, "开办运输企业“一件事”", Stage.ENTRY, ent),
        (3, "开办餐饮店“一件事”", Stage.ENTRY, ent),
        (4, "水电气网联合报装“一件事”", Stage.OPERATION, ent),
        (5, "信用修复“一件事”", Stage.OPERATION, ent),
        (6, "企业上市合法合规信息核查“一件事”", Stage.OPERATION, ent),
        (7, "企业破产信息核查“一件事”", Stage.EXIT, ent),
        (8, "企业注销登记“一件事”", Stage.EXIT, ent),
        (9, "新生儿出生“一件事”", Stage.BIRTH, ind),
        (10, "教育入学“一件事”", Stage.SCHOOLING, ind),
        (11, "社会保障卡居民服务“一件事”", Stage.LIVING, ind),
        (12, "残疾人服务“一件事”", Stage.LIVING, ind),
        (13, "退休“一件事”", Stage.RETIREMENT, ind),
    ]


def test_newborn_row_3(seeded):
    row = rows_of(9)[2]
    assert row.position == 3
    assert row.item.name == "本市户口登记（申报出生登记）1岁以下婚内本市生育"
    assert row.city_responsible.name == "市公安局"
    assert row.county_responsible.name == "县公安局"
    assert row.county_responsible_as_written == "县公安局"
    assert row.item.department.name == "县公安局"


def test_onething_6_has_its_18_rows(seeded):
    got = [
        (r.item.name, r.city_responsible_as_written, r.county_responsible_as_written)
        for r in rows_of(6)
    ]
    assert got == [
        ("统筹相关申请核查信息的受理、分派、汇总和结果送达", "市发展改革委", "县发展改革委"),
        ("企业城市管理领域无违法违规信息核查", "市城市管理局", "县综合行政执法局"),
        ("企业规划自然资源领域无违法违规信息核查", "市自然资源和规划局", "县自然资源局"),
        ("企业违反劳动保障法律法规信息核查", "市人力资源社会保障局", "县人力资源社会保障局"),
        ("企业生态环境保护领域无违法违规信息核查", "市生态环境局", "市生态环境局沂源分局"),
        ("企业市场监管领域无违法违规信息核查", "市市场监管局", "县市场监管局"),
        ("企业卫生和人员健康领域无违法违规信息核查", "市卫生健康委员会", "县卫生健康局"),
        ("企业文化和旅游市场领域无违法违规信息核查", "市文化和旅游局", "县文化和旅游局"),
        ("企业应急管理领域无违法违规信息核查", "市应急局", "县应急局"),
        ("企业住房、工程建设领域无违法违规信息核查", "市住房城乡建设局", "县住房城乡建设局"),
        (
            "企业人员住房公积金缴存信息核查",
            "市住房公积金管理中心",
            "市住房公积金管理中心沂源分中心",
        ),
        ("企业科技领域无违法违规信息核查", "市科技局", "县科技局"),
        ("企业交通运输领域无违法违规信息核查", "市交通运输局", "县交通运输局"),
        ("企业合法纳税情况无违法违规信息核查", "市税务局", "县税务局"),
        ("企业知识产权领域无违法违规信息核查", "市市场监管局", "县市场监管局"),
        ("企业水资源保护领域无违法违规信息核查", "市水利局", "县水利局"),
        ("企业消防安全无违法违规信息核查", "市消防救援支队", "县消防救援大队"),
        # The row the source lays out in the wrong columns.
        ("电信监管领域无行政处罚信息核查", "市信息通信发展办公室", "县信息通信发展办事处"),
    ]


def test_onething_5_keeps_both_spellings_of_the_county_bureau(seeded):
    onething = OneThing.objects.get(number=5)
    first = rows_of(5)[0]
    assert onething.county_lead_as_written == "县发展改革局"
    assert first.county_responsible_as_written == "县发展改革委"
    assert onething.county_lead == first.county_responsible
    assert onething.county_lead.name == "县发展改革局"
    # The city lead column's typo resolves to the city commission.
    assert onething.city_lead_as_written == "市发展改革会"
    assert first.city_responsible_as_written == "市发展改革委"
    assert onething.city_lead == first.city_responsible
    assert onething.city_lead.name == "市发展改革委"


def test_onething_9_city_lead_short_form(seeded):
    onething = OneThing.objects.get(number=9)
    assert onething.city_lead_as_written == "市卫生健康委"
    assert onething.city_lead.name == "市卫生健康委员会"
    assert onething.province_lead.name == "省卫生健康委"
    assert onething.county_lead.name == "县卫生健康局"


def test_placeholder_row_of_onething_5(seeded):
    row = rows_of(5)[3]
    assert row.item.name == "严重失信主体名单信息修复"
    assert row.city_responsible_as_written == "设列严重失信主体名单的有关部门"
    assert row.county_responsible_as_written == "设列严重失信主体名单的有关部门"
    assert (row.city_responsible.level, row.county_responsible.level) == ("city", "county")
    assert row.city_responsible.is_placeholder and row.county_responsible.is_placeholder
    assert row.county_responsible.kind == "other"


def test_same_name_with_different_departments_is_two_service_items(seeded):
    name = "统筹相关申请核查信息的受理、分派、汇总和结果送达"
    items = ServiceItem.objects.filter(name=name).select_related("department")
    assert sorted(i.department.name for i in items) == ["县发展改革局", "县行政审批服务局"]
    assert rows_of(6)[0].item.department.name == "县发展改革局"
    assert rows_of(7)[0].item.department.name == "县行政审批服务局"


def test_same_name_and_department_is_one_service_item_in_two_onethings(seeded):
    item = ServiceItem.objects.get(name="企业营业执照信息核验")
    assert sorted(item.onethings.values_list("number", flat=True)) == [2, 3]
    housing = ServiceItem.objects.get(name="企业人员住房公积金缴存信息核查")
    assert sorted(housing.onethings.values_list("number", flat=True)) == [6, 7]
    assert housing.department.name == "市住房公积金管理中心沂源分中心"


def test_every_row_is_handled_by_its_item_department_at_the_right_levels(seeded):
    for row in OneThingItem.objects.select_related(
        "item", "city_responsible", "county_responsible"
    ):
        assert row.county_responsible_id == row.item.department_id
        assert row.city_responsible.level == "city"
        assert row.county_responsible.level == "county"
    for onething in OneThing.objects.select_related("province_lead", "city_lead", "county_lead"):
        assert onething.province_lead.level == "province"
        assert onething.city_lead.level == "city"
        assert onething.county_lead.level == "county"


def test_everything_public_has_an_english_name(seeded):
    assert not OneThing.objects.filter(name_en="").exists()
    assert not ServiceItem.objects.filter(name_en="").exists()
    assert not Department.objects.filter(name_en="").exists()


def test_landing_selector_keeps_working(seeded):
    from banhao.catalog.selectors import public_onethings

    onethings = list(public_onethings())
    assert len(onethings) == 13
    assert onethings[0].county_lead.name == "县行政审批服务局"
