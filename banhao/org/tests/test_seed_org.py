"""The organisation seed: regions, departments and aliases, venues."""

import pytest

from banhao.org import selectors
from banhao.org.models import Department, DepartmentAlias, Region, Venue
from banhao.org.seed import seed_regions

pytestmark = pytest.mark.django_db

TOWNSHIPS = [
    ("南麻街道", "subdistrict"),
    ("历山街道", "subdistrict"),
    ("悦庄镇", "town"),
    ("东里镇", "town"),
    ("西里镇", "town"),
    ("大张庄镇", "town"),
    ("中庄镇", "town"),
    ("张家坡镇", "town"),
    ("燕崖镇", "town"),
    ("石桥镇", "town"),
    ("鲁村镇", "town"),
    ("南鲁山镇", "town"),
    ("经济开发区", "dev_zone"),
]


def test_region_chain_and_codes(seeded):
    county = selectors.county()
    assert (county.name, county.code, county.level) == ("沂源县", "370323", "county")
    assert (county.parent.name, county.parent.code) == ("淄博市", "370300")
    assert (county.parent.parent.name, county.parent.parent.code) == ("山东省", "370000")
    assert county.parent.parent.parent is None


def test_townships_are_the_countys_children(seeded):
    townships = list(selectors.townships())
    assert [(t.name, t.kind) for t in townships] == TOWNSHIPS
    assert all(t.level == "township" and t.code == "" and not t.is_demo for t in townships)
    assert all(t.name_en for t in townships)
    assert selectors.townships(include_dev_zone=False).count() == 12
    assert list(selectors.county().children.order_by("sort_order")) == townships


def test_villages_below_townships_are_demo(seeded):
    villages = Region.objects.filter(level="village")
    assert villages.count() == 24
    assert not villages.filter(is_demo=False).exists()
    assert all("演示" in v.name and "Demo" in v.name_en for v in villages)
    for township in selectors.townships(include_dev_zone=False):
        assert township.children.count() == 2
    assert Region.objects.filter(is_demo=False).count() == 16
    assert seeded["regions"] == 40


def test_seed_regions_adopts_rows_made_by_code(db):
    # Other code (banhao.testing.county, e2e fixtures) may create the county by code first.
    Region.objects.create(name="沂源县", code="370323", level="county", kind="county")
    county = seed_regions()
    assert Region.objects.filter(code="370323").count() == 1
    assert county.name_en == "Yiyuan County"
    assert county.parent.code == "370300"


def test_each_township_has_one_government(seeded):
    for township in selectors.townships():
        governments = Department.objects.filter(region=township, kind="government")
        assert governments.count() == 1
        assert governments.get().level == "township"
    assert Department.objects.get(name="南麻街道办事处").region.name == "南麻街道"
    assert Department.objects.get(name="悦庄镇人民政府").region.name == "悦庄镇"
    assert Department.objects.get(name="经济开发区管委会").region.kind == "dev_zone"


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("县发展改革委", "县发展改革局"),
        ("市发展改革会", "市发展改革委"),
        ("市卫生健康委", "市卫生健康委员会"),
        ("县行政审批局", "县行政审批服务局"),
        ("中国人民银行淄博市分行沂源营业部", "中国人民银行淄博市分行沂源营业管理部"),
        ("国家外汇管理局淄博市分局沂源营业部", "国家外汇管理局淄博市分局沂源营业管理部"),
        ("沂源县人民政府办公室", "县政府办公室"),
        ("县政府", "沂源县人民政府"),
    ],
)
def test_variant_spellings_resolve_to_one_department(seeded, written, canonical):
    assert selectors.resolve_department(written).name == canonical
    assert selectors.resolve_department(canonical).name == canonical
    assert not Department.objects.filter(name=written).exists()


def test_placeholder_stands_at_city_and_county_level(seeded):
    name = "设列严重失信主体名单的有关部门"
    placeholders = Department.objects.filter(name=name)
    assert sorted(placeholders.values_list("level", flat=True)) == ["city", "county"]
    assert all(p.is_placeholder and p.kind == "other" for p in placeholders)
    assert Department.objects.filter(is_placeholder=True).count() == 2
    assert selectors.resolve_department(name, "county").region.code == "370323"
    with pytest.raises(Department.MultipleObjectsReturned):
        selectors.resolve_department(name)


def test_unknown_name_does_not_resolve(seeded):
    with pytest.raises(Department.DoesNotExist):
        selectors.resolve_department("县不存在局")
    with pytest.raises(Department.DoesNotExist):
        selectors.resolve_department("县发展改革委", "city")  # an alias at the wrong level


def test_departments_sit_at_their_levels(seeded):
    for dept in Department.objects.select_related("region"):
        assert dept.name_en, dept.name
        if dept.level == "township":
            assert dept.region.level == "township"
        else:
            assert dept.region.level == dept.level, dept.name
    branch = Department.objects.get(name="市医疗保障局沂源分局")
    assert (branch.level, branch.kind, branch.parent.name) == ("county", "branch", "市医疗保障局")
    assert DepartmentAlias.objects.count() == 9


def test_payment_plan_units_exist(seeded):
    for name in [
        "中国人民银行淄博市分行沂源营业管理部",
        "国家金融监督管理总局沂源监管支局",
        "国家外汇管理局淄博市分局沂源营业管理部",
        "县委宣传部",
        "县移动公司",
        "县联通公司",
        "县电信公司",
        "县广电网络公司",
        "县财政局",
        "县商务局",
        "县政府市民投诉中心",
        "县委编办",
        "县纪委监委",
        "市大数据局",
    ]:
        assert selectors.resolve_department(name).name == name


def test_venues(seeded):
    centre = Venue.objects.get(name="沂源县政务服务中心")
    assert (centre.kind, centre.region.code, centre.operator.name) == (
        "county_centre",
        "370323",
        "县行政审批服务局",
    )
    zone = Venue.objects.get(name="沂源经济开发区企业服务中心")
    assert (zone.kind, zone.region.name, zone.operator.name) == (
        "enterprise_centre",
        "经济开发区",
        "经济开发区管委会",
    )
    town_centres = Venue.objects.filter(kind="town_centre")
    assert town_centres.count() == 12
    assert not town_centres.filter(is_demo=True).exists()
    assert Venue.objects.get(name="悦庄镇便民服务中心").operator.name == "悦庄镇人民政府"
    stations = Venue.objects.filter(kind="village_station")
    outlets = Venue.objects.filter(kind="partner_outlet")
    assert stations.count() == 12 and outlets.count() == 5
    assert not stations.filter(is_demo=False).exists()
    assert not outlets.filter(is_demo=False).exists()
    assert all(o.partner for o in outlets)
    assert not Venue.objects.filter(name_en="").exists()
    assert seeded["venues"] == 32
