"""Who sees which archive: holder, other citizens, staff with and without a purpose."""

import pytest
from django.test import Client
from django.urls import reverse

from banhao.accounts.roles import Role
from banhao.archives import services
from banhao.archives.errors import ArchiveError
from banhao.archives.models import ArchiveAccess, PurposeKind
from banhao.audit.models import AuditRecord
from banhao.onething import services as onething
from banhao.onething.tests.factories import ready_draft
from banhao.testing import PASSWORD, enterprise_archive, make_user, person_archive

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert c.login(username=user.username, password=PASSWORD)
    return c


@pytest.fixture
def holder(seeded):
    person = person_archive(name="张明", phone="13805330001")
    user = make_user(Role.CITIZEN, id_number=person.id_number, full_name="张明")
    return person, user


def test_holder_sees_own_archive_and_who_looked(holder):
    person, user = holder
    staff = make_user(Role.COUNTY_LEADER)
    services.record_access_purpose(
        actor=staff,
        kind=PurposeKind.OTHER,
        reference="county inspection of archives",
        person=person,
    )
    assert client_for(staff).get(reverse("archives:person", args=[person.pk])).status_code == 200
    response = client_for(user).get(reverse("archives:mine"))
    assert response.status_code == 200
    page = response.content.decode()
    assert person.id_number in page
    assert "county inspection of archives" in page  # who looked, and why
    # The holder's own archive page by id redirects to "My archive".
    own = client_for(user).get(reverse("archives:person", args=[person.pk]))
    assert own.status_code == 302 and own["Location"] == reverse("archives:mine")


def test_other_citizen_and_enterprise_get_404(holder):
    person, _user = holder
    other = make_user(Role.CITIZEN)
    firm = enterprise_archive()
    firm_user = make_user(Role.ENTERPRISE, credit_code=firm.credit_code)
    for user in (other, firm_user):
        c = client_for(user)
        assert c.get(reverse("archives:person", args=[person.pk])).status_code == 404
        assert c.get(reverse("archives:purpose", args=["persons", person.pk])).status_code == 404
        assert c.get(reverse("archives:search")).status_code == 404
    assert client_for(other).get(reverse("archives:enterprise", args=[firm.pk])).status_code == 404


def test_anonymous_is_sent_to_login(holder):
    person, _user = holder
    response = Client().get(reverse("archives:person", args=[person.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_staff_without_purpose_gets_the_purpose_form(holder):
    person, _user = holder
    clerk = make_user(Role.DEPT_HANDLER, department=_dept())
    c = client_for(clerk)
    response = c.get(reverse("archives:person", args=[person.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("archives:purpose", args=["persons", person.pk])
    form = c.get(response["Location"])
    assert form.status_code == 200
    assert person.id_number not in form.content.decode()
    assert not AuditRecord.objects.filter(action="view_personal").exists()
    # Too short a purpose is refused with a specific message, and opens nothing.
    bad = c.post(response["Location"], {"kind": "other", "reference": "look"})
    assert bad.status_code == 400
    assert "at least 8 characters" in bad.content.decode()
    assert not ArchiveAccess.objects.exists()


def _dept():
    from banhao.org.models import Department

    return Department.objects.get(name="县公安局", level="county")


def test_staff_with_purpose_sees_masked_archive_and_is_audited(holder):
    person, _user = holder
    handler = make_user(Role.DEPT_HANDLER, department=_dept())
    c = client_for(handler)
    response = c.post(
        reverse("archives:purpose", args=["persons", person.pk]),
        {"kind": "other", "reference": "checking a residence complaint"},
    )
    assert response.status_code == 302
    page = c.get(response["Location"])
    assert page.status_code == 200
    content = page.content.decode()
    assert person.id_number not in content  # masked: the purpose does not need it
    assert person.id_number[:3] in content
    views = AuditRecord.objects.filter(action="view_personal", subject_key=person.id_number)
    assert views.count() == 1
    assert views.get().extra["purpose"].endswith("checking a residence complaint")


def test_application_purpose_reveals_identifiers_for_its_unit_only(holder, media):
    person, user = holder
    draft = ready_draft(user, number=9)
    onething.submit(actor=user, application_id=draft.pk)
    police = make_user(Role.DEPT_HANDLER, department=_dept())  # handles the registration row
    access = services.record_access_purpose(
        actor=police, kind=PurposeKind.APPLICATION, reference=draft.reference, person=person
    )
    assert access.reveals_identifiers
    page = client_for(police).get(reverse("archives:person", args=[person.pk]))
    assert person.id_number in page.content.decode()
    from banhao.org.models import Department

    stranger = make_user(
        Role.DEPT_HANDLER, department=Department.objects.get(name="县民政局", level="county")
    )
    with pytest.raises(ArchiveError) as exc:
        services.record_access_purpose(
            actor=stranger, kind=PurposeKind.APPLICATION, reference=draft.reference, person=person
        )
    assert exc.value.code == "not_your_application"
    other = person_archive()
    with pytest.raises(ArchiveError) as exc:
        services.record_access_purpose(
            actor=police, kind=PurposeKind.APPLICATION, reference=draft.reference, person=other
        )
    assert exc.value.code == "no_such_application"


def test_staff_search_finds_by_exact_identifier(holder):
    person, _user = holder
    c = client_for(make_user(Role.COUNTY_LEADER))
    found = c.get(reverse("archives:search"), {"q": person.id_number})
    assert found.status_code == 302
    assert found["Location"] == reverse("archives:person", args=[person.pk])
    missing = c.get(reverse("archives:search"), {"q": "370323199001011234"})
    assert "No archive has this ID number" in missing.content.decode()


def test_api_returns_only_the_callers_archive(holder):
    person, user = holder
    response = client_for(user).get("/api/v1/archives/mine")
    assert response.status_code == 200
    assert response.json()["identifier"] == person.id_number
    nobody = make_user(Role.CITIZEN)
    assert client_for(nobody).get("/api/v1/archives/mine").status_code == 404
    staff = make_user(Role.COUNTY_LEADER)
    assert client_for(staff).get("/api/v1/archives/mine").status_code == 404
