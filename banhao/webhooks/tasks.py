"""Background job of outbound webhooks: a thin wrapper around the dispatcher's service."""

from celery import shared_task

from . import services

# One periodic run sends at most this many rounds, so beat's next run is never stacked behind.
ROUNDS = 20


@shared_task(ignore_result=True)
def deliver_due() -> int:
    """Every minute (celery beat, or `banhao periodic`): fan out and send what is due."""
    sent = 0
    for _round in range(ROUNDS):
        count = services.deliver_due()
        sent += count
        if not count:
            break
    return sent
