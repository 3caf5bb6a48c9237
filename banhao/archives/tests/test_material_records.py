"""Once only (免提交, ADR 0019): materials a government record holds are taken from there with
the applicant's consent, through one-thing's material-record hook and the archives' provider."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from banhao.accounts.roles import Role
from banhao.archives import selectors as archive_selectors
from banhao.archives import services
from banhao.archives.models import LicenceSource, LicenceType
from banhao.audit.models import AuditRecord
from banhao.catalog import definitions
from banhao.catalog.models import OneThing
from banhao.core import masking
from banhao.onething import selectors
from banhao.onething import services as onething
from banhao.onething.errors import OneThingError, PreReviewFailed
from banhao.onething.indicators import onething_materials_from_records
from banhao.onething.models import Attachment, MaterialRecord, RecordConsent
from banhao.onething.services import ApplicantDetails
from banhao.onething.tests.factories import NEWBORN_ANSWERS, newborn_data
from banhao.org.models import Department, Venue
from banhao.testing import (
    PASSWORD,
    enterprise_archive,
    make_user,
    person_archive,
    valid_credit_code,
)

from .conftest import id_of

pytestmark = pytest.mark.django_db

HELD = {"mother_id_card", "father_id_card", "marriage_certificate", "household_register"}
REMAINING = {"child_photo", "maternal_health_handbook", "maternity_invoices", "bank_card"}
MARRIAGE_NUMBER = "J370323-2021-000123"


@pytest.fixture
def family(seeded):
    """A verified mother with an archive, her husband's archive and their marriage licence
    (filed on the husband only: the couple's licence is found on either)."""
    mother = person_archive(
        id_of("19950312", female=True),
        name="李芳",
        hukou_address="沂源县南麻街道振兴路12号",
    )
    father = person_archive(id_of("19930805", female=False), name="王强", spouse=mother)
    mother.spouse = father
    mother.save(update_fields=["spouse"])
    services.issue_licence(
        actor=None,
        licence_type=LicenceType.objects.get(code="marriage_certificate"),
        number=MARRIAGE_NUMBER,
        issued_on=dt.date(2021, 5, 20),
        source=LicenceSource.IMPORT,
        source_ref="marriage:1",
        person=father,
    )
    user = make_user(Role.CITIZEN, id_number=mother.id_number, full_name="李芳")
    return mother, father, user


def newborn(user):
    app = onething.start_application(actor=user, onething=OneThing.objects.get(number=9))
    onething.save_answers(actor=user, application_id=app.pk, answers=NEWBORN_ANSWERS)
    onething.save_form(actor=user, application_id=app.pk, data=newborn_data())
    app.refresh_from_db()
    return app


def upload(user, app, codes):
    for code in sorted(codes):
        onething.attach_material(
            actor=user,
            application_id=app.pk,
            code=code,
            upload=SimpleUploadedFile(f"{code}.jpg", b"\xff\xd8\xff" + b"0" * 500, "image/jpeg"),
        )


def missing(app) -> set[str]:
    app.refresh_from_db()
    return {
        p["target"].removeprefix("material:")
        for p in onething.review(app)
        if p["code"] == "material_missing"
    }


def records_box(page: str) -> str:
    found = re.search(r'<div class="records" data-testid="records".*?</div>', page, re.S)
    assert found, "no records box"
    return found.group(0)


def task_record(page: str, code: str) -> str:
    found = re.search(rf'<span data-testid="task-record-{code}">.*?</small></span>', page, re.S)
    assert found, f"no record row for {code}"
    return found.group(0)


def test_the_newborn_bundle_maps_four_of_its_eight_uploads_to_records(seeded):
    definition = OneThing.objects.get(number=9).versions.order_by("-number").first().definition
    merged = definitions.merged_materials(definition, [i["position"] for i in definition["items"]])
    assert {m["code"] for m in merged} == HELD | REMAINING
    held = {m["code"]: m["record"] for m in definitions.record_materials(merged)}
    assert held == {
        "mother_id_card": {"kind": "identity", "holder": "mother"},
        "father_id_card": {"kind": "identity", "holder": "father"},
        "marriage_certificate": {
            "kind": "licence",
            "holder": "couple",
            "licence_type": "marriage_certificate",
        },
        "household_register": {"kind": "household", "holder": "applicant"},
    }
    figures = definitions.reform_figures(definition)
    assert figures["bundled"]["materials"] == 8
    assert figures["records_possible"] == 4


def test_records_of_the_mother_her_husband_and_their_licence_are_found(family):
    mother, father, user = family
    app = newborn(user)
    offer = selectors.records_on_offer(user, app)
    assert set(offer) == HELD
    assert offer["mother_id_card"].reference == f"archives.person:{mother.pk}"
    assert offer["mother_id_card"].number == mother.id_number
    assert offer["father_id_card"].reference == f"archives.person:{father.pk}"
    assert offer["household_register"].reference == f"archives.person:{mother.pk}"
    licence = father.licences.get()
    assert offer["marriage_certificate"].reference == f"archives.licence:{licence.pk}"
    assert offer["marriage_certificate"].number == MARRIAGE_NUMBER
    assert offer["marriage_certificate"].label == "结婚证"
    assert offer["marriage_certificate"].issuer == "县民政局"


def test_consent_takes_four_materials_from_records_and_counts_them(family, media):
    mother, father, user = family
    app = newborn(user)
    assert missing(app) == HELD | REMAINING
    consent = onething.use_records(actor=user, application_id=app.pk, consent=True)
    assert consent.granted and consent.given_by == user and consent.given_at is not None
    assert {r["code"] for r in consent.records} == HELD
    uses = {r.code: r for r in MaterialRecord.objects.filter(application=app)}
    assert set(uses) == HELD
    assert uses["marriage_certificate"].number == MARRIAGE_NUMBER
    assert uses["father_id_card"].holder == "father"
    assert missing(app) == REMAINING  # only the four no record holds are asked for
    audit = AuditRecord.objects.get(event_type="onething.records_consented")
    assert audit.after["consent"] is True and len(audit.after["records"]) == 4

    upload(user, app, REMAINING)
    submitted = onething.submit(actor=user, application_id=app.pk)
    assert submitted.materials_needed == 8
    assert submitted.materials_from_records == 4
    assert Attachment.objects.filter(application=app).count() == 4
    figures = definitions.reform_figures(
        submitted.definition, submitted.positions, from_records=uses
    )
    assert figures["bundled"]["materials"] == 4
    assert figures["records"] == 4
    lead = OneThing.objects.get(number=9).county_lead_id
    today = timezone.localdate(submitted.submitted_at)
    value = onething_materials_from_records([lead], today, today)[lead]
    assert value.value == 50.0
    assert value.inputs == {
        "applications": 1,
        "materials_needed": 8,
        "materials_from_records": 4,
    }


def test_without_consent_every_upload_is_asked_and_withdrawal_restores_them(family, media):
    mother, father, user = family
    app = newborn(user)
    upload(user, app, REMAINING)
    with pytest.raises(PreReviewFailed):
        onething.submit(actor=user, application_id=app.pk)
    assert missing(app) == HELD
    onething.use_records(actor=user, application_id=app.pk, consent=True)
    assert missing(app) == set()
    withdrawn = onething.use_records(actor=user, application_id=app.pk, consent=False)
    assert not withdrawn.granted and withdrawn.records == []
    assert not MaterialRecord.objects.filter(application=app).exists()
    assert missing(app) == HELD
    assert list(
        RecordConsent.objects.filter(application=app).values_list("granted", flat=True)
    ) == [True, False]
    upload(user, app, HELD)
    submitted = onething.submit(actor=user, application_id=app.pk)
    assert (submitted.materials_needed, submitted.materials_from_records) == (8, 0)


def test_consent_replaces_an_upload_and_a_new_upload_replaces_the_record(family, media):
    mother, father, user = family
    app = newborn(user)
    upload(user, app, {"marriage_certificate"})
    onething.use_records(actor=user, application_id=app.pk, consent=True)
    assert not Attachment.objects.filter(application=app).exists()
    upload(user, app, {"household_register"})
    assert set(
        MaterialRecord.objects.filter(application=app).values_list("code", flat=True)
    ) == HELD - {"household_register"}
    assert missing(app) == REMAINING


def test_an_unverified_account_gets_no_records_and_a_hint(seeded, media):
    mother = person_archive(id_of("19950312", female=True), hukou_address="沂源县南麻街道1号")
    user = make_user(Role.CITIZEN, id_number=mother.id_number, verified=False)
    app = newborn(user)
    assert selectors.records_on_offer(user, app) == {}
    with pytest.raises(OneThingError) as refused:
        onething.use_records(actor=user, application_id=app.pk, consent=True)
    assert refused.value.code == "no_records"
    assert not RecordConsent.objects.exists()
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.login(username=user.username, password=PASSWORD)
    page = c.get(reverse("onething:form", args=[app.pk])).content.decode()
    assert 'data-testid="records-verify-hint"' in page
    assert 'data-testid="records"' not in page
    assert page.count('type="file"') == 8


def test_only_the_applicant_consents_and_a_clerk_sees_no_records(family, media):
    mother, father, user = family
    clerk = make_user(Role.WINDOW_CLERK, venue=Venue.objects.order_by("id").first())
    app = onething.start_application(
        actor=clerk,
        onething=OneThing.objects.get(number=9),
        applicant=ApplicantDetails(name="李芳", identifier=mother.id_number),
    )
    onething.save_answers(actor=clerk, application_id=app.pk, answers=NEWBORN_ANSWERS)
    app.refresh_from_db()
    assert app.applicant == user  # linked so she follows it online
    assert selectors.records_on_offer(clerk, app) == {}
    with pytest.raises(OneThingError) as refused:
        onething.use_records(actor=clerk, application_id=app.pk, consent=True)
    assert refused.value.code == "records_own_only"
    # Another verified citizen's application never offers the mother's records.
    other = make_user(Role.CITIZEN)
    assert selectors.records_on_offer(user, newborn(other)) == {}


def test_without_an_archive_the_verified_identity_is_the_applicants_id_card(seeded):
    user = make_user(Role.CITIZEN, id_number=id_of("19900101", female=False))
    app = newborn(user)
    offer = selectors.records_on_offer(user, app)
    assert set(offer) == {"father_id_card"}
    assert offer["father_id_card"].reference == "accounts.identity"
    assert offer["father_id_card"].issuer == "实名认证"


def test_a_childs_and_an_enterprises_records(seeded):
    parent = person_archive(id_of("19850101", female=True), hukou_address="沂源县南麻街道2号")
    child = person_archive(
        id_of("20180101", female=False), mother=parent, hukou_address="沂源县南麻街道2号"
    )
    stranger = person_archive(id_of("20180202", female=False), hukou_address="别处")
    user = make_user(Role.CITIZEN, id_number=parent.id_number)
    app = newborn(user)
    spec = {"kind": "household", "holder": "child", "holder_field": "student_id_number"}
    app.data = {"student_id_number": child.id_number}
    found = archive_selectors.material_records(user, {"x": spec}, app)
    assert found["x"].reference == f"archives.person:{child.pk}"
    app.data = {"student_id_number": stranger.id_number}  # not her child: nothing
    assert archive_selectors.material_records(user, {"x": spec}, app) == {}

    firm = enterprise_archive(valid_credit_code())
    services.issue_licence(
        actor=None,
        licence_type=LicenceType.objects.get(code="business_licence"),
        number=firm.credit_code,
        issued_on=dt.date(2020, 1, 1),
        source=LicenceSource.IMPORT,
        source_ref="bl:1",
        enterprise=firm,
    )
    owner = make_user(Role.ENTERPRISE, credit_code=firm.credit_code, organisation_name=firm.name)
    firm_app = onething.start_application(actor=owner, onething=OneThing.objects.get(number=3))
    spec = {"kind": "licence", "holder": "enterprise", "licence_type": "business_licence"}
    found = archive_selectors.material_records(owner, {"business_licence": spec}, firm_app)
    assert found["business_licence"].number == firm.credit_code
    assert found["business_licence"].kind == "licence"


def test_the_form_offers_one_consent_and_then_asks_four_uploads(family, media):
    mother, father, user = family
    app = newborn(user)
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.login(username=user.username, password=PASSWORD)
    url = reverse("onething:form", args=[app.pk])
    page = c.get(url).content.decode()
    box = records_box(page)
    assert "J3*************0123" in box  # masked in the box (the form's own fields are hers)
    assert MARRIAGE_NUMBER not in box and father.id_number not in box
    assert masking.mask_id_number(father.id_number) in box
    assert page.count('type="file"') == 8  # nothing taken before consent
    response = c.post(url, {"records_shown": "1", "use_records": "1", "action": "save"})
    assert response.status_code == 302
    page = c.get(url).content.decode()
    assert page.count('type="file"') == 4
    for code in HELD:
        assert f'data-testid="from-record-{code}"' in page
    assert 'data-testid="records-consent"' in page
    # Unticking withdraws the consent: the uploads are asked again.
    c.post(url, {"records_shown": "1", "records_used": "1", "action": "save"})
    assert c.get(url).content.decode().count('type="file"') == 8


def test_the_handler_sees_the_reference_masked_and_reveals_it_audited(family, media):
    mother, father, user = family
    app = newborn(user)
    onething.use_records(actor=user, application_id=app.pk, consent=True)
    upload(user, app, REMAINING)
    onething.submit(actor=user, application_id=app.pk)
    police = make_user(
        Role.DEPT_HANDLER, department=Department.objects.get(name="县公安局", level="county")
    )
    task = app.tasks.get(position=3)  # household registration: the four held materials
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.login(username=police.username, password=PASSWORD)
    url = reverse("onething:task", args=[task.pk])
    page = c.get(url).content.decode()
    rows = {code: task_record(page, code) for code in HELD}
    assert "J3*************0123" in rows["marriage_certificate"]
    assert MARRIAGE_NUMBER not in rows["marriage_certificate"]
    assert masking.mask_id_number(father.id_number) in rows["father_id_card"]
    assert father.id_number not in page  # the form's ID numbers are masked too
    views = AuditRecord.objects.filter(event_type="personal_data.viewed", actor=police)
    assert not views.exists()
    page = c.get(url + "?reveal=1").content.decode()
    assert MARRIAGE_NUMBER in task_record(page, "marriage_certificate")
    assert father.id_number in task_record(page, "father_id_card")
    view = views.get()
    assert "material_records" in view.extra["fields"]
