"""Licences land in the archive from approved tasks and imports; renewals supersede."""

import datetime as dt

import pytest
from django.utils import timezone

from banhao.accounts.roles import Role
from banhao.archives import services
from banhao.archives.errors import ArchiveError
from banhao.archives.models import Licence, LicenceSource, LicenceState, LicenceType, Person
from banhao.audit.models import AuditRecord
from banhao.onething import events
from banhao.onething import services as onething
from banhao.onething.states import ApplicationState, TaskState
from banhao.onething.tests.factories import (
    NEWBORN_RESULTS,
    RESTAURANT_ANSWERS,
    newborn_data,
    ready_draft,
    restaurant_data,
)
from banhao.testing import enterprise_archive, make_user, person_archive

from .conftest import approve_all, id_of

pytestmark = pytest.mark.django_db


def _food_type():
    return LicenceType.objects.get(code="food_business_licence")


def test_restaurant_result_lands_in_enterprise_archive_once(seeded, media):
    firm = enterprise_archive()
    user = make_user(Role.ENTERPRISE, credit_code=firm.credit_code)
    draft = ready_draft(
        user,
        number=3,
        answers={**RESTAURANT_ANSWERS, "outdoor_sign": "no", "assembly_venue": "no"},
        data=restaurant_data(firm.credit_code),
    )
    onething.submit(actor=user, application_id=draft.pk)
    approve_all(draft, {1: firm.credit_code, 2: "JY23703230012345"})
    licences = list(Licence.objects.filter(enterprise=firm).select_related("licence_type"))
    # The licence check (row 1) issues nothing; the food business licence (row 2) is filed.
    assert [lic.licence_type.code for lic in licences] == ["food_business_licence"]
    food = licences[0]
    assert food.number == "JY23703230012345"
    assert food.state == LicenceState.CURRENT
    assert food.source == LicenceSource.ONETHING
    assert food.application_id == draft.pk
    assert food.expires_on == timezone.localdate() + dt.timedelta(days=1826)
    # Filing again (a retried approval) records nothing new.
    task = draft.tasks.get(position=2)
    again = services.file_task_result(actor=None, application=draft, task=task)
    assert again.pk == food.pk
    assert Licence.objects.filter(enterprise=firm).count() == 1
    assert AuditRecord.objects.filter(event_type="archives.licence_issued").count() == 1


def test_renewal_supersedes_the_current_licence(seeded):
    firm = enterprise_archive()
    old = services.issue_licence(
        actor=None,
        licence_type=_food_type(),
        number="JY23703230000001",
        issued_on=dt.date(2021, 3, 1),
        source=LicenceSource.IMPORT,
        source_ref="food:1",
        enterprise=firm,
    )
    new = services.issue_licence(
        actor=None,
        licence_type=_food_type(),
        number="JY23703230000002",
        issued_on=dt.date(2026, 2, 1),
        source=LicenceSource.MANUAL,
        enterprise=firm,
    )
    old.refresh_from_db()
    assert old.state == LicenceState.SUPERSEDED
    assert old.superseded_by_id == new.pk
    assert new.state == LicenceState.CURRENT
    record = (
        AuditRecord.objects.filter(event_type="archives.licence_issued").order_by("-id").first()
    )
    assert record.after["superseded"] == ["JY23703230000001"]


def test_licence_refuses_bad_input(seeded):
    firm = enterprise_archive()
    with pytest.raises(ArchiveError) as exc:
        services.issue_licence(
            actor=None,
            licence_type=_food_type(),
            number="JY1",
            issued_on=dt.date(2024, 1, 2),
            expires_on=dt.date(2024, 1, 1),
            source=LicenceSource.MANUAL,
            enterprise=firm,
        )
    assert exc.value.code == "expiry_before_issue"
    with pytest.raises(ArchiveError) as exc:
        services.issue_licence(
            actor=None,
            licence_type=_food_type(),
            number=" ",
            issued_on=dt.date(2024, 1, 2),
            source=LicenceSource.MANUAL,
            enterprise=firm,
        )
    assert exc.value.code == "number_required"
    assert not Licence.objects.exists()


def test_newborn_licences_land_in_the_childs_new_archive(seeded, media):
    mother = person_archive(id_of("19950312", female=True), name="李芳")
    citizen = make_user(Role.CITIZEN, id_number=mother.id_number, full_name="李芳")
    data = {**newborn_data(), "mother_id_number": mother.id_number}
    draft = ready_draft(citizen, number=9, data=data)
    onething.submit(actor=citizen, application_id=draft.pk)
    approve_all(draft, NEWBORN_RESULTS)
    child = Person.objects.get(id_number=NEWBORN_RESULTS[3])
    assert child.name == "王小宝"
    assert child.mother_id == mother.pk
    assert child.township_id == mother.township_id
    codes = set(child.licences.values_list("licence_type__code", flat=True))
    assert codes == {"birth_certificate", "vaccination_certificate", "birth_registration"}
    assert not Licence.objects.filter(person=mother).exists()


def test_applicant_without_archive_keeps_result_on_application(seeded, media):
    citizen = make_user(Role.CITIZEN)
    draft = ready_draft(citizen, number=9)
    onething.submit(actor=citizen, application_id=draft.pk)
    approve_all(draft, NEWBORN_RESULTS)
    assert not Licence.objects.exists()


def _restaurant_awaiting_licence(user):
    """A submitted restaurant application whose food business licence (row 2) is ready."""
    draft = ready_draft(
        user,
        number=3,
        answers={**RESTAURANT_ANSWERS, "outdoor_sign": "no", "assembly_venue": "no"},
        data=restaurant_data(user.credit_code),
    )
    onething.submit(actor=user, application_id=draft.pk)
    check = draft.tasks.get(position=1)  # the licence check: issues nothing
    if check.state == TaskState.READY:
        checker = make_user(Role.DEPT_HANDLER, department=check.department)
        onething.approve(actor=checker, task_id=check.pk, result=user.credit_code)
    task = draft.tasks.get(position=2)
    assert task.state == TaskState.READY
    handler = make_user(Role.DEPT_HANDLER, department=task.department)
    return draft, task, handler


def test_approval_files_the_licence_through_the_event(seeded, media):
    firm = enterprise_archive()
    user = make_user(Role.ENTERPRISE, credit_code=firm.credit_code)
    draft, task, handler = _restaurant_awaiting_licence(user)
    # The archives subscribed in ArchivesConfig.ready(): one-thing calls no archive service.
    events.disconnect_task_approved(services.file_approved_task)
    try:
        onething.approve(actor=handler, task_id=task.pk, result="JY23703230012345")
        assert not Licence.objects.filter(enterprise=firm).exists()
    finally:
        events.on_task_approved(services.file_approved_task)
    # Filed by the receiver when it is subscribed: the next approval of the same kind.
    draft, task, handler = _restaurant_awaiting_licence(user)
    onething.approve(actor=handler, task_id=task.pk, result="JY23703230099999")
    licence = Licence.objects.get(enterprise=firm)
    assert (licence.number, licence.application_id) == ("JY23703230099999", draft.pk)
    assert licence.source_ref == f"task:{task.pk}"
    issued = AuditRecord.objects.get(event_type="archives.licence_issued")
    assert (issued.actor_id, issued.object_id) == (handler.pk, str(licence.pk))


def test_a_refused_filing_rolls_the_approval_back(seeded, media, monkeypatch):
    firm = enterprise_archive()
    user = make_user(Role.ENTERPRISE, credit_code=firm.credit_code)
    draft, task, handler = _restaurant_awaiting_licence(user)

    def refuse(**kwargs):
        raise ArchiveError("number_required", "A licence needs a number.")

    monkeypatch.setattr(services, "issue_licence", refuse)
    with pytest.raises(ArchiveError):
        onething.approve(actor=handler, task_id=task.pk, result="JY23703230012345")
    task.refresh_from_db()
    draft.refresh_from_db()
    assert (task.state, task.result) == (TaskState.READY, "")
    assert draft.state == ApplicationState.IN_PROGRESS
    assert not AuditRecord.objects.filter(
        event_type="onething.task_approved", object_id=str(task.pk)
    ).exists()
    assert not Licence.objects.exists()
