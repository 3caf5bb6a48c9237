"""Background jobs of enterprise policies: the nightly matching and push."""

from celery import shared_task


@shared_task
def match_all() -> str:
    """Match every enterprise against every live policy (idempotent; run nightly)."""
    from .services import match_all as run

    report = run()
    return (
        f"{report.policies} policies, {report.eligible} eligible, {report.new_matches} new, "
        f"{report.notified} told, {report.without_account} without an account"
    )
