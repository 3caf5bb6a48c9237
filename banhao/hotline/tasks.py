"""Background jobs of the hotline: thin wrappers around services, and when to retrain."""

from celery import shared_task
from django.core.cache import cache
from django.db import transaction

from .services import supervision

# Retrain the dispatch suggestion after this many tickets are closed.
RETRAIN_EVERY = 200
CLOSED_SINCE_TRAINING = "hotline.closed_since_training"


def ticket_closed() -> None:
    """Count a closed ticket; every RETRAIN_EVERY of them, retrain the dispatch suggestion after
    commit. Called by the handling services (the counter lives here, beside the job it starts,
    so the services import the jobs and never the other way round)."""
    cache.add(CLOSED_SINCE_TRAINING, 0, None)
    try:
        count = cache.incr(CLOSED_SINCE_TRAINING)
    except ValueError:
        return
    if count % RETRAIN_EVERY == 0:
        transaction.on_commit(retrain_dispatch_model.delay)


@shared_task(ignore_result=True)
def retrain_dispatch_model() -> None:
    from .dispatch import train

    train()


@shared_task(ignore_result=True)
def apply_supervision_rules() -> int:
    """Run hourly (celery beat or cron: `banhao hotline_supervise`)."""
    return supervision.apply_supervision_rules()


@shared_task(ignore_result=True)
def report_due_tickets() -> int:
    """Every quarter hour: outbound "ticket due" events for deadlines that passed."""
    return supervision.report_due_tickets()
