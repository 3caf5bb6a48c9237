"""Background jobs of the ledger: thin wrappers around the services, safe to run twice.

Run daily (e.g. Celery beat at 08:30 Asia/Shanghai: ``banhao.ledger.tasks.daily``); in the
embedded default, ``banhao ledger_daily`` from cron does the same.
"""

from celery import shared_task

from . import services


@shared_task
def chase_late_reports() -> int:
    return services.chase_late_reports()


@shared_task
def send_reminders() -> int:
    return services.send_reminders()


@shared_task
def daily() -> dict:
    return {"chased": services.chase_late_reports(), "reminded": services.send_reminders()}
