"""Machine clients: tokens from the real /oauth/token/ endpoint, scopes and units checked on
every call (403 in the API's one error shape), every call logged, secret rotation with a grace
period, the security scheme in the OpenAPI schema, and a department system completing a task."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from banhao.accounts.roles import Role
from banhao.archives.models import Licence
from banhao.audit.models import AuditRecord
from banhao.catalog import definitions
from banhao.clients import scopes, services
from banhao.clients.errors import ClientError
from banhao.clients.models import MachineCall
from banhao.onething import services as onething
from banhao.onething.models import Correction
from banhao.onething.states import TaskState
from banhao.onething.tests.factories import RESTAURANT_ANSWERS, ready_draft, restaurant_data
from banhao.testing import department, enterprise_archive, make_user

from .conftest import basic, department_client, get_token, token_of

pytestmark = pytest.mark.django_db
API = "/api/v1/machine/onething"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _licence_task(media):
    """A submitted restaurant application whose food business licence (row 2) is ready."""
    firm = enterprise_archive()
    user = make_user(Role.ENTERPRISE, credit_code=firm.credit_code)
    draft = ready_draft(
        user,
        number=3,
        answers={**RESTAURANT_ANSWERS, "outdoor_sign": "no", "assembly_venue": "no"},
        data=restaurant_data(firm.credit_code),
    )
    onething.submit(actor=user, application_id=draft.pk)
    check = draft.tasks.get(position=1)
    if check.state == TaskState.READY:
        checker = make_user(Role.DEPT_HANDLER, department=check.department)
        onething.approve(actor=checker, task_id=check.pk, result=firm.credit_code)
    task = draft.tasks.get(position=2)
    assert task.state == TaskState.READY
    return firm, task


def test_department_system_completes_a_task_end_to_end(seeded, media):
    firm, task = _licence_task(media)
    client, issued = department_client(task.department)
    # No CSRF token, a client that enforces CSRF: the bearer token is not a cookie.
    http = Client(enforce_csrf_checks=True)
    token = token_of(http, issued)

    queue = http.get(f"{API}/queue/", headers=bearer(token))
    assert queue.status_code == 200
    assert [row["id"] for row in queue.json()] == [task.pk]
    assert queue.json()[0]["reference"] == task.application.reference

    accepted = http.post(
        f"{API}/tasks/{task.pk}/accept/",
        {"revision": task.revision},
        content_type="application/json",
        headers=bearer(token),
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["state"] == TaskState.ACCEPTED
    approved = http.post(
        f"{API}/tasks/{task.pk}/approve/",
        {"result": "JY23703230012345"},
        content_type="application/json",
        headers=bearer(token),
    )
    assert approved.status_code == 200, approved.content
    assert approved.json()["result"] == "JY23703230012345"

    task.refresh_from_db()
    assert (task.state, task.handler_id) == (TaskState.APPROVED, client.service_user_id)
    # The result lands as the licence in the enterprise's archive, through the same event.
    licence = Licence.objects.get(enterprise=firm)
    assert licence.number == "JY23703230012345"
    # The services' audit names the client's service account; the calls log names the client.
    approval = AuditRecord.objects.get(event_type="onething.task_approved", object_id=str(task.pk))
    assert (approval.actor_id, approval.actor_label) == (
        client.service_user_id,
        "machine.food-system",
    )
    calls = list(MachineCall.objects.order_by("id").values_list("scope", "object_id", "outcome"))
    assert calls == [
        (scopes.QUEUE_READ, "", "allowed"),
        (scopes.TASK_DECIDE, str(task.pk), "allowed"),
        (scopes.TASK_DECIDE, str(task.pk), "allowed"),
    ]
    assert set(MachineCall.objects.values_list("client_id_used", flat=True)) == {issued.client_id}
    assert MachineCall.objects.filter(operation__endswith="/approve/").count() == 1


def test_reject_and_correction_through_the_services(seeded, media):
    _firm, task = _licence_task(media)
    _client, issued = department_client(task.department)
    http = Client()
    token = token_of(http, issued)
    empty = http.post(
        f"{API}/tasks/{task.pk}/reject/",
        {"reason": " "},
        content_type="application/json",
        headers=bearer(token),
    )
    # The service's own rule, in the one error shape.
    assert empty.status_code == 400
    assert empty.json()["code"] == "reason_required"
    app = task.application
    material = definitions.merged_materials(app.definition, [task.position])[0]["code"]
    asked = http.post(
        f"{API}/tasks/{task.pk}/correction/",
        {"message": "请补充材料", "materials": [material], "fields": []},
        content_type="application/json",
        headers=bearer(token),
    )
    assert asked.status_code == 200, asked.content
    assert asked.json()["state"] == TaskState.CORRECTION
    assert Correction.objects.get(task=task).materials == [material]
    # Waiting for the applicant: the service refuses a decision (409), nothing changes.
    rejected = http.post(
        f"{API}/tasks/{task.pk}/reject/",
        {"reason": "经营场所不符合要求"},
        content_type="application/json",
        headers=bearer(token),
    )
    assert rejected.status_code == 409
    task.refresh_from_db()
    assert task.state == TaskState.CORRECTION


def test_refusals_answer_in_the_one_error_shape(seeded, media):
    _firm, task = _licence_task(media)
    reader, read_only = department_client(
        task.department, code="queue-reader", scope_list=[scopes.QUEUE_READ]
    )
    other_dept = department("县公安局")
    _other, other_issued = department_client(other_dept, code="police-system")
    http = Client()

    # No token, a wrong token: 401.
    assert http.get(f"{API}/queue/").status_code == 401
    wrong = http.get(f"{API}/queue/", headers=bearer("not-a-token"))
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "not_authenticated"

    # A scope the client does not hold: 403, logged, nothing changed.
    token = token_of(http, read_only)
    refused = http.post(
        f"{API}/tasks/{task.pk}/accept/", {}, content_type="application/json", headers=bearer(token)
    )
    assert refused.status_code == 403
    assert set(refused.json()) == {"code", "message", "field", "problems"}
    assert refused.json()["code"] == "scope_missing"
    task.refresh_from_db()
    assert task.state == TaskState.READY
    assert MachineCall.objects.get(client=reader).outcome == "scope_missing"
    # The token endpoint will not issue a scope the client was not granted.
    beyond = get_token(http, read_only.client_id, read_only.client_secret, scopes.TASK_DECIDE)
    assert beyond.status_code == 400
    assert beyond.json()["error"] == "invalid_scope"

    # Another unit's task: 403 from the one-thing service's own unit check, nothing changed.
    other_token = token_of(http, other_issued)
    foreign = http.post(
        f"{API}/tasks/{task.pk}/approve/",
        {"result": "JY23703230012345"},
        content_type="application/json",
        headers=bearer(other_token),
    )
    assert foreign.status_code == 403
    assert foreign.json()["code"] == "not_yours"
    task.refresh_from_db()
    assert task.state == TaskState.READY
    assert http.get(f"{API}/queue/", headers=bearer(other_token)).json() == []
    missing = http.post(
        f"{API}/tasks/999999/accept/",
        {},
        content_type="application/json",
        headers=bearer(other_token),
    )
    assert missing.status_code == 404

    # The task's own unit may reject it.
    _own, own_issued = department_client(task.department, code="food-system")
    rejected = http.post(
        f"{API}/tasks/{task.pk}/reject/",
        {"reason": "经营场所不符合要求"},
        content_type="application/json",
        headers=bearer(token_of(http, own_issued)),
    )
    assert rejected.status_code == 200, rejected.content
    task.refresh_from_db()
    assert (task.state, task.reason) == (TaskState.REJECTED, "经营场所不符合要求")

    # A unit's operations need a client bound to a unit.
    with pytest.raises(ClientError) as exc:
        services.create_client(actor=None, code="no-unit", name="x", scopes=[scopes.QUEUE_READ])
    assert exc.value.code == "unit_required"
    # Session users cannot use the machine operations, nor a client the session ones.
    handler = make_user(Role.DEPT_HANDLER, department=task.department)
    staff = Client()
    staff.force_login(handler)
    assert staff.get("/api/v1/onething/queue/").status_code == 200
    assert staff.get(f"{API}/queue/").status_code == 401
    assert Client().get("/api/v1/onething/queue/", headers=bearer(token)).status_code == 401


def test_secret_rotation_keeps_the_old_secret_for_the_grace_period(db):
    client, first = department_client(department())
    http = Client()
    old_token = token_of(http, first)
    second = services.rotate_secret(actor=None, client=client, grace=dt.timedelta(hours=1))
    assert second.client_id != first.client_id
    assert second.valid_until is not None
    # Both work during the grace period.
    assert get_token(http, first.client_id, first.client_secret).status_code == 200
    new_token = token_of(http, second)
    assert http.get(f"{API}/queue/", headers=bearer(old_token)).status_code == 200
    # The secret is stored hashed: the plain text is nowhere in the database.
    from oauth2_provider.models import Application

    assert not Application.objects.filter(client_secret=second.client_secret).exists()
    # After it, the old credential and its tokens are gone; the new one works.
    later = timezone.now() + dt.timedelta(hours=2)
    assert services.expire_credentials(now=later) == 1
    assert get_token(http, first.client_id, first.client_secret).status_code == 401
    assert http.get(f"{API}/queue/", headers=bearer(old_token)).status_code == 401
    assert http.get(f"{API}/queue/", headers=bearer(new_token)).status_code == 200
    # Rotating with no grace stops the current secret at once.
    third = services.rotate_secret(actor=None, client=client, grace=dt.timedelta(0))
    assert get_token(http, second.client_id, second.client_secret).status_code == 401
    assert http.get(f"{API}/queue/", headers=bearer(new_token)).status_code == 401
    assert get_token(http, third.client_id, third.client_secret).status_code == 200
    events = AuditRecord.objects.filter(object_id=str(client.pk)).values_list(
        "event_type", flat=True
    )
    assert sorted(events) == [
        "clients.created",
        "clients.credential_expired",
        "clients.secret_rotated",
        "clients.secret_rotated",
    ]
    with pytest.raises(ClientError):
        services.rotate_secret(actor=None, client=client, grace=dt.timedelta(days=31))


def test_a_deactivated_client_gets_no_token_and_its_tokens_stop(db):
    client, issued = department_client(department())
    http = Client()
    token = token_of(http, issued)
    type(client).objects.filter(pk=client.pk).update(is_active=False)
    assert http.get(f"{API}/queue/", headers=bearer(token)).status_code == 401
    assert get_token(http, issued.client_id, issued.client_secret).status_code in (400, 401)


def test_revoke_and_introspect(db):
    _client, issued = department_client(department())
    http = Client()
    token = token_of(http, issued)
    seen = http.post(
        "/oauth/introspect/",
        {"token": token},
        headers={"Authorization": basic(issued.client_id, issued.client_secret)},
    )
    assert seen.status_code == 200
    assert seen.json()["active"] is True
    assert set(seen.json()["scope"].split()) == {scopes.QUEUE_READ, scopes.TASK_DECIDE}
    revoked = http.post(
        "/oauth/revoke/",
        {"token": token},
        headers={"Authorization": basic(issued.client_id, issued.client_secret)},
    )
    assert revoked.status_code == 200
    assert http.get(f"{API}/queue/", headers=bearer(token)).status_code == 401


def test_openapi_declares_the_client_credentials_scheme(db):
    schema = Client().get("/api/schema/").json()
    scheme = schema["components"]["securitySchemes"]["OAuth2ClientCredentials"]
    assert scheme["type"] == "oauth2"
    flow = scheme["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/oauth/token/"
    assert set(flow["scopes"]) == set(scopes.SCOPES)
    approve = schema["paths"]["/api/v1/machine/onething/tasks/{pk}/approve/"]["post"]
    assert approve["security"] == [{"OAuth2ClientCredentials": [scopes.TASK_DECIDE]}]
    assert "403" in approve["responses"] or 403 in approve["responses"]
    batches = schema["paths"]["/api/v1/machine/exchange/batches/"]["post"]
    assert batches["security"] == [{"OAuth2ClientCredentials": [scopes.EXCHANGE_IMPORT]}]
