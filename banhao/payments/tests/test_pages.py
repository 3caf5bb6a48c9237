"""Staff list pages keep a constant number of queries; the command and the admin rule check."""

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from banhao.accounts.roles import Role
from banhao.payments.admin import validate_rule
from banhao.payments.generator import generate_places, load_demo_register
from banhao.payments.models import Place
from banhao.payments.services import inspections, reports
from banhao.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/pay/staff/", "/pay/staff/tasks/?status=", "/pay/staff/reports/", "/pay/targets/"]
)
def test_staff_pages_run_a_constant_number_of_queries(
    seeded, client, path, django_assert_max_num_queries
):
    load_demo_register()
    admin = make_user(Role.ADMIN)
    client.login(username=admin.username, password=PASSWORD)
    shop = Place.objects.filter(kind="merchant").first()
    reports.submit_report(place=shop, kind="cash_refused", description="拒收现金")
    inspections.record_inspection(
        actor=admin,
        place=shop,
        kind="routine",
        visited_on=shop.updated_at.date(),
        findings=[("cash", False, "")],
    )
    with django_assert_max_num_queries(25) as first:
        assert client.get(path).status_code == 200
    generate_places(300, seed=9)
    for place in Place.objects.filter(kind="merchant")[:10]:
        reports.submit_report(place=place, kind="cash_refused", description="拒收现金")
        inspections.record_inspection(
            actor=admin,
            place=place,
            kind="routine",
            visited_on=place.updated_at.date(),
            findings=[("cash", False, "")],
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(path).status_code == 200


def test_generate_places_command(seeded):
    out = io.StringIO()
    call_command("generate_places", "--count", "25", "--seed", "4", "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert (summary["places"], summary["created"]) == (25, summary["demo_places"])
    assert Place.objects.filter(code__startswith="DEMO-G-").count() == 25
    with pytest.raises(CommandError):
        call_command("generate_places", "--count", "-1")


def test_generate_places_needs_seed_data(db):
    with pytest.raises(CommandError, match="banhao seed"):
        call_command("generate_places")


def test_admin_checks_coverage_rules(seeded):
    validate_rule({"kinds": ["atm"], "banks": ["icbc"], "all_of": ["foreign_card_withdrawal"]})
    for bad in (
        {"kinds": ["atm"]},
        {"all_of": ["teleport"]},
        {"banks": ["nobank"], "all_of": ["cash"]},
        {"colour": "red", "all_of": ["cash"]},
        ["cash"],
    ):
        with pytest.raises(ValidationError):
            validate_rule(bad)
