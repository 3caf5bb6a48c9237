"""Open data: CSV and GeoJSON export, CSV import with an error per row (all or nothing)."""

import csv
import io

import pytest

from banhao.accounts.roles import Role
from banhao.payments.generator import load_demo_register
from banhao.payments.models import Place
from banhao.testing import PASSWORD, make_user

from . import factories

pytestmark = pytest.mark.django_db


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _upload(client, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/pay/staff/import/",
        {"file": SimpleUploadedFile("places.csv", content, content_type="text/csv")},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_export_csv_and_geojson_round_trip(seeded, client):
    load_demo_register()
    response = client.get("/pay/open-data/places.csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == Place.objects.count()
    boc = next(r for r in rows if r["code"] == "DEMO-01-BR-boc")
    assert (boc["kind"], boc["bank"], boc["currency_exchange"], boc["capabilities_as_of"]) == (
        "bank_branch",
        "boc",
        "yes",
        "2024-09-30",
    )
    assert boc["is_demo"] == "yes"
    geo = client.get("/pay/open-data/places.geojson").json()
    feature = next(f for f in geo["features"] if f["id"] == "DEMO-01-BR-boc")
    place = Place.objects.get(code="DEMO-01-BR-boc")
    assert feature["geometry"]["coordinates"] == [
        round(place.longitude, 6),
        round(place.latitude, 6),
    ]
    assert feature["properties"]["responsible_unit"] == "中国银行沂源演示支行"
    # importing the export again changes no value
    admin = make_user(Role.ADMIN)
    client.login(username=admin.username, password=PASSWORD)
    before = list(Place.objects.order_by("pk").values("code", "card_visa", "cash", "latitude"))
    response = _upload(client, text.encode("utf-8"))
    assert response.status_code == 302
    after = list(Place.objects.order_by("pk").values("code", "card_visa", "cash", "latitude"))
    assert before == after


ROW = {
    "code": "PROV-0001",
    "name": "沂源某宾馆",
    "name_en": "A Yiyuan hotel",
    "kind": "merchant",
    "sector": "lodging",
    "category": "hotel",
    "town": "Nanma Subdistrict",
    "latitude": "36.19",
    "longitude": "118.17",
    "card_visa": "yes",
    "card_mastercard": "否",
    "capabilities_as_of": "2024-11-30",
}


def test_import_creates_places_with_facts(seeded, client):
    pboc = factories.unit_handler("中国人民银行淄博市分行沂源营业管理部")
    client.login(username=pboc.username, password=PASSWORD)
    response = _upload(client, _csv([ROW]))
    assert response.status_code == 302
    place = Place.objects.get(code="PROV-0001")
    assert (place.region.name, place.department.name, place.card_visa, place.card_mastercard) == (
        "南麻街道",
        "县文化和旅游局",
        True,
        False,
    )
    assert sorted(place.facts.values_list("capability", "value", "source", "source_note")) == [
        ("card_mastercard", False, "import", "CSV import, line 2"),
        ("card_visa", True, "import", "CSV import, line 2"),
    ]
    assert place.capability_dates == {"card_visa": "2024-11-30", "card_mastercard": "2024-11-30"}


def test_import_lists_every_row_error_and_writes_nothing(seeded, client):
    client.login(username=make_user(Role.ADMIN).username, password=PASSWORD)
    bad = [
        ROW,
        {**ROW, "code": "PROV-0002", "kind": "shop", "latitude": "north"},
        {**ROW, "code": "PROV-0001", "town": "Atlantis"},
        {**ROW, "code": "PROV-0003", "kind": "atm", "card_visa": "maybe", "capabilities_as_of": ""},
    ]
    response = _upload(client, _csv(bad))
    body = response.content.decode()
    assert response.status_code == 200
    assert "3 rows have errors; nothing was imported." in body
    assert "Unknown kind shop" in body
    assert "Latitude and longitude must be numbers in range." in body
    assert "Code PROV-0001 is also on line 2." in body
    assert "Unknown town Atlantis." in body
    assert "ATMs and bank branches need a bank." in body
    assert "card_visa must be yes, no or empty, not maybe." in body
    assert not Place.objects.exists()


@pytest.mark.parametrize(
    "who, status",
    [("anonymous", 302), ("citizen", 403), ("commerce", 403), ("pboc", 200), ("admin", 200)],
)
def test_import_page_access(seeded, client, who, status):
    users = {
        "citizen": lambda: make_user(Role.CITIZEN),
        "commerce": lambda: factories.unit_handler("县商务局"),
        "pboc": lambda: factories.unit_handler("中国人民银行淄博市分行沂源营业管理部"),
        "admin": lambda: make_user(Role.ADMIN),
    }
    if who != "anonymous":
        client.login(username=users[who]().username, password=PASSWORD)
    assert client.get("/pay/staff/import/").status_code == status
