import pytest
from django.core.management import CommandError, call_command
from django.utils.module_loading import import_string

from banhao.celery import app
from banhao.core.periodic import JOBS


def test_every_job_names_a_real_task_and_is_scheduled_for_beat():
    app.finalize()
    for name, (path, _schedule, _doc) in JOBS.items():
        task = import_string(path)
        assert task.name == path
        assert app.conf.beat_schedule[name]["task"] == path


@pytest.mark.django_db
def test_periodic_command_runs_jobs_and_refuses_unknown_names(capsys):
    call_command("periodic", "payments-hand-off", "hotline-supervision")
    out = capsys.readouterr().out
    assert "payments-hand-off" in out and "hotline-supervision" in out
    with pytest.raises(CommandError, match="Unknown job"):
        call_command("periodic", "nope")
