"""The public catalogue API: list and detail of one-things."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_list_onethings_anonymous(client, seeded):
    response = client.get("/api/v1/catalog/onethings/")
    assert response.status_code == 200
    data = response.json()
    assert len(data) == 13
    assert data[4] == {
        "number": 5,
        "name": "信用修复“一件事”",
        "name_en": "Credit repair",
        "stage": "operation",
        "audience": "enterprise",
        "county_lead": {
            "name": "县发展改革局",
            "name_en": "Yiyuan County Development and Reform Bureau",
        },
    }


def test_onething_detail_lists_rows_as_written(client, seeded):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/catalog/onethings/6/")
    assert response.status_code == 200
    assert len(queries) <= 4
    data = response.json()
    assert data["county_lead"]["name"] == "县发展改革局"
    assert len(data["items"]) == 18
    last = data["items"][-1]
    assert last["position"] == 18
    assert last["item"] == "电信监管领域无行政处罚信息核查"
    assert last["item_en"]
    assert last["county_responsible"]["name"] == "县信息通信发展办事处"
    first = data["items"][0]
    assert first["county_responsible_as_written"] == "县发展改革委"
    assert first["county_responsible"]["name"] == "县发展改革局"


def test_unknown_onething_is_404(client, seeded):
    assert client.get("/api/v1/catalog/onethings/99/").status_code == 404
