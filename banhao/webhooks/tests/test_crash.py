"""The dispatcher as a real process (`banhao webhooks deliver --loop`), killed with SIGKILL in
the middle of a run and started again: every event reaches the receiver process, and no
delivery marked delivered before the kill is received again.

The dispatcher opens the test database (BANHAO_DATABASE_NAME, as conftest.py does for the
Celery worker), so the test commits its data (transaction=True)."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from django.conf import settings
from django.db import transaction

from banhao.webhooks import services
from banhao.webhooks.models import Delivery
from banhao.webhooks.states import DeliveryState, EventType

EVENTS = 40


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def start_dispatcher(log) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="banhao.settings.test",
        BANHAO_DATABASE_NAME=str(settings.DATABASES["default"]["NAME"]),
        DATABASE_CONN_MAX_AGE="0",
        # A short lease (2 × timeout + 5 s) and quick retries keep the test short.
        BANHAO_WEBHOOK_TIMEOUT="1",
        BANHAO_WEBHOOK_BACKOFF_BASE="0.2",
        BANHAO_WEBHOOK_BACKOFF_MAX="1",
    )
    return subprocess.Popen(  # noqa: S603 - our own command
        [
            sys.executable,
            "-m",
            "banhao.cli",
            "webhooks",
            "deliver",
            "--loop",
            "--interval",
            "0.1",
            "--batch",
            "5",
        ],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def delivered_ids() -> set[str]:
    return {
        str(event_id)
        for event_id in Delivery.objects.filter(state=DeliveryState.DELIVERED).values_list(
            "event__event_id", flat=True
        )
    }


@pytest.mark.django_db(transaction=True)
def test_kill_9_mid_run_loses_nothing_and_resends_nothing_acknowledged(start_receiver, tmp_path):
    sub = services.create_subscriber(
        actor=None, name="县政务系统", url="http://127.0.0.1:9/", event_types=EventType.values
    )
    # Fails its first three requests (retries), and answers slowly enough to be caught mid-run.
    receiver = start_receiver(sub.secret, fail_first=3, delay=0.05)
    sub.url = receiver.url
    sub.save(update_fields=["url"])
    emitted = set()
    for n in range(EVENTS):
        with transaction.atomic():
            event = services.emit(
                EventType.TASK_READY, subject=f"test:{n}", payload={"task": {"id": n}}
            )
        emitted.add(str(event.event_id))

    log = (tmp_path / "dispatcher.log").open("w")
    first = start_dispatcher(log)
    try:
        wait_for(lambda: len(receiver.received()) >= 10, 120, "the first deliveries")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        first.kill()
    acknowledged = delivered_ids()  # marked delivered before the kill
    assert 0 < len(acknowledged) < EVENTS, "the kill did not land mid-run"
    assert Delivery.objects.filter(event__event_id__in=acknowledged).count() == len(acknowledged)

    second = start_dispatcher(log)
    try:
        wait_for(lambda: len(delivered_ids()) == EVENTS, 180, "every delivery")
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(timeout=20)
        except subprocess.TimeoutExpired:
            second.kill()
        log.close()

    received = Counter(receiver.received())
    # Nothing lost.
    assert set(received) == emitted
    # Nothing acknowledged and recorded before the kill was sent again.
    assert all(received[event_id] == 1 for event_id in acknowledged)
    # The one window: a request answered 2xx whose outcome the kill kept from being recorded
    # (the dispatcher sends one request at a time, so at most one); receivers dedupe on the id.
    repeated = {event_id for event_id, count in received.items() if count > 1}
    assert len(repeated) <= 1 and not repeated & acknowledged
    assert len([line for line in receiver.lines() if line.startswith("fail ")]) == 3
    assert not [line for line in receiver.lines() if line == "bad"]
    assert not Delivery.objects.exclude(state=DeliveryState.DELIVERED).exists()
