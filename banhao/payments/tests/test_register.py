"""The register: seed and demo data, capability facts with history, conflicts, access."""

import datetime

import pytest

from banhao.accounts.roles import Role
from banhao.audit.models import AuditRecord
from banhao.core import seeding
from banhao.payments.errors import PaymentsError
from banhao.payments.generator import generate_places, load_demo_register
from banhao.payments.models import Bank, CapabilityFact, FactSource, Place
from banhao.payments.services import capabilities, places
from banhao.portal.seeding import run_all
from banhao.testing import PASSWORD, make_user

from . import factories

pytestmark = pytest.mark.django_db
D = datetime.date


def test_seed_loads_banks_and_rules_idempotently(seeded):
    assert list(Bank.objects.values_list("code", flat=True)) == [
        "icbc",
        "abc",
        "boc",
        "ccb",
        "psbc",
        "rcb",
    ]
    tally = seeding.Tally()
    run_all(tally=tally)
    assert tally.changed == 0
    from banhao.payments.models import PaymentTarget

    assert PaymentTarget.objects.get(code="atm_foreign_card_withdrawal").rule == {
        "kinds": ["atm"],
        "banks": ["icbc", "abc", "boc", "ccb"],
        "all_of": ["foreign_card_withdrawal"],
    }


def test_demo_register_is_marked_and_idempotent(seeded):
    first = load_demo_register()
    assert first["created"] == first["demo_places"] > 100
    assert load_demo_register()["created"] == 0
    assert not Place.objects.filter(is_demo=False).exists()
    assert not Place.objects.exclude(name__contains="演示").exists()
    assert Place.objects.exclude(code__startswith="DEMO-").count() == 0
    # every current value rests on a fact
    place = Place.objects.filter(kind="atm").first()
    assert CapabilityFact.objects.filter(place=place, source=FactSource.DEMO).count() == len(
        place.capability_dates
    )
    # every town has places
    from banhao.org.selectors import townships

    assert {t.pk for t in townships()} == set(Place.objects.values_list("region", flat=True))


def test_generate_places_adds_volume(seeded):
    summary = generate_places(300, seed=5)
    assert summary["places"] == 300
    assert Place.objects.filter(code__startswith="DEMO-G-").count() == 300
    generate_places(10, seed=5)
    assert Place.objects.filter(code__startswith="DEMO-G-").count() == 310


def test_bank_clerk_records_capabilities_with_history(seeded):
    clerk = factories.bank_clerk("icbc")
    atm = factories.atm("icbc")
    capabilities.record_capabilities(
        actor=clerk,
        place=atm,
        values={"foreign_card_withdrawal": False},
        observed_on=D(2024, 9, 1),
        source=FactSource.BANK,
        source_note="月报 2024-09",
    )
    capabilities.record_capabilities(
        actor=clerk,
        place=atm,
        values={"foreign_card_withdrawal": True, "card_visa": True},
        observed_on=D(2024, 11, 20),
        source=FactSource.BANK,
        source_note="改造完成",
        expected_version=atm.version,
    )
    atm.refresh_from_db()
    assert atm.foreign_card_withdrawal is True
    assert atm.card_visa is True
    assert atm.capability_dates == {
        "foreign_card_withdrawal": "2024-11-20",
        "card_visa": "2024-11-20",
    }
    history = list(
        atm.facts.filter(capability="foreign_card_withdrawal").values_list(
            "value", "previous", "observed_on", "source_note", "recorded_by"
        )
    )
    assert history == [
        (True, False, D(2024, 11, 20), "改造完成", clerk.pk),
        (False, None, D(2024, 9, 1), "月报 2024-09", clerk.pk),
    ]
    audit = (
        AuditRecord.objects.filter(event_type="payments.capabilities.recorded")
        .order_by("pk")
        .last()
    )
    assert audit.before == {"foreign_card_withdrawal": False, "card_visa": None}
    assert audit.after == {"foreign_card_withdrawal": True, "card_visa": True}


def test_an_older_fact_enters_history_but_not_the_current_value(seeded):
    clerk = factories.bank_clerk("icbc")
    atm = factories.atm("icbc")
    for day, value in ((D(2024, 10, 1), True), (D(2024, 8, 1), False)):
        capabilities.record_capabilities(
            actor=clerk, place=atm, values={"cash": value}, observed_on=day, source="bank"
        )
    atm.refresh_from_db()
    assert atm.cash is True
    assert atm.capability_dates["cash"] == "2024-10-01"
    assert atm.facts.count() == 2


def test_concurrent_edit_is_refused_and_changes_nothing(seeded):
    clerk = factories.bank_clerk("icbc")
    atm = factories.atm("icbc")
    stale_version = atm.version
    capabilities.record_capabilities(
        actor=clerk, place=atm, values={"cash": True}, observed_on=D(2024, 10, 1), source="bank"
    )
    with pytest.raises(PaymentsError) as exc:
        capabilities.record_capabilities(
            actor=clerk,
            place=atm,
            values={"cash": False},
            observed_on=D(2024, 10, 2),
            source="bank",
            expected_version=stale_version,
        )
    assert exc.value.code == "conflict"
    atm.refresh_from_db()
    assert atm.cash is True
    assert atm.facts.count() == 1


@pytest.mark.parametrize(
    "who, allowed",
    [
        ("own_bank", True),
        ("other_bank", False),
        ("supervisor_pboc", True),
        ("commerce", False),
        ("leader", False),
        ("admin", True),
        ("citizen", False),
    ],
)
def test_who_may_update_an_atm(seeded, who, allowed):
    atm = factories.atm("icbc")
    actor = {
        "own_bank": lambda: factories.bank_clerk("icbc"),
        "other_bank": lambda: factories.bank_clerk("boc"),
        "supervisor_pboc": lambda: factories.unit_handler("中国人民银行淄博市分行沂源营业管理部"),
        "commerce": lambda: factories.unit_handler("县商务局"),
        "leader": lambda: make_user(Role.COUNTY_LEADER),
        "admin": lambda: make_user(Role.ADMIN),
        "citizen": lambda: make_user(Role.CITIZEN),
    }[who]()

    def act():
        capabilities.record_capabilities(
            actor=actor, place=atm, values={"cash": True}, observed_on=D(2024, 10, 1), source="bank"
        )

    if allowed:
        act()
        assert atm.facts.count() == 1
    else:
        with pytest.raises(PaymentsError) as exc:
            act()
        assert exc.value.code == "not_allowed"
        assert atm.facts.count() == 0
        atm.refresh_from_db()
        assert atm.cash is None


def test_future_dates_and_empty_updates_are_refused(seeded):
    clerk = factories.bank_clerk("icbc")
    atm = factories.atm("icbc")
    with pytest.raises(PaymentsError) as exc:
        capabilities.record_capabilities(
            actor=clerk, place=atm, values={"cash": True}, observed_on=D(2999, 1, 1), source="bank"
        )
    assert exc.value.code == "future_date"
    with pytest.raises(PaymentsError) as exc:
        capabilities.record_capabilities(
            actor=clerk, place=atm, values={}, observed_on=D(2024, 1, 1), source="bank"
        )
    assert exc.value.code == "no_values"
    assert atm.facts.count() == 0


def _place_data(**extra):
    return {
        "name": "沂源某超市",
        "name_en": "A Yiyuan supermarket",
        "kind": "merchant",
        "sector": "shopping",
        "category": "large_supermarket",
        "is_key": True,
        "region": factories.town("历山街道"),
        "address": "历山路 1 号",
        "address_en": "1 Lishan Road",
        "latitude": 36.19,
        "longitude": 118.15,
        "opening_hours": "8:00-21:00",
        "opening_hours_en": "8:00-21:00",
        "phone": "0533-3220000",
        **extra,
    }


def test_units_register_places_of_their_own(seeded):
    commerce = factories.unit_handler("县商务局")
    shop = places.register_place(actor=commerce, code="YY-M-1", data=_place_data())
    assert (shop.department.name, shop.supervising_department.name, shop.bank) == (
        "县商务局",
        "县商务局",
        None,
    )
    clerk = factories.bank_clerk("abc")
    atm = places.register_place(
        actor=clerk, code="YY-ATM-1", data=_place_data(kind="atm", sector="shopping")
    )
    assert (atm.bank.code, atm.sector, atm.department_id, atm.supervising_department.name) == (
        "abc",
        "finance",
        clerk.department_id,
        "中国人民银行淄博市分行沂源营业管理部",
    )
    health = factories.unit_handler("县卫生健康局")
    for actor, data, code in (
        (health, _place_data(), "wrong_sector"),
        (commerce, _place_data(kind="atm"), "bank_place"),
        (commerce, _place_data(), "code_taken"),
    ):
        with pytest.raises(PaymentsError) as exc:
            places.register_place(
                actor=actor, code="YY-M-1" if code == "code_taken" else "X", data=data
            )
        assert exc.value.code == code
    assert Place.objects.count() == 2


def test_place_pages_add_and_correct(seeded, client):
    commerce = factories.unit_handler("县商务局")
    client.login(username=commerce.username, password=PASSWORD)
    data = {**_place_data(), "region": factories.town("历山街道").pk, "code": "YY-M-9"}
    response = client.post("/pay/staff/places/new/", data)
    assert response.status_code == 302
    place = Place.objects.get(code="YY-M-9")
    response = client.post(
        f"/pay/staff/places/{place.pk}/edit/",
        {**data, "opening_hours": "7:30-22:00", "version": place.version},
    )
    assert response.status_code == 302
    place.refresh_from_db()
    assert (place.opening_hours, place.version) == ("7:30-22:00", 2)
    # a second, stale edit is refused and changes nothing
    response = client.post(
        f"/pay/staff/places/{place.pk}/edit/",
        {**data, "opening_hours": "0:00-24:00", "version": 1},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Someone else changed this place" in response.content.decode()
    place.refresh_from_db()
    assert place.opening_hours == "7:30-22:00"
    other = factories.unit_handler("县卫生健康局")
    client.login(username=other.username, password=PASSWORD)
    assert client.get(f"/pay/staff/places/{place.pk}/edit/").status_code == 404
