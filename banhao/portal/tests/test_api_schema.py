import re

import pytest

pytestmark = pytest.mark.django_db


def test_openapi_schema(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/accounts/me/" in schema["paths"]
    assert "/api/v1/notifications/" in schema["paths"]
    assert "/api/v1/catalog/onethings/" in schema["paths"]


def test_docs_page_loads_nothing_from_elsewhere(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "swagger-ui" in body
    external = re.findall(r"""(?:src|href)=["'](https?:)?//""", body)
    assert external == []
