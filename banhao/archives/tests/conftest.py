import pytest

from banhao.accounts.roles import Role
from banhao.org.models import Department
from banhao.portal.seeding import run_all
from banhao.testing import make_user


@pytest.fixture(autouse=True)
def _fresh_licence_type_cache():
    """The licence-type cache is per process; each test's database starts afresh."""
    from banhao.archives.licence_types import invalidate

    invalidate()
    yield
    invalidate()


@pytest.fixture
def seeded(db):
    return run_all()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def handler_of(name: str):
    return make_user(
        Role.DEPT_HANDLER, department=Department.objects.get(name=name, level="county")
    )


def approve_all(application, results: dict, handlers: dict | None = None) -> None:
    """Approve every task of a submitted application, in dependency order, as its department."""
    from banhao.onething import services
    from banhao.onething.models import Task
    from banhao.onething.states import TaskState

    handlers = {} if handlers is None else handlers
    while True:
        ready = list(
            Task.objects.filter(application=application, state=TaskState.READY).select_related(
                "department"
            )
        )
        if not ready:
            return
        for task in ready:
            actor = handlers.get(task.department_id)
            if actor is None:
                actor = handlers[task.department_id] = make_user(
                    Role.DEPT_HANDLER, department=task.department
                )
            services.approve(actor=actor, task_id=task.pk, result=results[task.position])


_serials = __import__("itertools").count(101)


def id_of(birth: str, *, female: bool) -> str:
    """A valid ID number of a woman (even sequence digit) or a man (odd)."""
    from banhao.testing import valid_id_number

    serial = next(_serials) * 2 + (0 if female else 1)
    return valid_id_number(birth, serial=serial)
