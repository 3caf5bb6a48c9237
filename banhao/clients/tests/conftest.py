import base64

import pytest

from banhao.clients import scopes, services
from banhao.portal.seeding import run_all


@pytest.fixture
def seeded(db):
    return run_all()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def get_token(http, client_id: str, secret: str, scope: str | None = None):
    """A token from the real /oauth/token/ endpoint (client credentials, HTTP Basic)."""
    data = {"grant_type": "client_credentials"}
    if scope:
        data["scope"] = scope
    return http.post("/oauth/token/", data, headers={"Authorization": basic(client_id, secret)})


def token_of(http, issued, scope: str | None = None) -> str:
    response = get_token(http, issued.client_id, issued.client_secret, scope)
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def department_client(department, code="food-system", scope_list=None):
    return services.create_client(
        actor=None,
        code=code,
        name="食品经营许可系统",
        name_en="Food licensing system",
        scopes=scope_list or [scopes.QUEUE_READ, scopes.TASK_DECIDE],
        department=department,
    )
