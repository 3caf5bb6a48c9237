"""Prefill (智能预填): the form opens with what the archive knows; the draft wins."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from banhao.accounts.roles import Role
from banhao.archives import selectors, services
from banhao.archives.models import LicenceSource, LicenceType
from banhao.catalog.models import OneThing
from banhao.onething import services as onething
from banhao.onething.tests.factories import NEWBORN_ANSWERS
from banhao.testing import PASSWORD, enterprise_archive, make_user, person_archive

from .conftest import id_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(seeded):
    mother = person_archive(
        id_of("19950312", female=True),
        name="李芳",
        phone="13905331234",
        address="沂源县南麻街道振兴路12号",
        hukou_address="沂源县南麻街道振兴路12号",
    )
    father = person_archive(id_of("19930805", female=False), name="王强", spouse=mother)
    mother.spouse = father
    mother.save(update_fields=["spouse"])
    services.issue_licence(
        actor=None,
        licence_type=LicenceType.objects.get(code="marriage_certificate"),
        number="J370323-2021-000123",
        issued_on=dt.date(2021, 5, 20),
        source=LicenceSource.IMPORT,
        source_ref="marriage:1",
        person=mother,
    )
    user = make_user(Role.CITIZEN, id_number=mother.id_number, full_name="李芳")
    return mother, father, user


def test_prefill_for_newborn_from_parents(family):
    mother, father, user = family
    keys = [
        "mother_name",
        "mother_id_number",
        "father_name",
        "father_id_number",
        "marriage_cert_number",
        "hukou_address",
        "contact_mobile",
        "child_name",
    ]
    values = selectors.prefill_for(user, keys)
    assert {k: v.value for k, v in values.items()} == {
        "mother_name": "李芳",
        "mother_id_number": mother.id_number,
        "father_name": "王强",
        "father_id_number": father.id_number,
        "marriage_cert_number": "J370323-2021-000123",
        "hukou_address": "沂源县南麻街道振兴路12号",
        "contact_mobile": "13905331234",
    }
    assert values["father_name"].source == "spouse"
    assert values["marriage_cert_number"].source == "licence"


def test_prefill_for_enterprise(seeded):
    firm = enterprise_archive(address="沂源县历山街道鲁山路88号")
    user = make_user(Role.ENTERPRISE, credit_code=firm.credit_code, phone="13805330002")
    values = selectors.prefill_for(
        user,
        ["enterprise_name", "credit_code", "legal_rep_name", "business_address", "contact_mobile"],
    )
    assert values["credit_code"].value == firm.credit_code
    assert values["business_address"].value == "沂源县历山街道鲁山路88号"
    assert values["contact_mobile"] == selectors.Prefill("13805330002", "account")


def test_newborn_form_opens_prefilled_and_marked(family, media):
    mother, father, user = family
    app = onething.start_application(actor=user, onething=OneThing.objects.get(number=9))
    onething.save_answers(actor=user, application_id=app.pk, answers=NEWBORN_ANSWERS)
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.login(username=user.username, password=PASSWORD)
    page = c.get(reverse("onething:form", args=[app.pk])).content.decode()
    assert f'value="{father.id_number}"' in page
    assert 'value="J370323-2021-000123"' in page
    assert 'data-testid="prefilled-father_id_number"' in page
    assert 'data-testid="prefilled-child_name"' not in page
    # The applicant corrects one value; the draft's value is shown, without the mark.
    onething.save_form(
        actor=user, application_id=app.pk, data={"hukou_address": "沂源县历山街道1号"}
    )
    page = c.get(reverse("onething:form", args=[app.pk])).content.decode()
    assert 'value="沂源县历山街道1号"' in page
    assert 'data-testid="prefilled-hukou_address"' not in page
    assert 'data-testid="prefilled-mother_name"' in page
