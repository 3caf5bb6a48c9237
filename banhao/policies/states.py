"""Lifecycles of policies and grants, with the allowed transitions. Services check them with
``banhao.core.states.check_transition``, which raises ``errors.TransitionRefused`` (409)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PolicyState(models.TextChoices):
    # Being written; rules and texts can change; simulation only, nobody is matched or told.
    DRAFT = "draft", _("Draft")
    # Live: matched nightly, eligible enterprises are told, 免申即享 grants are made.
    ACTIVE = "active", _("In force")
    # Ended (by staff, or when its validity ran out); kept with its matches and grants.
    CLOSED = "closed", _("Ended")


POLICY_TRANSITIONS = {
    PolicyState.DRAFT: {PolicyState.ACTIVE},
    PolicyState.ACTIVE: {PolicyState.CLOSED},
    PolicyState.CLOSED: set(),
}


class GrantState(models.TextChoices):
    # Made by the matching job for a policy that needs staff approval; waiting for a decision.
    PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
    # Granted: recorded as a benefit in the enterprise's archive, the enterprise was told.
    GRANTED = "granted", _("Benefit granted")
    # Refused by staff, with a reason the enterprise sees.
    REJECTED = "rejected", _("Grant refused")


GRANT_TRANSITIONS = {
    GrantState.PENDING_APPROVAL: {GrantState.GRANTED, GrantState.REJECTED},
    GrantState.GRANTED: set(),
    GrantState.REJECTED: set(),
}
