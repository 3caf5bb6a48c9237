"""The archive page runs the same number of queries however full the archive is."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from banhao.accounts.roles import Role
from banhao.archives import services
from banhao.archives.models import BenefitSource, LicenceSource, LicenceType, PurposeKind
from banhao.testing import PASSWORD, enterprise_archive, make_user, person_archive

pytestmark = pytest.mark.django_db


def _fill(person, n: int) -> None:
    types = list(LicenceType.objects.all())
    for i in range(n):
        services.issue_licence(
            actor=None,
            licence_type=types[i % len(types)],
            number=f"N{person.pk}-{i}",
            issued_on=dt.date(2020, 1, 1) + dt.timedelta(days=i),
            source=LicenceSource.MANUAL,
            person=person,
        )
        services.record_benefit(
            actor=None,
            title=f"补贴{i}",
            granted_on=dt.date(2024, 1, 1),
            source=BenefitSource.MANUAL,
            person=person,
        )
        enterprise_archive(legal_representative_id=person.id_number)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_archive_pages_query_count_is_constant(seeded):
    small, large = person_archive(), person_archive()
    _fill(small, 1)
    _fill(large, 15)
    counts = {}
    for person in (small, large):
        user = make_user(Role.CITIZEN, id_number=person.id_number)
        c = Client()
        c.login(username=user.username, password=PASSWORD)
        mine = _count(c, reverse("archives:mine"))
        staff = make_user(Role.COUNTY_LEADER)
        services.record_access_purpose(
            actor=staff,
            kind=PurposeKind.OTHER,
            reference="quality check of archives",
            person=person,
        )
        s = Client()
        s.login(username=staff.username, password=PASSWORD)
        counts[person.pk] = (mine, _count(s, reverse("archives:person", args=[person.pk])))
    assert counts[small.pk] == counts[large.pk]
    assert counts[large.pk][0] <= 14 and counts[large.pk][1] <= 16, counts
