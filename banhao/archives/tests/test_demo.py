import datetime as dt

import pytest
from django.urls import reverse

from banhao.accounts.demo import load_demo_accounts
from banhao.accounts.models import User
from banhao.archives import selectors
from banhao.archives.demo import load_demo_archives
from banhao.archives.models import BenefitSource, Licence
from banhao.archives.services import record_benefit

pytestmark = pytest.mark.django_db


def test_demo_archives_are_full_and_load_once(seeded):
    load_demo_accounts()
    assert load_demo_archives() == 5
    assert load_demo_archives() == 0
    citizen = User.objects.get(username="citizen")
    values = selectors.prefill_for(citizen, ["father_name", "mother_name", "marriage_cert_number"])
    assert values["mother_name"].value == "李秀英"
    assert values["marriage_cert_number"].value == "J370323-2016-000456"
    firm = selectors.archive_of_user(User.objects.get(username="enterprise"))
    view = selectors.archive_view(firm, reveal=True)
    assert [lic.number for lic in view.upcoming] == ["JY23703230000456"]
    assert Licence.objects.count() == 5


def test_demo_enterprise_pages_render_a_benefit_with_no_granting_unit(seeded, client):
    # Imported benefits may name no granting department; pages listing them must still render.
    load_demo_accounts()
    load_demo_archives()
    user = User.objects.get(username="enterprise")
    record_benefit(
        actor=None,
        title="小微企业稳岗返还",
        granted_on=dt.date(2026, 3, 1),
        source=BenefitSource.IMPORT,
        enterprise=selectors.archive_of_user(user),
    )
    client.force_login(user)
    for url in (reverse("archives:mine"), reverse("policies:for_me")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "小微企业稳岗返还" in response.content.decode(), url
