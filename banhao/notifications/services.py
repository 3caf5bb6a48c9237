"""notify(): the one way any app tells a user something.

The inbox row is written in the caller's transaction; SMS and e-mail go out after commit through
a background job, so a rolled-back change never notifies, and a repeated event (same
recipient and event key) is recognised and sends nothing more.
"""

import functools

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from banhao.core import rows

from .models import Channel, Delivery, DeliveryStatus, Notification
from .sms import get_backend

rows.use(Delivery, Notification)

MAX_ATTEMPTS = 5


def notify(
    *,
    recipient,
    event_key: str,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    channels: tuple[str, ...] = (),
) -> Notification | None:
    """Create the in-app notification and queue deliveries. Returns None if already notified."""
    notification = rows.new(
        Notification,
        recipient=recipient,
        event_key=event_key,
        kind=kind,
        title=title,
        body=body,
        url=url,
    )
    # One statement, no savepoint: the (recipient, event key) constraint recognises a repeat.
    # These models have no save() overrides or signals (banhao.core.rows).
    if not rows.insert_new(notification):
        return None
    for channel in channels:
        address = recipient.phone if channel == Channel.SMS else recipient.email
        delivery = rows.new(
            Delivery,
            notification=notification,
            channel=channel,
            address=address,
            status=DeliveryStatus.PENDING if address else DeliveryStatus.SKIPPED,
        )
        rows.insert([delivery])
        if address:
            from .tasks import deliver

            transaction.on_commit(functools.partial(deliver.delay, delivery.pk))
    return notification


def deliver_now(delivery_id: int) -> str:
    """Send one delivery. Idempotent: a delivery already sent or given up is left alone."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .select_related("notification")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return delivery.status if delivery else "missing"
        note = delivery.notification
        delivery.attempts += 1
        try:
            if delivery.channel == Channel.SMS:
                get_backend().send(delivery.address, f"{note.title} {note.body}".strip())
            else:
                send_mail(
                    note.title, f"{note.body}\n\n{note.url}".strip(), None, [delivery.address]
                )
        except Exception as exc:  # noqa: BLE001 (any gateway failure is recorded and retried)
            delivery.error = str(exc)[:300]
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = DeliveryStatus.FAILED
            delivery.save(update_fields=["attempts", "error", "status"])
            return "retry" if delivery.status == DeliveryStatus.PENDING else delivery.status
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = timezone.now()
        delivery.error = ""
        delivery.save(update_fields=["attempts", "status", "sent_at", "error"])
        return delivery.status


def mark_read(*, user, notification_id: int) -> bool:
    return bool(
        Notification.objects.filter(
            pk=notification_id, recipient=user, read_at__isnull=True
        ).update(read_at=timezone.now())
    )


def mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
