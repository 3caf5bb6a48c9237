"""Background jobs of machine clients (thin: each calls one service)."""

from celery import shared_task

from . import services


@shared_task
def expire_credentials() -> int:
    """Delete credentials past their grace period (and their tokens). Idempotent; hourly."""
    return services.expire_credentials()
