"""Background jobs of the archives (thin: each calls one service)."""

from celery import shared_task

from . import services


@shared_task
def send_renewal_reminders() -> int:
    """Remind licence holders before expiry (主动办). Idempotent; scheduled daily."""
    return services.send_renewal_reminders()
