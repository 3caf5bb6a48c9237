"""Background jobs of the payments app: passing problem reports to the 12345 hotline."""

from celery import shared_task


@shared_task
def hand_off_report(report_id: int) -> str:
    from .services import hand_off

    return hand_off(report_id).handoff_status


@shared_task
def hand_off_pending_reports() -> tuple[int, int]:
    """Retry every report still waiting (run periodically, e.g. every 10 minutes)."""
    from .services import hand_off_pending_reports as retry

    return retry()
