"""Who may see and do what in the ledger.

The office (县政府办公室) runs the ledger: its handlers and heads see every task, set reporting
cycles and deadlines, name units and import spreadsheets; its heads sign off closures and
reopen tasks. County leaders and administrators see everything. Staff of any other unit see
only the tasks their unit leads or is responsible for (through ``accounts.access``), file their
unit's progress reports and propose closing; heads of a lead unit confirm closures.
See docs/adr/0006-ledger-and-evaluation.md.
"""

from django.http import Http404

from banhao.accounts.access import scope_to_unit
from banhao.accounts.roles import COUNTY_WIDE_ROLES, UNIT_ROLES, Role

from .models import LedgerTask, TaskUnit, UnitRole

OFFICE_NAME = "县政府办公室"


def is_office(user) -> bool:
    if not getattr(user, "is_authenticated", False) or user.role not in UNIT_ROLES:
        return False
    cached = getattr(user, "_ledger_is_office", None)
    if cached is None:
        cached = bool(user.department_id) and user.department.name == OFFICE_NAME
        user._ledger_is_office = cached
    return cached


def can_sign_off(user) -> bool:
    return is_office(user) and user.role == Role.DEPT_HEAD


def can_manage(user) -> bool:
    """Set cycles and deadlines, name units, import, run evaluations."""
    return is_office(user) or (getattr(user, "is_authenticated", False) and user.role == Role.ADMIN)


def sees_all(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.role in COUNTY_WIDE_ROLES or is_office(user)


def is_unit_staff(user) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and user.role in UNIT_ROLES
        and bool(user.department_id)
    )


def may_use_ledger(user) -> bool:
    return sees_all(user) or is_unit_staff(user)


def tasks_for(user):
    """The ledger tasks ``user`` may see."""
    qs = LedgerTask.objects.all()
    if sees_all(user):
        return qs
    if not is_unit_staff(user):
        return qs.none()
    links = scope_to_unit(
        TaskUnit.objects.all(), user, department_field="department", venue_field=None
    )
    return qs.filter(pk__in=links.values("task_id"))


def get_task_or_404(user, pk) -> LedgerTask:
    task = tasks_for(user).select_related("source").filter(pk=pk).first()
    if task is None:
        raise Http404
    return task


def unit_link(user, task) -> TaskUnit | None:
    """The user's own unit's place on the task, if any."""
    if not is_unit_staff(user):
        return None
    return TaskUnit.objects.filter(task=task, department_id=user.department_id).first()


def can_report(user, link: TaskUnit | None) -> bool:
    return link is not None


def can_confirm(user, link: TaskUnit | None) -> bool:
    return link is not None and link.role == UnitRole.LEAD and user.role == Role.DEPT_HEAD
