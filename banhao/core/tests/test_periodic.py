import pytest
from django.core.management import CommandError, call_command

from banhao.celery import app
from banhao.core.registry import periodic_jobs


def test_every_job_is_a_registered_celery_task_and_scheduled_for_beat():
    app.finalize()
    assert set(periodic_jobs.keys()) == {
        "payments-hand-off",
        "hotline-supervision",
        "onething-deadlines",
        "ledger-daily",
        "archives-renewal-reminders",
        "hotline-retrain",
        "policies-match",
        "hotline-due-events",
        "webhooks-deliver",
        "clients-expire-credentials",
        "exchange-scan-drop",
    }
    for job in periodic_jobs:
        assert job.task.name in app.tasks
        assert app.conf.beat_schedule[job.key] == {"task": job.task.name, "schedule": job.schedule}


@pytest.mark.django_db
def test_periodic_command_runs_jobs_and_refuses_unknown_names(capsys):
    call_command("periodic", "payments-hand-off", "hotline-supervision")
    out = capsys.readouterr().out
    assert "payments-hand-off" in out and "hotline-supervision" in out
    with pytest.raises(CommandError, match="Unknown job"):
        call_command("periodic", "nope")
