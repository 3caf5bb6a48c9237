"""Every refusal of the API answers in one shape, declared in the schema."""

import json

import pytest

from banhao.accounts.roles import Role
from banhao.testing import make_user

pytestmark = pytest.mark.django_db

SHAPE = {"code", "message", "field", "problems"}


def test_401_404_and_422_share_the_shape(client):
    anonymous = client.get("/api/v1/accounts/me/")
    assert anonymous.status_code == 401
    assert set(anonymous.json()) == SHAPE and anonymous.json()["code"] == "not_authenticated"
    missing = client.get("/api/v1/catalog/onethings/99/", HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 404
    assert missing.json() == {
        "code": "not_found",
        "message": "Not found.",
        "field": None,
        "problems": [],
    }
    client.force_login(make_user(Role.CITIZEN))
    invalid = client.post(
        "/api/v1/hotline/tickets/", json.dumps({"description": 5}), content_type="application/json"
    )
    assert invalid.status_code == 422
    body = invalid.json()
    assert body["code"] == "invalid_input" and body["field"] == "description"
    assert [p["field"] for p in body["problems"]] == ["description"]


def test_a_domain_error_answers_with_its_code_field_and_status_in_the_request_language(client):
    client.force_login(make_user(Role.CITIZEN))
    post = lambda lang: client.post(  # noqa: E731
        "/api/v1/hotline/tickets/",
        json.dumps({"description": " "}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=lang,
    )
    english, chinese = post("en"), post("zh-hans")
    assert english.status_code == chinese.status_code == 400
    assert english.json() == {
        "code": "description_required",
        "message": "Describe the matter.",
        "field": "description",
        "problems": [],
    }
    assert chinese.json()["code"] == "description_required"
    assert chinese.json()["message"] != "Describe the matter."
    staff = make_user(Role.DEPT_HANDLER)
    client.force_login(staff)
    refused = client.post(
        "/api/v1/hotline/tickets/",
        json.dumps({"description": "x"}),
        content_type="application/json",
    )
    assert refused.status_code == 403 and refused.json()["code"] == "not_requester"


def test_every_operation_declares_the_error_shape(client):
    schema = client.get("/api/schema/").json()
    components = schema["components"]["schemas"]
    assert set(components["ErrorOut"]["properties"]) == SHAPE
    assert set(components["ErrorProblem"]["properties"]) == {"field", "code", "message"}
    assert "target" in components["Problem"]["properties"]  # pre-review's own, left alone
    ref = {"$ref": "#/components/schemas/ErrorOut"}
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert len(operations) > 30
    for op in operations:
        for status in ("400", "401", "403", "404", "409", "422"):
            assert op["responses"][status]["content"]["application/json"]["schema"] == ref
