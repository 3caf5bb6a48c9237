import pytest
from django.urls import reverse

from banhao.accounts.roles import Role
from banhao.audit import services
from banhao.audit.context import RequestContext, bind
from banhao.audit.models import AuditAction, AuditRecord
from banhao.testing import make_user

pytestmark = pytest.mark.django_db


def test_records_cannot_be_changed_or_deleted():
    rec = services.record(
        actor=None, action=AuditAction.UPDATE, event_type="test.event", summary="x"
    )
    rec.summary = "tampered"
    with pytest.raises(PermissionError):
        rec.save()
    with pytest.raises(PermissionError):
        rec.delete()
    with pytest.raises(PermissionError):
        AuditRecord.objects.filter(pk=rec.pk).update(summary="tampered")
    with pytest.raises(PermissionError):
        AuditRecord.objects.all().delete()
    assert AuditRecord.objects.get(pk=rec.pk).summary == "x"


def test_record_takes_who_and_where_from_context():
    clerk = make_user(Role.WINDOW_CLERK, "clerk9")
    with bind(RequestContext(ip_address="192.0.2.7", user_agent="pytest")):
        rec = services.record(
            actor=clerk, action=AuditAction.CREATE, event_type="thing.created", obj=clerk
        )
    assert (rec.actor_label, rec.actor_role, rec.actor_unit) == (
        "clerk9",
        "window_clerk",
        "沂源县政务服务中心",
    )
    assert (rec.ip_address, rec.user_agent, rec.object_type) == (
        "192.0.2.7",
        "pytest",
        "accounts.user",
    )


def test_record_is_stored_as_the_orm_reads_it():
    """record() writes through the lean insert: what comes back equals what the ORM reads."""
    clerk = make_user(Role.WINDOW_CLERK, "clerk8")
    with bind(RequestContext(ip_address="2001:db8::1", user_agent="pytest")):
        rec = services.record(
            actor=clerk,
            action=AuditAction.TRANSITION,
            event_type="thing.moved",
            obj=clerk,
            summary="长" * 400,
            subject_key="370323199503120016",
            before={"state": "a"},
            after={"state": "b", "n": [1, "二"]},
        )
    stored = AuditRecord.objects.get(pk=rec.pk)
    for field in AuditRecord._meta.concrete_fields:
        assert getattr(stored, field.attname) == getattr(rec, field.attname), field.name
    assert stored.at is not None and stored.actor == clerk and len(stored.summary) == 300
    assert stored.extra == {} and stored.after == {"state": "b", "n": [1, "二"]}


def test_personal_data_views_recorded_for_staff_only():
    citizen = make_user(Role.CITIZEN)
    handler = make_user(Role.DEPT_HANDLER)
    assert (
        services.record_personal_data_view(
            actor=citizen, subject_key=citizen.id_number, fields=["id_number"]
        )
        is None
    )
    rec = services.record_personal_data_view(
        actor=handler,
        subject_key=citizen.id_number,
        obj=citizen,
        fields=["id_number", "phone"],
        purpose="回访",
    )
    assert rec.action == AuditAction.VIEW_PERSONAL_DATA
    assert rec.extra == {"fields": ["id_number", "phone"], "purpose": "回访"}


def test_holder_sees_who_viewed_their_data(client):
    citizen = make_user(Role.CITIZEN)
    handler = make_user(Role.DEPT_HANDLER)
    services.record_personal_data_view(
        actor=handler, subject_key=citizen.id_number, fields=["phone"], purpose="回访"
    )
    client.force_login(citizen)
    body = client.get(reverse("audit:my_data_views")).content.decode()
    assert "县行政审批服务局" in body and "回访" in body


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (None, 302),
        (Role.CITIZEN, 403),
        (Role.DEPT_HEAD, 403),
        (Role.COUNTY_LEADER, 403),
        (Role.ADMIN, 200),
    ],
)
def test_audit_search_only_for_administrators(client, role, status):
    if role:
        client.force_login(make_user(role))
    assert client.get(reverse("audit:search")).status_code == status


def test_audit_search_filters(client):
    admin = make_user(Role.ADMIN, "root1")
    services.record(
        actor=admin, action=AuditAction.UPDATE, event_type="bundle.changed", summary="新生儿"
    )
    services.record(
        actor=admin, action=AuditAction.CREATE, event_type="ticket.created", summary="噪音"
    )
    client.force_login(admin)
    body = client.get(reverse("audit:search"), {"q": "bundle"}).content.decode()
    assert "bundle.changed" in body and "ticket.created" not in body
    body = client.get(
        reverse("audit:search"), {"action": "create", "actor": "root"}
    ).content.decode()
    assert "ticket.created" in body and "bundle.changed" not in body
