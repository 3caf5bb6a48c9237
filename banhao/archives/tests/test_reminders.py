"""Renewal reminders (主动办): once per licence and offset, the most urgent after a gap."""

import datetime as dt

import pytest
from django.urls import reverse

from banhao.accounts.roles import Role
from banhao.archives import services
from banhao.archives.models import LicenceSource, LicenceType
from banhao.notifications.models import Delivery, Notification
from banhao.testing import enterprise_archive, make_user

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 1)


@pytest.fixture
def licence(seeded):
    firm = enterprise_archive()
    user = make_user(Role.ENTERPRISE, credit_code=firm.credit_code, phone="13805330002")
    lic = services.issue_licence(
        actor=None,
        licence_type=LicenceType.objects.get(code="food_business_licence"),
        number="JY23703230000001",
        issued_on=dt.date(2021, 5, 30),
        expires_on=TODAY + dt.timedelta(days=90),
        source=LicenceSource.IMPORT,
        source_ref="food:1",
        enterprise=firm,
    )
    return lic, user


def test_due_offset_picks_the_most_urgent():
    assert services.due_offset([90, 30, 7], 91) is None
    assert services.due_offset([90, 30, 7], 90) == 90
    assert services.due_offset([90, 30, 7], 45) == 90
    assert services.due_offset([90, 30, 7], 29) == 30
    assert services.due_offset([90, 30, 7], 3) == 7


def test_reminder_sent_once_per_offset_with_link_to_renewal(licence):
    lic, user = licence
    assert services.send_renewal_reminders(today=TODAY - dt.timedelta(days=1)) == 0
    assert services.send_renewal_reminders(today=TODAY) == 1
    assert services.send_renewal_reminders(today=TODAY) == 0
    assert services.send_renewal_reminders(today=TODAY + dt.timedelta(days=1)) == 0
    note = Notification.objects.get(recipient=user)
    assert note.event_key == f"archives.renewal.{lic.pk}.90"
    assert note.url == reverse("archives:renew", args=[lic.pk])
    assert "JY23703230000001" in note.body
    # SMS goes to the account's phone; no e-mail address, so that channel is skipped.
    statuses = dict(Delivery.objects.values_list("channel", "status"))
    assert statuses == {"sms": "pending", "email": "skipped"}
    lic.refresh_from_db()
    assert lic.reminded_offset == 90


def test_missed_runs_send_only_the_most_urgent_reminder(licence):
    lic, user = licence
    # No run for 85 days: 5 days are left, the 90 and 30 day reminders were missed.
    assert services.send_renewal_reminders(today=TODAY + dt.timedelta(days=85)) == 1
    assert list(Notification.objects.values_list("event_key", flat=True)) == [
        f"archives.renewal.{lic.pk}.7"
    ]
    assert services.send_renewal_reminders(today=TODAY + dt.timedelta(days=86)) == 0


def test_each_offset_in_turn(licence):
    lic, user = licence
    sent = sum(
        services.send_renewal_reminders(today=TODAY + dt.timedelta(days=d)) for d in range(0, 95)
    )
    assert sent == 3
    keys = sorted(Notification.objects.values_list("event_key", flat=True))
    assert keys == sorted(f"archives.renewal.{lic.pk}.{o}" for o in (90, 30, 7))


def test_superseded_licence_is_not_reminded(licence):
    lic, user = licence
    services.issue_licence(
        actor=None,
        licence_type=lic.licence_type,
        number="JY23703230000002",
        issued_on=TODAY,
        source=LicenceSource.MANUAL,
        enterprise=lic.enterprise,
    )
    assert services.send_renewal_reminders(today=TODAY) == 0


def test_reminder_is_written_in_the_site_language_when_the_holder_chose_none(licence):
    lic, user = licence
    assert user.preferred_language == ""
    services.send_renewal_reminders(today=TODAY)
    note = Notification.objects.get(recipient=user)
    # zh-hans, not the English source text a disabled translation would send.
    assert note.title == "食品经营许可证即将到期"
    assert "JY23703230000001" in note.body
    assert "到期" in note.body
