"""Background jobs of the exchange (thin)."""

from celery import shared_task

from . import drop


@shared_task
def scan_drop() -> int:
    """Import new files from the drop directory. Idempotent (a re-sent batch changes nothing)."""
    return len(drop.scan())
