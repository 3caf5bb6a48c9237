"""Background jobs of one-thing applications (thin: each calls one service)."""

from celery import shared_task

from . import services


@shared_task
def notify_deadlines() -> int:
    """Warn handlers of tasks due within a working day and of overdue ones. Safe to repeat;
    schedule it hourly (Celery beat or cron: ``banhao shell -c``)."""
    return services.notify_deadlines()
