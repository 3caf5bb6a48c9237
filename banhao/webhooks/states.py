"""Event types the platform sends to department systems, and a delivery's states."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    # A one-thing task reached a department's queue (at submission, or when the items it
    # needed were approved).
    TASK_READY = "onething.task_ready", _("One-thing task ready")
    # A task was approved with its result (certificate or licence number).
    RESULT_ISSUED = "onething.result_issued", _("One-thing result issued")
    # A department sent a task back to the applicant for a correction (补正).
    CORRECTION_ASKED = "onething.correction_asked", _("One-thing correction asked")
    # The 12345 centre sent a ticket to a unit.
    TICKET_DISPATCHED = "hotline.ticket_dispatched", _("Hotline ticket dispatched")
    # A ticket's current deadline (respond or handle) passed while the unit held it.
    TICKET_DUE = "hotline.ticket_due", _("Hotline ticket due")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")  # not tried yet, or replay asked; sent when due
    FAILED = "failed", _("Failed, will retry")  # last attempt failed; retried at next_attempt_at
    DELIVERED = "delivered", _("Delivered")  # the subscriber answered 2xx; never sent again
    DEAD = "dead", _("Given up")  # max attempts reached; only a replay sends it again


# States the dispatcher picks up when ``next_attempt_at`` has come. Spelled once, so the claim
# query and the partial index (Delivery.Meta) name the same states.
DUE_STATES = (DeliveryState.PENDING, DeliveryState.FAILED)
