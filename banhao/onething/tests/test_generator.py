"""The history generator: valid rows, open work in queues, repeatable, through the command."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from banhao.onething.models import Application, Event, Task
from banhao.onething.states import ApplicationState, TaskState

pytestmark = pytest.mark.django_db


def test_generate_command_writes_applications_tasks_and_timeline(seeded):
    out = StringIO()
    call_command(
        "generate_applications", "--count", "3000", "--json", stdout=out, stderr=StringIO()
    )
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert summary["applications"] == 3000 == Application.objects.count()
    assert summary["tasks"] == Task.objects.count()
    assert summary["events"] == Event.objects.count()
    # Every application has one task per applicable row, approved ones carry a result.
    sample = Application.objects.filter(state=ApplicationState.COMPLETED).first()
    assert sorted(sample.tasks.values_list("position", flat=True)) == sample.positions
    assert not Task.objects.filter(state=TaskState.APPROVED, result="").exists()
    assert Task.objects.filter(state=TaskState.READY).exists()
    assert Application.objects.filter(state=ApplicationState.IN_PROGRESS).exists()
    assert not Task.objects.filter(department__is_placeholder=True).exists()
    # History keeps its dates.
    assert (
        Application.objects.filter(created_at__year__lt=2026).exists()
        or Application.objects.order_by("created_at").first().created_at.date()
        < Application.objects.order_by("-created_at").first().created_at.date()
    )
