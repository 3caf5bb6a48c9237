"""Outbound webhooks: signing, the outbox, fan-out filters, delivery to a real receiver process
with retries and back-off, giving up, replay, and the staff pages."""

import datetime as dt
import hashlib
import hmac
import json
import time
import uuid

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from banhao.accounts.roles import Role
from banhao.audit.models import AuditRecord
from banhao.org.models import Department
from banhao.testing import department, make_user, township
from banhao.webhooks import services, signing
from banhao.webhooks.errors import WebhookError
from banhao.webhooks.models import Attempt, Delivery, OutboxEvent, Subscriber
from banhao.webhooks.states import DeliveryState, EventType

ALL = EventType.values


def emit(event_type=EventType.TASK_READY, *, unit=None, region_id=None, **payload):
    with transaction.atomic():
        return services.emit(
            event_type,
            region_id=region_id,
            unit_id=unit.pk if unit else None,
            subject="test:1",
            payload=payload or {"task": {"id": 1}},
        )


def subscriber(name="县政务系统", url="http://127.0.0.1:9/hooks", types=ALL, **filters):
    return services.create_subscriber(actor=None, name=name, url=url, event_types=types, **filters)


def due_now(sub: Subscriber) -> None:
    """Skip the back-off wait: make every waiting delivery of ``sub`` due."""
    Delivery.objects.filter(subscriber=sub, state=DeliveryState.FAILED).update(
        next_attempt_at=timezone.now()
    )


# --- signing ----------------------------------------------------------------------------------


def test_signature_is_hmac_sha256_of_timestamp_dot_body():
    body = b'{"id":"e1"}'
    expected = hmac.new(b"whsec_k", b"1796284800." + body, hashlib.sha256).hexdigest()
    assert signing.signature("whsec_k", 1796284800, body) == expected
    headers = signing.headers(
        secrets=["whsec_k"], timestamp=1796284800, body=body, event_id="e1", event_type="x"
    )
    assert headers["Banhao-Signature"] == f"t=1796284800,v1={expected}"
    assert headers["Banhao-Event-Id"] == "e1"
    assert headers["Banhao-Timestamp"] == "1796284800"


def test_verify_refuses_tampering_a_wrong_secret_and_an_old_timestamp():
    body = b'{"id":"e1"}'
    now = 1796284800
    header = signing.headers(
        secrets=["whsec_k"], timestamp=now, body=body, event_id="e1", event_type="x"
    )["Banhao-Signature"]
    assert signing.verify("whsec_k", header, body, now=now + 10)
    assert not signing.verify("whsec_k", header, body + b" ", now=now)
    assert not signing.verify("whsec_other", header, body, now=now)
    assert not signing.verify("whsec_k", header, body, now=now + 301)
    assert not signing.verify("whsec_k", "garbage", body, now=now)
    assert not signing.verify("whsec_k", f"t=x,v1={'0' * 64}", body, now=now)


@pytest.mark.django_db
def test_rotation_signs_with_both_secrets_during_the_grace_period():
    admin = make_user(Role.ADMIN)
    sub = subscriber()
    old = sub.secret
    sub = services.rotate_secret(actor=admin, subscriber_id=sub.pk, grace_hours=24)
    assert sub.secret != old and sub.secret.startswith("whsec_")
    now = timezone.now()
    assert sub.signing_secrets(now) == [sub.secret, old]
    assert sub.signing_secrets(now + dt.timedelta(hours=25)) == [sub.secret]
    header = signing.headers(
        secrets=sub.signing_secrets(now), timestamp=1, body=b"{}", event_id="e", event_type="x"
    )["Banhao-Signature"]
    # A receiver still holding the old secret and one holding the new both accept it.
    assert signing.verify(old, header, b"{}", now=1)
    assert signing.verify(sub.secret, header, b"{}", now=1)
    record = AuditRecord.objects.get(event_type="webhooks.secret_rotated")
    assert record.actor == admin
    assert old not in json.dumps(record.extra) and sub.secret not in json.dumps(record.extra)
    with pytest.raises(WebhookError) as refused:
        services.rotate_secret(actor=make_user(Role.DEPT_HANDLER), subscriber_id=sub.pk)
    assert refused.value.code == "not_admin" and refused.value.status == 403


# --- the outbox -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_emit_belongs_to_the_change_transaction():
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        services.emit(EventType.TASK_READY, subject="test:1", payload={"task": {"id": 1}})
        raise Boom
    assert not OutboxEvent.objects.exists()  # rolled back with the change

    event = emit(due=dt.date(2026, 12, 17))
    stored = OutboxEvent.objects.get()
    assert stored.event_id == event.event_id
    assert stored.payload == {"due": "2026-12-17"}  # plain JSON, as it will be sent


def test_emit_outside_a_transaction_is_refused(django_db_blocker):
    with django_db_blocker.unblock(), pytest.raises(RuntimeError):
        services.emit(EventType.TASK_READY, subject="test:1", payload={})


@pytest.mark.django_db
def test_emit_with_a_key_writes_the_event_once():
    with transaction.atomic():
        first = services.emit(EventType.TICKET_DUE, subject="t:1", payload={}, key="due:1:a")
        again = services.emit(EventType.TICKET_DUE, subject="t:1", payload={}, key="due:1:a")
    assert first is not None and again is None
    assert OutboxEvent.objects.filter(key="due:1:a").count() == 1


@pytest.mark.django_db
def test_together_writes_several_events_as_one_insert(django_assert_num_queries):
    with transaction.atomic(), django_assert_num_queries(1), services.together():
        for n in range(3):
            services.emit(EventType.TASK_READY, subject=f"t:{n}", payload={"n": n})
    assert OutboxEvent.objects.count() == 3


# --- fan-out ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_fan_out_matches_event_type_region_and_unit():
    unit = department()
    other_region = township()
    other_unit = Department.objects.create(
        name="南麻街道办事处", level="township", region=other_region, kind="agency"
    )
    everything = subscriber("all")
    only_due = subscriber("due", types=[EventType.TICKET_DUE])
    county_only = subscriber("county", region_id=unit.region_id)
    town_only = subscriber("town", region_id=other_region.pk)
    unit_only = subscriber("unit", unit_id=unit.pk)
    other_unit_only = subscriber("other unit", unit_id=other_unit.pk)
    sleeping = subscriber("inactive")
    sleeping.is_active = False
    sleeping.save()

    # The region is left out: the fan-out reads it from the unit.
    event = emit(EventType.TASK_READY, unit=unit)
    assert services.fan_out() == 1
    event.refresh_from_db()
    assert event.region_id == unit.region_id and event.fanned_out_at is not None
    chosen = set(Delivery.objects.filter(event=event).values_list("subscriber__name", flat=True))
    assert chosen == {everything.name, county_only.name, unit_only.name}
    assert {only_due.name, town_only.name, other_unit_only.name, sleeping.name}.isdisjoint(chosen)
    assert Delivery.objects.filter(event=event, state=DeliveryState.PENDING).count() == 3
    # Fanned out once: a second run has nothing to do.
    assert services.fan_out() == 0
    assert Delivery.objects.count() == 3


@pytest.mark.django_db
def test_subscriber_input_is_validated():
    admin = make_user(Role.ADMIN)
    cases = [
        ({"url": "ftp://x"}, "bad_url"),
        ({"url": "javascript:alert(1)"}, "bad_url"),
        ({"name": ""}, "bad_name"),
        ({"name": "x" * 101}, "bad_name"),
        ({"event_types": []}, "no_event_types"),
        ({"event_types": ["onething.nope"]}, "bad_event_type"),
    ]
    for change, code in cases:
        data = {"name": "ok", "url": "https://dept.example/hooks", "event_types": ALL, **change}
        with pytest.raises(WebhookError) as refused:
            services.create_subscriber(actor=admin, **data)
        assert refused.value.code == code
    assert not Subscriber.objects.exists()
    with pytest.raises(WebhookError) as refused:
        services.create_subscriber(
            actor=make_user(Role.DEPT_HEAD), name="x", url="https://d/", event_types=ALL
        )
    assert refused.value.code == "not_admin"


# --- back-off ---------------------------------------------------------------------------------


def test_backoff_doubles_with_jitter_up_to_the_cap():
    low = [services.backoff(n, base=30, cap=3600, rand=lambda: 0.0) for n in (1, 2, 3, 10)]
    high = [services.backoff(n, base=30, cap=3600, rand=lambda: 1.0) for n in (1, 2, 3, 10)]
    assert [d.total_seconds() for d in low] == [15, 30, 60, 1800]
    assert [d.total_seconds() for d in high] == [30, 60, 120, 3600]
    # Random jitter stays within [half, whole] of the doubled delay.
    for _ in range(50):
        assert 60 <= services.backoff(3, base=30, cap=3600).total_seconds() <= 120


# --- delivering to a real receiver --------------------------------------------------------------


@pytest.mark.django_db
def test_delivery_retries_with_back_off_until_the_receiver_accepts(start_receiver, settings):
    settings.BANHAO_WEBHOOK_BACKOFF_BASE = 60
    sub = subscriber()
    receiver = start_receiver(sub.secret, fail_first=2)
    sub.url = receiver.url
    sub.save()
    event = emit(EventType.RESULT_ISSUED, result="R370123456")

    assert services.deliver_due() == 1
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.attempts == 1 and delivery.last_status_code == 500
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert 25 <= wait <= 60  # first back-off: between half and all of 60 s
    assert services.deliver_due() == 0  # not due yet

    due_now(sub)
    services.deliver_due()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED and delivery.attempts == 2
    assert 55 <= (delivery.next_attempt_at - timezone.now()).total_seconds() <= 120

    due_now(sub)
    services.deliver_due()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 3
    assert delivery.last_status_code == 200 and delivery.next_attempt_at is None
    assert receiver.lines() == [f"fail {event.event_id}"] * 2 + [f"ok {event.event_id}"]
    attempts = list(Attempt.objects.filter(delivery=delivery).order_by("number"))
    assert [(a.number, a.status_code, a.delivered) for a in attempts] == [
        (1, 500, False),
        (2, 500, False),
        (3, 200, True),
    ]
    # Delivered is final: nothing sends it again.
    due_now(sub)
    assert services.deliver_due() == 0
    assert receiver.received() == [str(event.event_id)]
    states = list(
        AuditRecord.objects.filter(object_type="webhooks.delivery", object_id=str(delivery.pk))
        .order_by("id")
        .values_list("event_type", flat=True)
    )
    assert states == [
        "webhooks.delivery_failed",
        "webhooks.delivery_failed",
        "webhooks.delivery_delivered",
    ]


@pytest.mark.django_db
def test_the_body_is_the_envelope_the_signature_covers(start_receiver):
    sub = subscriber()
    receiver = start_receiver("whsec_not_the_subscribers")  # cannot verify: answers 401
    sub.url = receiver.url
    sub.save()
    emit()
    services.deliver_due()
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.FAILED and delivery.last_status_code == 401
    assert receiver.lines() == ["bad"]


@pytest.mark.django_db
def test_an_unreachable_receiver_is_given_up_after_the_last_attempt(settings):
    settings.BANHAO_WEBHOOK_MAX_ATTEMPTS = 2
    settings.BANHAO_WEBHOOK_TIMEOUT = 2
    sub = subscriber(url="http://127.0.0.1:9/hooks")  # discard port: connection refused
    emit()
    services.deliver_due()
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.last_status_code is None and "ConnectError" in delivery.last_error
    due_now(sub)
    services.deliver_due()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DEAD and delivery.attempts == 2
    assert delivery.next_attempt_at is None
    due_now(sub)
    assert services.deliver_due() == 0


@pytest.mark.django_db
def test_an_inactive_subscriber_gets_nothing_until_reactivated(start_receiver):
    admin = make_user(Role.ADMIN)
    sub = subscriber()
    receiver = start_receiver(sub.secret)
    emit()
    services.fan_out()
    services.update_subscriber(
        actor=admin,
        subscriber_id=sub.pk,
        name=sub.name,
        url=receiver.url,
        event_types=ALL,
        region_id=None,
        unit_id=None,
        is_active=False,
    )
    assert services.deliver_due() == 0
    services.update_subscriber(
        actor=admin,
        subscriber_id=sub.pk,
        name=sub.name,
        url=receiver.url,
        event_types=ALL,
        region_id=None,
        unit_id=None,
        is_active=True,
    )
    assert services.deliver_due() == 1
    assert len(receiver.received()) == 1
    changed = AuditRecord.objects.filter(event_type="webhooks.subscriber_changed")
    assert [r.after["active"] for r in changed.order_by("id")] == [False, True]


@pytest.mark.django_db
def test_a_lease_hides_a_claimed_delivery_and_expires(settings):
    settings.BANHAO_WEBHOOK_TIMEOUT = 1
    subscriber()
    emit()
    services.fan_out()
    now = timezone.now()
    assert len(services.claim(now=now)) == 1
    assert services.claim(now=now) == []  # leased: another dispatcher skips it
    # The claimer died (kill -9): after the lease the delivery is due again, as attempt 2.
    later = now + services.lease() + dt.timedelta(seconds=1)
    (claimed,) = services.claim(now=later)
    assert claimed[1] == 2


# --- replay -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_replay_sends_a_delivered_event_again_and_is_audited(start_receiver):
    admin = make_user(Role.ADMIN)
    sub = subscriber()
    receiver = start_receiver(sub.secret)
    sub.url = receiver.url
    sub.save()
    first, second = emit(), emit()
    assert services.deliver_due() == 2
    assert sorted(receiver.received()) == sorted([str(first.event_id), str(second.event_id)])

    delivery = Delivery.objects.get(event=first)
    with pytest.raises(WebhookError):
        services.replay_delivery(actor=make_user(Role.DEPT_HANDLER), delivery_id=delivery.pk)
    services.replay_delivery(actor=admin, delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING and delivery.attempts == 0
    assert services.deliver_due() == 1
    assert receiver.received().count(str(first.event_id)) == 2  # the same event id again
    assert receiver.received().count(str(second.event_id)) == 1
    record = AuditRecord.objects.get(event_type="webhooks.replayed")
    assert record.actor == admin and record.before == {"state": "delivered"}

    # Everything since a time: both events, once each.
    since = timezone.now() - dt.timedelta(hours=1)
    assert services.replay_since(actor=admin, subscriber_id=sub.pk, since=since) == 2
    assert services.deliver_due() == 2
    assert receiver.received().count(str(second.event_id)) == 2
    with pytest.raises(WebhookError) as refused:
        services.replay_since(
            actor=admin, subscriber_id=sub.pk, since=timezone.now() + dt.timedelta(days=1)
        )
    assert refused.value.code == "bad_since"
    assert services.replay_since(actor=admin, subscriber_id=sub.pk, since=timezone.now()) == 0


# --- pages ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_delivery_log_is_for_administrators(client):
    sub = subscriber()
    event = emit()
    services.fan_out()
    delivery = Delivery.objects.get()
    handler = make_user(Role.DEPT_HANDLER)
    client.force_login(handler)
    assert client.get(reverse("webhooks:subscribers")).status_code == 403
    assert client.get(reverse("webhooks:log", args=[sub.pk])).status_code == 403
    assert client.post(reverse("webhooks:replay", args=[delivery.pk])).status_code == 403

    admin = make_user(Role.ADMIN)
    client.force_login(admin)
    page = client.get(reverse("webhooks:subscribers"))
    assert page.status_code == 200 and sub.name in page.content.decode()
    log = client.get(reverse("webhooks:log", args=[sub.pk]), {"state": "pending"})
    assert log.status_code == 200 and str(event.event_id) in log.content.decode()
    assert (
        str(event.event_id)
        not in client.get(
            reverse("webhooks:log", args=[sub.pk]), {"state": "delivered"}
        ).content.decode()
    )
    # A bad time is a message, not a 500.
    response = client.post(reverse("webhooks:replay_since", args=[sub.pk]), {"since": "nonsense"})
    assert response.status_code == 302
    response = client.post(reverse("webhooks:replay", args=[delivery.pk]), follow=True)
    assert response.status_code == 200
    assert AuditRecord.objects.filter(event_type="webhooks.replayed", actor=admin).exists()
    assert client.get(reverse("webhooks:log", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_event_ids_are_uuids_and_unique():
    ids = {emit().event_id for _ in range(5)}
    assert len(ids) == 5 and all(isinstance(i, uuid.UUID) for i in ids)


def test_receiver_script_verifies_like_the_platform_signs():
    """The receiver (a department's side, standard library only) accepts what signing sends."""
    from banhao.webhooks.tests.receiver import verify

    body = b'{"id":"e"}'
    now = int(time.time())
    header = signing.headers(
        secrets=["whsec_a"], timestamp=now, body=body, event_id="e", event_type="x"
    )["Banhao-Signature"]
    assert verify("whsec_a", header, body)
    assert not verify("whsec_b", header, body)


@pytest.mark.django_db
def test_the_admin_creates_and_changes_subscribers_through_the_services(client):
    admin = make_user(Role.ADMIN)
    client.force_login(admin)
    add = reverse("admin:webhooks_subscriber_add")
    form = {
        "name": "县市场监管系统",
        "url": "https://scjg.example/hooks",
        "region": "",
        "unit": "",
        "event_types": [EventType.TICKET_DISPATCHED, EventType.TICKET_DUE],
        "is_active": "on",
    }
    refused = client.post(add, {**form, "url": "ftp://scjg.example/hooks"})
    assert refused.status_code == 200 and not Subscriber.objects.exists()
    assert client.post(add, form).status_code == 302
    sub = Subscriber.objects.get()
    assert sub.secret.startswith("whsec_")
    assert sub.event_types == [EventType.TICKET_DISPATCHED, EventType.TICKET_DUE]
    created = AuditRecord.objects.get(event_type="webhooks.subscriber_created")
    assert created.actor == admin and sub.secret not in json.dumps(created.after)
    change = reverse("admin:webhooks_subscriber_change", args=[sub.pk])
    assert client.post(change, {**form, "is_active": ""}).status_code == 302
    sub.refresh_from_db()
    assert not sub.is_active
    assert AuditRecord.objects.filter(event_type="webhooks.subscriber_changed").count() == 1
