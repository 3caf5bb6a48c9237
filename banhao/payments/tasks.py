"""Background jobs of the payments app: passing problem reports to the 12345 hotline."""

from celery import shared_task

from .services import handoff


@shared_task
def hand_off_report(report_id: int) -> str:
    return handoff.hand_off(report_id).handoff_status


@shared_task
def hand_off_pending_reports() -> tuple[int, int]:
    """Retry every report still waiting (run periodically, e.g. every 10 minutes)."""
    return handoff.hand_off_pending_reports()
