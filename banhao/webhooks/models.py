"""Outbound events: subscribers, the outbox and one delivery per subscriber and event.

The outbox row is written by the service that makes the change, in its transaction
(``services.emit``); the dispatcher fans it out to matching subscribers and delivers it
(docs/adr/0017-outbound-webhooks.md).
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .states import DUE_STATES, DeliveryState, EventType


class Subscriber(models.Model):
    """A department system that receives events by webhook."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    url = models.URLField(_("URL"), max_length=500)
    # Kept as is: signing needs the secret itself (as Stripe and Standard Webhooks keep theirs).
    secret = models.CharField(_("secret"), max_length=100)
    # After a rotation the old secret also signs until this time, so the receiver can switch.
    previous_secret = models.CharField(_("previous secret"), max_length=100, blank=True)
    previous_secret_until = models.DateTimeField(_("previous secret valid until"), null=True)
    # Empty means every region / every unit.
    region = models.ForeignKey(
        "org.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
    )
    unit = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    event_types = models.JSONField(_("event types"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("webhook subscriber")
        verbose_name_plural = _("webhook subscribers")

    def __str__(self) -> str:
        return self.name

    def signing_secrets(self, now) -> list[str]:
        """The secrets that sign a request now: the current one, and the previous one while
        its grace period runs."""
        secrets = [self.secret]
        if self.previous_secret and self.previous_secret_until and now < self.previous_secret_until:
            secrets.append(self.previous_secret)
        return secrets


class OutboxEvent(models.Model):
    """One event, written in the transaction of the change it reports. ``event_id`` is what
    subscribers see and dedupe on; the integer key orders the outbox for the fan-out."""

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event_type = models.CharField(_("event type"), max_length=40, choices=EventType.choices)
    # The region may be left empty by the sender: the fan-out reads it from the unit.
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, null=True, related_name="+", db_index=False
    )
    unit = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, null=True, related_name="+", db_index=False
    )
    subject = models.CharField(_("subject"), max_length=80)  # e.g. "onething.task:42"
    # Set for events that must exist once only (a ticket's deadline passing): unique if set.
    key = models.CharField(max_length=120, blank=True)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("outbound event")
        verbose_name_plural = _("outbound events")
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=~Q(key=""), name="webhooks_event_unique_key"
            )
        ]
        indexes = [
            # The fan-out reads the events not yet fanned out, oldest first.
            models.Index(
                fields=["id"], condition=Q(fanned_out_at__isnull=True), name="webhooks_event_new"
            ),
            models.Index(fields=["created_at"], name="webhooks_event_created"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class Delivery(models.Model):
    """One event for one subscriber. Unique per pair: a subscriber never has an event twice,
    and a delivered one is never claimed again (only an explicit replay sends it again)."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.PROTECT, related_name="deliveries")
    event = models.ForeignKey(OutboxEvent, on_delete=models.PROTECT, related_name="deliveries")
    state = models.CharField(
        _("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "event"], name="webhooks_one_delivery_per_subscriber"
            )
        ]
        indexes = [
            # The dispatcher's claim: due deliveries, soonest first.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(state__in=DUE_STATES),
                name="webhooks_delivery_due",
            ),
            # The delivery log: a subscriber's deliveries, newest first.
            models.Index(fields=["subscriber", "-id"], name="webhooks_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.subscriber_id} × {self.event_id}"


class Attempt(models.Model):
    """One POST of a delivery: the delivery log's lines."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    status_code = models.PositiveSmallIntegerField(_("status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    delivered = models.BooleanField(_("delivered"), default=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}"
