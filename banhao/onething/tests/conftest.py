import pytest

from banhao.accounts.roles import Role
from banhao.org.models import Department, Venue
from banhao.portal.seeding import run_all
from banhao.testing import make_user


@pytest.fixture
def seeded(db):
    return run_all()


@pytest.fixture
def handlers(seeded):
    """One handler per department of the newborn and restaurant bundles, by department name."""
    names = [
        "县卫生健康局",
        "县公安局",
        "县人力资源社会保障局",
        "市医疗保障局沂源分局",
        "县行政审批服务局",
        "县综合行政执法局",
        "县消防救援大队",
    ]
    return {
        name: make_user(
            Role.DEPT_HANDLER, department=Department.objects.get(name=name, level="county")
        )
        for name in names
    }


@pytest.fixture
def citizen(seeded):
    return make_user(Role.CITIZEN, full_name="李芳", phone="13905331234")


@pytest.fixture
def clerk(seeded):
    return make_user(Role.WINDOW_CLERK, venue=Venue.objects.order_by("id").first())


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
