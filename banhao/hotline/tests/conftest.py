import pytest

from banhao.accounts.roles import Role
from banhao.hotline import dispatch, open311
from banhao.hotline.seed import seed_hotline
from banhao.org.models import Region
from banhao.org.selectors import resolve_department
from banhao.portal.seeding import run_all
from banhao.testing import make_user


@pytest.fixture
def seeded(db):
    run_all()
    seed_hotline()
    dispatch.reset()
    open311.reset_cache()
    yield
    dispatch.reset()
    open311.reset_cache()


@pytest.fixture
def centre(seeded):
    return resolve_department("县政府市民投诉中心")


@pytest.fixture
def operator(centre):
    return make_user(Role.HOTLINE_OPERATOR, department=centre, full_name="赵丽")


@pytest.fixture
def supervisor(centre):
    return make_user(Role.HOTLINE_SUPERVISOR, department=centre, full_name="孙国华")


@pytest.fixture
def hrss(seeded):
    return resolve_department("县人力资源社会保障局")


@pytest.fixture
def market(seeded):
    return resolve_department("县市场监管局")


@pytest.fixture
def hrss_handler(hrss):
    return make_user(Role.DEPT_HANDLER, department=hrss, full_name="刘建国")


@pytest.fixture
def hrss_head(hrss):
    return make_user(Role.DEPT_HEAD, department=hrss, full_name="陈志强")


@pytest.fixture
def market_handler(market):
    return make_user(Role.DEPT_HANDLER, department=market, full_name="王强")


@pytest.fixture
def leader(seeded):
    return make_user(Role.COUNTY_LEADER, full_name="周文斌")


@pytest.fixture
def nanma(seeded):
    return Region.objects.get(name="南麻街道")
