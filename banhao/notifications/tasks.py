from celery import shared_task

from . import services


@shared_task(bind=True, max_retries=services.MAX_ATTEMPTS, default_retry_delay=30)
def deliver(self, delivery_id: int) -> str:
    outcome = services.deliver_now(delivery_id)
    if outcome == "retry":
        raise self.retry()
    return outcome
