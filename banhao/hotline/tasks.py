"""Background jobs of the hotline: thin wrappers around services."""

from celery import shared_task

# Retrain the dispatch suggestion after this many tickets are closed.
RETRAIN_EVERY = 200


@shared_task(ignore_result=True)
def retrain_dispatch_model() -> None:
    from .dispatch import train

    train()


@shared_task(ignore_result=True)
def apply_supervision_rules() -> int:
    """Run hourly (celery beat or cron: `banhao hotline_supervise`)."""
    from .services import apply_supervision_rules as apply

    return apply()
