"""Notification centre: inbox, SMS/e-mail after commit, never twice for one event.

On the PostgreSQL run the deliveries go through a real Celery worker (see conftest.py), so these
tests commit their data and wait for the worker's result.
"""

import json
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from banhao.accounts.roles import Role
from banhao.accounts.services import notify_unit_staff
from banhao.notifications import services
from banhao.notifications.models import Delivery, DeliveryStatus, Notification
from banhao.testing import make_user


def sms_lines() -> list[dict]:
    folder = Path(settings.BANHAO_SMS_FILE_PATH)
    if not folder.exists():
        return []
    return [
        json.loads(line)
        for f in sorted(folder.glob("*.jsonl"))
        for line in f.read_text().splitlines()
    ]


def wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_sms_and_email_sent_after_commit_once_per_event():
    phone = "139" + str(int(time.time() * 1000))[-8:]
    user = make_user(Role.CITIZEN, phone=phone)
    user.email = "zhang@example.org"
    user.save(update_fields=["email"])
    with transaction.atomic():
        note = services.notify(
            recipient=user,
            event_key="application:1:correction",
            kind="correction",
            title="请补正材料",
            body="您的申请需要补正",
            url="/",
            channels=("sms", "email"),
        )
        # Nothing leaves before the commit.
        assert not [m for m in sms_lines() if m["to"] == phone]
    assert wait_for(
        lambda: Delivery.objects.filter(notification=note, status=DeliveryStatus.SENT).count() == 2
    )
    assert [m["text"] for m in sms_lines() if m["to"] == phone] == ["请补正材料 您的申请需要补正"]
    # The same event again (a retry, a double click): nothing new is created or sent.
    again = services.notify(
        recipient=user,
        event_key="application:1:correction",
        kind="correction",
        title="请补正材料",
        channels=("sms",),
    )
    assert again is None
    time.sleep(0.5)
    assert len([m for m in sms_lines() if m["to"] == phone]) == 1
    assert Notification.objects.filter(recipient=user).count() == 1
    # Delivering an already-sent delivery again does nothing.
    delivery = Delivery.objects.get(notification=note, channel="sms")
    assert services.deliver_now(delivery.pk) == "sent"
    assert len([m for m in sms_lines() if m["to"] == phone]) == 1


@pytest.mark.django_db(transaction=True)
def test_rolled_back_change_notifies_nobody():
    phone = "137" + str(int(time.time() * 1000))[-8:]
    user = make_user(Role.CITIZEN, phone=phone)

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        services.notify(recipient=user, event_key="x", kind="k", title="T", channels=("sms",))
        raise Boom
    time.sleep(0.5)
    assert not Notification.objects.filter(recipient=user).exists()
    assert not [m for m in sms_lines() if m["to"] == phone]


@pytest.mark.django_db
def test_missing_address_is_recorded_not_dropped():
    user = make_user(Role.CITIZEN)  # no phone, no e-mail
    note = services.notify(
        recipient=user, event_key="e", kind="k", title="T", channels=("sms", "email")
    )
    assert set(Delivery.objects.filter(notification=note).values_list("channel", "status")) == {
        ("sms", "skipped"),
        ("email", "skipped"),
    }


@pytest.mark.django_db
def test_inbox_page_and_api(client):
    user = make_user(Role.ENTERPRISE)
    other = make_user(Role.ENTERPRISE)
    services.notify(
        recipient=user, event_key="policy:7", kind="policy", title="您可享受的政策", url="/"
    )
    services.notify(recipient=other, event_key="policy:7", kind="policy", title="别人的消息")
    client.force_login(user)
    body = client.get(reverse("notifications:inbox")).content.decode()
    assert "您可享受的政策" in body and "别人的消息" not in body
    data = client.get("/api/v1/notifications/").json()
    assert data["count"] == 1 and data["items"][0]["read_at"] is None
    note_id = data["items"][0]["id"]
    other_note = Notification.objects.get(recipient=other)
    # Someone else's notification cannot be marked.
    assert client.post(f"/api/v1/notifications/{other_note.pk}/read/").json() == {"changed": False}
    assert client.post(f"/api/v1/notifications/{note_id}/read/").json() == {"changed": True}
    assert client.get("/api/v1/notifications/").json()["items"][0]["read_at"] is not None
    other_note.refresh_from_db()
    assert other_note.read_at is None


@pytest.mark.django_db
def test_a_units_staff_are_told_each_in_their_language_and_only_once():
    from django.utils.translation import gettext_lazy

    from banhao.testing import department

    unit = department("县人社局")
    handler = make_user(Role.DEPT_HANDLER, department=unit)
    head = make_user(Role.DEPT_HEAD, department=unit)
    head.preferred_language = "en"
    head.save(update_fields=["preferred_language"])
    make_user(Role.DEPT_HANDLER)  # another unit
    told = notify_unit_staff(
        unit,
        event_key="test.unit",
        kind="test",
        title=gettext_lazy("Task closed: %(name)s"),
        params={"name": "X"},
    )
    assert told == 2
    titles = dict(Notification.objects.values_list("recipient", "title"))
    assert titles[head.pk] == "Task closed: X"
    assert titles[handler.pk] != "Task closed: X" and titles[handler.pk].endswith("X")
    assert notify_unit_staff(unit, event_key="test.unit", kind="test", title="t") == 0
