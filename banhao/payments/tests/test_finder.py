"""The public finder: filters, nearest first, languages, place pages, guides, API."""

import pytest

from banhao.payments import selectors
from banhao.payments.generator import generate_places, load_demo_register
from banhao.payments.models import Landmark, Place

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(seeded):
    load_demo_register()


def test_nearest_atm_for_foreign_cards(seeded):
    far = factories.atm("icbc", lat=36.30, lon=118.20, foreign_card_withdrawal=True)
    near = factories.atm("boc", lat=36.186, lon=118.171, foreign_card_withdrawal=True)
    factories.atm("abc", lat=36.1851, lon=118.1701, foreign_card_withdrawal=False)
    rows = selectors.find_places(
        selectors.FinderQuery(
            needs=["foreign_card_withdrawal"], kind="atm", origin=selectors.Origin(36.185, 118.17)
        )
    )
    assert [r["id"] for r in rows] == [near.pk, far.pk]
    assert round(rows[0]["distance_km"], 3) == 0.143
    assert round(rows[1]["distance_km"], 2) == 13.07


def test_nearest_matches_a_full_sort_at_volume(seeded):
    generate_places(1500, seed=3)
    origin = selectors.Origin(36.2, 118.1)
    rows = selectors.find_places(
        selectors.FinderQuery(needs=["card_visa"], origin=origin, limit=20)
    )
    expected = sorted(
        Place.objects.filter(card_visa=True, is_active=True),
        key=lambda p: (selectors.distance_km(36.2, 118.1, p.latitude, p.longitude), p.pk),
    )[:20]
    assert [r["id"] for r in rows] == [p.pk for p in expected]


def test_finder_page_in_english_with_landmark(demo, client):
    landmark = Landmark.objects.get(name="沂源县人民政府")
    response = client.get(
        "/pay/",
        {"need": ["foreign_card_withdrawal"], "kind": "atm", "landmark": landmark.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "20 places nearest to Yiyuan County Government" in body
    assert "ATM 1, Nanma Subdistrict (demo)" in body
    assert body.count('data-testid="result"') == 20
    assert 'data-testid="map"' not in body  # no tile source configured


def test_finder_map_appears_with_a_tile_source(demo, client, settings):
    settings.BANHAO_MAP_TILE_URL = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    body = client.get("/pay/", {"kind": "atm"}).content.decode()
    assert 'data-tile-url="https://tiles.example.gov.cn/{z}/{x}/{y}.png"' in body


def test_finder_query_count_is_constant(demo, client, django_assert_max_num_queries):
    params = {"need": ["card_visa", "cash"], "lat": "36.18", "lng": "118.17"}
    with django_assert_max_num_queries(12):
        client.get("/pay/", params)
    generate_places(400, seed=1)
    with django_assert_max_num_queries(12):
        assert client.get("/pay/", params).content.decode().count('data-testid="result"') == 20


def test_bad_location_is_explained(demo, client):
    body = client.get("/pay/", {"lat": "abc", "lng": "1"}, HTTP_ACCEPT_LANGUAGE="en").content
    assert b"Your location could not be read" in body


def test_place_page_shows_dated_capabilities(demo, client):
    atm = Place.objects.filter(kind="atm", foreign_card_withdrawal=True).first()
    body = client.get(f"/pay/place/{atm.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert atm.name_en in body
    assert 'data-testid="cap-foreign_card_withdrawal"' in body
    assert "2024-09-30" in body
    assert "Demo data: not a real place" in body
    assert client.get("/pay/place/999999/").status_code == 404


def test_town_guide_lists_what_a_visitor_needs(demo, client):
    from banhao.org.models import Region

    town = Region.objects.get(name="南麻街道")
    body = client.get(f"/pay/guide/{town.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Paying in Nanma Subdistrict" in body
    assert "Bank of China (BOC), Nanma Subdistrict demo branch" in body  # exchanges money
    assert client.get("/pay/guide/").status_code == 200


def test_api_finder(demo, client):
    response = client.get(
        "/api/v1/payments/places/",
        {"need": "currency_exchange", "lat": 36.185, "lng": 118.17},
    )
    assert response.status_code == 200
    data = response.json()
    assert data and all("currency_exchange" in row["accepts"] for row in data)
    assert data == sorted(data, key=lambda r: r["distance_km"])
    detail = client.get(f"/api/v1/payments/places/{data[0]['id']}/").json()
    assert detail["place"]["code"] == data[0]["code"]
    targets = client.get("/api/v1/payments/targets/").json()
    assert [t["code"] for t in targets] == [
        "atm_foreign_card_withdrawal",
        "foreign_card_acceptance",
        "change_packs_on_demand",
        "foreign_cash_exchange_outlet",
    ]
