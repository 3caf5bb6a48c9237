"""Celery application. Without CELERY_BROKER_URL, tasks run in-process (eager)."""

import os

from celery import Celery
from celery.signals import task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "banhao.settings.embedded")

app = Celery("banhao")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _schedule_periodic_jobs(sender, **kwargs):
    from banhao.core.registry import beat_schedule

    sender.conf.beat_schedule = beat_schedule()


@task_prerun.connect
def _forget_per_database_caches(**kwargs):
    """The test run's worker outlives each test's database flush, which gives content types new
    ids; drop the process-wide cache so a job never writes a stale id. Off in production, where
    content types never change under a running worker."""
    from django.conf import settings

    if getattr(settings, "BANHAO_WORKER_RESETS_CACHES", False):
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()
