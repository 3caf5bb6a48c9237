"""Administrators change bundles in the admin without code; saving publishes a new version and
leaves earlier versions (and the applications on them) as they were."""

import json

import pytest

from banhao.accounts.roles import Role
from banhao.audit.models import AuditRecord
from banhao.catalog.models import BundleVersion, ItemRule, OneThing, ServiceItem
from banhao.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, seeded):
    admin = make_user(Role.ADMIN)
    assert client.login(username=admin.username, password=PASSWORD)
    return client


def test_admin_pages_of_the_definitions_open(admin_client):
    onething = OneThing.objects.get(number=9)
    item = ServiceItem.objects.get(name="社会保障卡申领")
    for url in (
        f"/admin/catalog/onething/{onething.pk}/change/",
        f"/admin/catalog/serviceitem/{item.pk}/change/",
        "/admin/catalog/itemrule/",
        "/admin/catalog/bundleversion/",
        "/admin/catalog/formfield/",
        "/admin/catalog/material/",
    ):
        assert admin_client.get(url).status_code == 200, url


def test_saving_a_rule_publishes_a_new_version(admin_client):
    onething = OneThing.objects.get(number=9)
    rule = ItemRule.objects.get(row__onething=onething, row__position=7)
    before = BundleVersion.objects.filter(onething=onething).order_by("-number").first()
    response = admin_client.post(
        f"/admin/catalog/itemrule/{rule.pk}/change/",
        {
            "row": rule.row_id,
            "condition": json.dumps({"q": "under_one", "eq": "yes"}),
            "condition_text": "1岁以下",
            "condition_text_en": "Under one",
            "depends_on": "[]",
            "waits_for": "[]",
            "department_question": "",
            "replaces_materials": "[]",
        },
    )
    assert response.status_code == 302
    latest = BundleVersion.objects.filter(onething=onething).order_by("-number").first()
    assert latest.number == before.number + 1
    row7 = next(i for i in latest.definition["items"] if i["position"] == 7)
    assert row7["condition"] == {"q": "under_one", "eq": "yes"}
    before.refresh_from_db()
    old7 = next(i for i in before.definition["items"] if i["position"] == 7)
    assert old7["condition"] == {"q": "parenting_guidance", "eq": "yes"}
    assert AuditRecord.objects.filter(event_type="catalog.bundle_published").count() == 1


def test_a_broken_rule_is_reported_and_not_published(admin_client):
    onething = OneThing.objects.get(number=9)
    rule = ItemRule.objects.get(row__onething=onething, row__position=1)
    count = BundleVersion.objects.filter(onething=onething).count()
    response = admin_client.post(
        f"/admin/catalog/itemrule/{rule.pk}/change/",
        {
            "row": rule.row_id,
            "condition": "{}",
            "condition_text": "",
            "condition_text_en": "",
            "depends_on": "[4]",
            "waits_for": "[]",
            "department_question": "",
            "replaces_materials": "[]",
        },
        follow=True,
    )
    assert "cycle" in response.content.decode()
    assert BundleVersion.objects.filter(onething=onething).count() == count
