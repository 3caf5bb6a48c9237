"""Every write of outbound webhooks: emitting into the outbox, managing subscribers, fanning
events out, delivering them, and replaying (docs/adr/0017-outbound-webhooks.md).

The order of a delivery, and why nothing is lost or sent twice once acknowledged:

1. ``emit`` writes the outbox row in the caller's transaction: the event exists if and only if
   the change committed.
2. ``fan_out`` (the dispatcher) turns new events into one ``Delivery`` per matching subscriber
   and marks them fanned out, in one transaction.
3. ``claim`` takes due deliveries (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) and leases them:
   ``next_attempt_at`` moves past the request's timeout and ``attempts`` counts the try, then
   commits, so no transaction stays open during the HTTP call and a dispatcher killed
   mid-request leaves a lease that simply expires.
4. ``send`` POSTs outside any transaction, then ``_finish`` records the outcome: 2xx marks the
   delivery delivered (it is never claimed again), anything else schedules a retry with
   back-off, or gives it up after the last attempt.

The one window left: a crash after the receiver answered 2xx and before step 4 commits sends
the event again. Receivers dedupe on the event id (``Banhao-Event-Id``).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets as secrets_module
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import httpx
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from banhao.audit.models import AuditAction
from banhao.audit.services import record
from banhao.core import rows
from banhao.core.roles import Role

from . import errors, signing
from .errors import WebhookError
from .models import Attempt, Delivery, OutboxEvent, Subscriber
from .states import DUE_STATES, DeliveryState, EventType

# The outbox row is queued into the caller's lean batch (one statement on PostgreSQL).
rows.use(OutboxEvent, writes="insert")

# A payload is ids, states and links: a few hundred bytes. Anything near this is a mistake.
MAX_PAYLOAD_BYTES = 16_000
MAX_GRACE_HOURS = 24 * 14
# Deliveries reset by one "replay since" at most; older ones are replayed one by one.
MAX_REPLAY = 10_000
USER_AGENT = "Banhao-Webhooks/1"


# --- emitting -------------------------------------------------------------------------------


def link(path: str) -> str:
    """A link for a payload: absolute when ``BANHAO_SITE_URL`` is set, else the path."""
    return settings.BANHAO_SITE_URL.rstrip("/") + path


def emit(
    event_type: str,
    *,
    region_id: int | None = None,
    unit_id: int | None = None,
    subject: str,
    payload: Mapping[str, Any],
    key: str = "",
) -> OutboxEvent | None:
    """Write one event to the outbox, in the caller's transaction (required: an event written
    outside it could outlive a rolled-back change, or be lost with a committed one).

    ``payload`` holds ids, states, the unit and region and links, never personal data (names,
    ID numbers, phones). ``region_id`` may be left out: the fan-out reads it from the unit.
    Inside a lean batch (``banhao.core.rows.batch``) the row is written with the step's other
    last writes. With ``key`` the event is written once only: a second emit with the same key
    writes nothing and returns None.
    """
    if event_type not in EventType.values:
        raise ValueError(f"unknown event type {event_type!r}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("emit() belongs inside the transaction of the change it reports")
    # Plain JSON now (dates as ISO text), so what is stored is what is sent.
    encoded = json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False)
    if len(encoded) > MAX_PAYLOAD_BYTES:
        raise ValueError(f"{event_type} payload of {len(encoded)} characters is too large")
    event = rows.new(
        OutboxEvent,
        event_id=uuid.uuid4(),
        event_type=event_type,
        region_id=region_id,
        unit_id=unit_id,
        subject=subject[:80],
        key=key[:120],
        payload=json.loads(encoded),
        created_at=timezone.now(),
    )
    if key:
        return event if rows.insert_new(event) else None
    gathered = _gathered.get()
    if gathered is not None:
        gathered.append(event)
    else:
        rows.queue_insert([event])
    return event


_gathered: ContextVar[list[OutboxEvent] | None] = ContextVar("webhooks_gathered", default=None)


@contextmanager
def together() -> Iterator[None]:
    """Write the events emitted in the block as one insert when it ends (queued into the
    open lean batch, if any): a step that reports several events adds one statement."""
    if _gathered.get() is not None:
        yield
        return
    gathered: list[OutboxEvent] = []
    token = _gathered.set(gathered)
    try:
        yield
    finally:
        _gathered.reset(token)
    rows.queue_insert(gathered)


# --- subscribers ----------------------------------------------------------------------------


def _require_admin(actor: Any) -> None:
    # None is the system (a management command run by the operator).
    if actor is not None and getattr(actor, "role", None) != Role.ADMIN:
        raise WebhookError(errors.NOT_ADMIN)


def clean_subscriber(
    *, name: str, url: str, event_types: Iterable[str]
) -> tuple[str, str, list[str]]:
    """The subscriber's fields, trimmed and checked (``WebhookError`` on the first problem)."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise WebhookError(errors.BAD_NAME, "name")
    url = (url or "").strip()
    if not url.startswith(("http://", "https://")) or len(url) > 500 or " " in url:
        raise WebhookError(errors.BAD_URL, "url")
    types = list(dict.fromkeys(event_types))
    if not types:
        raise WebhookError(errors.NO_EVENT_TYPES, "event_types")
    for value in types:
        if value not in EventType.values:
            raise WebhookError(errors.BAD_EVENT_TYPE, "event_types", value=str(value)[:40])
    return name, url, types


def _new_secret() -> str:
    return "whsec_" + secrets_module.token_urlsafe(32)


def _snapshot(subscriber: Subscriber) -> dict[str, Any]:
    # Never the secrets themselves.
    return {
        "name": subscriber.name,
        "url": subscriber.url,
        "region": subscriber.region_id,
        "unit": subscriber.unit_id,
        "event_types": list(subscriber.event_types),
        "active": subscriber.is_active,
    }


@transaction.atomic
def create_subscriber(
    *,
    actor: Any,
    name: str,
    url: str,
    event_types: Iterable[str],
    region_id: int | None = None,
    unit_id: int | None = None,
) -> Subscriber:
    """A new subscriber with a fresh secret; the caller shows the secret once to be handed to
    the department system."""
    _require_admin(actor)
    name, url, types = clean_subscriber(name=name, url=url, event_types=event_types)
    if Subscriber.objects.filter(name=name).exists():
        raise WebhookError(errors.NAME_TAKEN, "name")
    subscriber = Subscriber.objects.create(
        name=name,
        url=url,
        secret=_new_secret(),
        region_id=region_id,
        unit_id=unit_id,
        event_types=types,
    )
    record(
        actor=actor,
        action=AuditAction.CREATE,
        event_type="webhooks.subscriber_created",
        obj=subscriber,
        after=_snapshot(subscriber),
    )
    return subscriber


@transaction.atomic
def update_subscriber(
    *,
    actor: Any,
    subscriber_id: int,
    name: str,
    url: str,
    event_types: Iterable[str],
    region_id: int | None,
    unit_id: int | None,
    is_active: bool,
) -> Subscriber:
    """Change a subscriber's address, filters or activity. Deliveries already fanned out keep
    going to the new URL; events not yet fanned out are matched against the new filters."""
    _require_admin(actor)
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber_id)
    name, url, types = clean_subscriber(name=name, url=url, event_types=event_types)
    if Subscriber.objects.filter(name=name).exclude(pk=subscriber.pk).exists():
        raise WebhookError(errors.NAME_TAKEN, "name")
    before = _snapshot(subscriber)
    subscriber.name, subscriber.url, subscriber.event_types = name, url, types
    subscriber.region_id, subscriber.unit_id = region_id, unit_id
    subscriber.is_active = is_active
    subscriber.updated_at = timezone.now()
    subscriber.save()
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        event_type="webhooks.subscriber_changed",
        obj=subscriber,
        before=before,
        after=_snapshot(subscriber),
    )
    return subscriber


@transaction.atomic
def rotate_secret(*, actor: Any, subscriber_id: int, grace_hours: int = 24) -> Subscriber:
    """A new secret; the old one keeps signing (a second ``v1``) for ``grace_hours``, so the
    department system can switch without refusing a request."""
    _require_admin(actor)
    if not 0 <= grace_hours <= MAX_GRACE_HOURS:
        raise WebhookError(errors.BAD_GRACE, "grace_hours", max=MAX_GRACE_HOURS)
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber_id)
    now = timezone.now()
    subscriber.previous_secret = subscriber.secret if grace_hours else ""
    subscriber.previous_secret_until = (
        now + dt.timedelta(hours=grace_hours) if grace_hours else None
    )
    subscriber.secret = _new_secret()
    subscriber.updated_at = now
    subscriber.save(
        update_fields=["secret", "previous_secret", "previous_secret_until", "updated_at"]
    )
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        event_type="webhooks.secret_rotated",
        obj=subscriber,
        extra={"grace_hours": grace_hours},
    )
    return subscriber


# --- fan-out --------------------------------------------------------------------------------


def matches(
    subscriber: Subscriber, event_type: str, region_id: int | None, unit_id: int | None
) -> bool:
    """Does the subscriber want this event? Event type listed, and its region and unit
    filters (empty: any) equal to the event's."""
    return (
        subscriber.is_active
        and event_type in subscriber.event_types
        and (subscriber.region_id is None or subscriber.region_id == region_id)
        and (subscriber.unit_id is None or subscriber.unit_id == unit_id)
    )


def fan_out(*, limit: int = 500, now: dt.datetime | None = None) -> int:
    """One delivery per matching active subscriber for each event not yet fanned out (oldest
    first, at most ``limit``). Returns how many events were fanned out.

    Done by the dispatcher rather than by ``emit``: the changing step writes one row and reads
    nothing more (a one-thing approval stays one statement on PostgreSQL), and a subscriber
    added before the fan-out still gets the events that were waiting."""
    now = now or timezone.now()
    with transaction.atomic():
        events = list(
            OutboxEvent.objects.filter(fanned_out_at__isnull=True)
            .select_related("unit")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")[:limit]
        )
        if not events:
            return 0
        subscribers = list(Subscriber.objects.filter(is_active=True))
        deliveries = []
        for event in events:
            if event.region_id is None and event.unit is not None:
                event.region_id = event.unit.region_id
            event.fanned_out_at = now
            chosen = [
                s
                for s in subscribers
                if matches(s, event.event_type, event.region_id, event.unit_id)
            ]
            deliveries += [
                Delivery(
                    subscriber=s,
                    event=event,
                    state=DeliveryState.PENDING,
                    next_attempt_at=now,
                    created_at=now,
                    updated_at=now,
                )
                for s in chosen
            ]
            if chosen:
                record(
                    actor=None,
                    action=AuditAction.CREATE,
                    event_type="webhooks.fanned_out",
                    obj=event,
                    summary=event.event_type,
                    extra={"subscribers": [s.pk for s in chosen]},
                )
        # A pair already there (two dispatchers racing on SQLite) is left as it is.
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True, batch_size=500)
        OutboxEvent.objects.bulk_update(events, ["region", "fanned_out_at"], batch_size=500)
    return len(events)


# --- delivering -----------------------------------------------------------------------------


def backoff(
    attempts: int,
    *,
    base: float | None = None,
    cap: float | None = None,
    rand: Callable[[], float] = random.random,
) -> dt.timedelta:
    """The wait after the ``attempts``-th failed attempt: doubling from ``base`` seconds up to
    ``cap``, with "equal jitter" (half fixed, half random) so that a receiver coming back up
    is not hit by every retry at once."""
    base = settings.BANHAO_WEBHOOK_BACKOFF_BASE if base is None else base
    cap = settings.BANHAO_WEBHOOK_BACKOFF_MAX if cap is None else cap
    delay = min(cap, base * 2 ** max(attempts - 1, 0))
    return dt.timedelta(seconds=delay / 2 + rand() * delay / 2)


def lease() -> dt.timedelta:
    """How long a claimed delivery stays hidden from other dispatchers: longer than a POST can
    take, short enough that a killed dispatcher's claims come back soon."""
    return dt.timedelta(seconds=2 * settings.BANHAO_WEBHOOK_TIMEOUT + 5)


def claim(*, limit: int = 50, now: dt.datetime | None = None) -> list[tuple[int, int]]:
    """Lease up to ``limit`` due deliveries of active subscribers; returns (delivery id,
    attempt number) pairs. Committed before any request is sent."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Delivery.objects.filter(
                state__in=DUE_STATES, next_attempt_at__lte=now, subscriber__is_active=True
            )
            # SKIP LOCKED: several dispatchers take disjoint sets (PostgreSQL; on SQLite the
            # one writer at a time does the same).
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("next_attempt_at", "pk")
            .values_list("pk", "attempts")[:limit]
        )
        if not due:
            return []
        Delivery.objects.filter(pk__in=[pk for pk, _ in due]).update(
            next_attempt_at=now + lease(), attempts=F("attempts") + 1, updated_at=now
        )
    return [(pk, attempts + 1) for pk, attempts in due]


def envelope(event: OutboxEvent) -> bytes:
    """The request body: the event's identity and routing, then its payload as ``data``."""
    return json.dumps(
        {
            "id": str(event.event_id),
            "type": event.event_type,
            "created_at": event.created_at.isoformat(),
            "region_id": event.region_id,
            "unit_id": event.unit_id,
            "subject": event.subject,
            "data": event.payload,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def send(delivery_id: int, number: int, client: httpx.Client) -> str:
    """POST one claimed delivery and record the outcome; returns the delivery's new state."""
    delivery = Delivery.objects.select_related("subscriber", "event").get(pk=delivery_id)
    subscriber, event = delivery.subscriber, delivery.event
    body = envelope(event)
    started = timezone.now()
    clock = time.monotonic()
    status, error = None, ""
    try:
        response = client.post(
            subscriber.url,
            content=body,
            headers=signing.headers(
                secrets=subscriber.signing_secrets(started),
                timestamp=int(time.time()),
                body=body,
                event_id=str(event.event_id),
                event_type=event.event_type,
            ),
        )
        status = response.status_code
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except httpx.HTTPError as exc:
        # The exception's class and message (no response body: it is the receiver's text).
        error = f"{type(exc).__name__}: {exc}"[:300]
    duration = int((time.monotonic() - clock) * 1000)
    return _finish(delivery_id, number, started, duration, status, error)


@transaction.atomic
def _finish(
    delivery_id: int,
    number: int,
    started: dt.datetime,
    duration_ms: int,
    status: int | None,
    error: str,
) -> str:
    delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
    ok = not error
    Attempt.objects.create(
        delivery=delivery,
        number=number,
        started_at=started,
        duration_ms=duration_ms,
        status_code=status,
        error=error,
        delivered=ok,
    )
    # A replay or another claim since this one (the lease ran out) owns the delivery now:
    # this attempt is only logged. A delivered one is never changed back.
    if delivery.state not in DUE_STATES or delivery.attempts != number:
        return delivery.state
    before = delivery.state
    now = timezone.now()
    delivery.last_status_code = status
    delivery.last_error = error
    delivery.updated_at = now
    if ok:
        delivery.state = DeliveryState.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delivery.attempts >= settings.BANHAO_WEBHOOK_MAX_ATTEMPTS:
        delivery.state = DeliveryState.DEAD
        delivery.next_attempt_at = None
    else:
        delivery.state = DeliveryState.FAILED
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    delivery.save(
        update_fields=[
            "state",
            "last_status_code",
            "last_error",
            "delivered_at",
            "next_attempt_at",
            "updated_at",
        ]
    )
    record(
        actor=None,
        action=AuditAction.TRANSITION,
        event_type=f"webhooks.delivery_{delivery.state}",
        obj=delivery,
        before={"state": before},
        after={"state": delivery.state, "attempts": delivery.attempts, "status": status},
    )
    return delivery.state


def client() -> httpx.Client:
    return httpx.Client(
        timeout=settings.BANHAO_WEBHOOK_TIMEOUT,
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
    )


def deliver_due(*, limit: int = 50, http: httpx.Client | None = None) -> int:
    """One round of the dispatcher: fan out new events, then claim and send due deliveries.
    Returns how many requests were sent (0: nothing was due)."""
    fan_out()
    claimed = claim(limit=limit)
    if not claimed:
        return 0
    own = http is None
    http = http or client()
    try:
        for delivery_id, number in claimed:
            send(delivery_id, number, http)
    finally:
        if own:
            http.close()
    return len(claimed)


# --- replay ---------------------------------------------------------------------------------


def _requeue(delivery: Delivery, now: dt.datetime) -> str:
    before = delivery.state
    delivery.state = DeliveryState.PENDING
    delivery.attempts = 0  # a replay gets a full set of attempts
    delivery.next_attempt_at = now
    delivery.last_error = ""
    delivery.updated_at = now
    return before


@transaction.atomic
def replay_delivery(*, actor: Any, delivery_id: int) -> Delivery:
    """Send one delivery again (a new attempt, whatever its state), e.g. after the department
    system lost it. The event id is the same: a receiver that kept it sees a duplicate."""
    _require_admin(actor)
    delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
    now = timezone.now()
    before = _requeue(delivery, now)
    delivery.save(
        update_fields=["state", "attempts", "next_attempt_at", "last_error", "updated_at"]
    )
    record(
        actor=actor,
        action=AuditAction.TRANSITION,
        event_type="webhooks.replayed",
        obj=delivery,
        before={"state": before},
        after={"state": delivery.state},
    )
    return delivery


@transaction.atomic
def replay_since(*, actor: Any, subscriber_id: int, since: dt.datetime) -> int:
    """Send again every delivered or given-up delivery of a subscriber whose event happened at
    or after ``since`` (at most ``MAX_REPLAY``). Returns how many were queued."""
    _require_admin(actor)
    now = timezone.now()
    if since is None or since > now:
        raise WebhookError(errors.BAD_SINCE, "since")
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber_id)
    ids = list(
        Delivery.objects.filter(
            subscriber=subscriber,
            event__created_at__gte=since,
            state__in=[DeliveryState.DELIVERED, DeliveryState.DEAD],
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:MAX_REPLAY]
    )
    count = Delivery.objects.filter(pk__in=ids).update(
        state=DeliveryState.PENDING,
        attempts=0,
        next_attempt_at=now,
        last_error="",
        updated_at=now,
    )
    record(
        actor=actor,
        action=AuditAction.TRANSITION,
        event_type="webhooks.replayed_since",
        obj=subscriber,
        summary=f"{count}",
        extra={"since": since.isoformat(), "deliveries": count},
    )
    return count
