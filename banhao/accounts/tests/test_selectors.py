import pytest

from banhao.accounts.roles import UNIT_HEAD_ROLES, Role
from banhao.accounts.selectors import unit_staff
from banhao.testing import department, make_user

pytestmark = pytest.mark.django_db


def test_unit_staff_are_the_active_handlers_and_head_of_the_unit():
    unit, other = department("县人社局"), department("县公安局")
    handler = make_user(Role.DEPT_HANDLER, department=unit)
    head = make_user(Role.DEPT_HEAD, department=unit)
    make_user(Role.HOTLINE_OPERATOR, department=unit)
    gone = make_user(Role.DEPT_HANDLER, department=unit)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    elsewhere = make_user(Role.DEPT_HEAD, department=other)
    assert set(unit_staff(unit)) == {handler, head}
    assert set(unit_staff(unit.pk, UNIT_HEAD_ROLES)) == {head}
    assert set(unit_staff([unit.pk, other], UNIT_HEAD_ROLES)) == {head, elsewhere}
