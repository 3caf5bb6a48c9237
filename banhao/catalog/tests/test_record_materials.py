"""Materials a government record holds (免提交, ADR 0019): the catalogue says which record, the
compiled definition carries it, and the reform figures count what records replaced."""

import pytest
from django.core.exceptions import ValidationError

from banhao.catalog import definitions, services
from banhao.catalog.models import BundleVersion, Material, OneThing

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"kind": "fax", "holder": "applicant"}, "Unknown record kind"),
        ({"kind": "identity", "holder": "neighbour"}, "Unknown record holder"),
        ({"kind": "licence", "holder": "couple"}, "names its licence type"),
        ({"kind": "identity", "holder": "applicant", "licence_type": "x"}, "only a licence"),
        ({"kind": "household", "holder": "enterprise"}, "enterprise holds licences only"),
        ({"kind": "household", "holder": "child"}, "form field with the child"),
    ],
)
def test_malformed_record_specs_are_refused(spec, message):
    with pytest.raises(definitions.DefinitionError, match=message):
        definitions.check_record(spec)


def test_well_formed_record_specs_pass():
    definitions.check_record({})
    definitions.check_record({"kind": "identity", "holder": "mother"})
    definitions.check_record(
        {"kind": "licence", "holder": "enterprise", "licence_type": "business_licence"}
    )
    definitions.check_record(
        {"kind": "household", "holder": "child", "holder_field": "student_id_number"}
    )


def test_the_admin_form_refuses_a_licence_without_its_type(seeded):
    material = Material.objects.get(code="bank_card")
    material.record_kind = "licence"
    material.record_holder = "applicant"
    with pytest.raises(ValidationError, match="licence type"):
        material.full_clean()


def test_a_record_edit_publishes_a_new_version_and_only_where_it_is_used(seeded):
    newborn = OneThing.objects.get(number=9)
    restaurant = OneThing.objects.get(number=3)
    v_newborn, v_restaurant = (services.latest_version(o) for o in (newborn, restaurant))
    assert "record" not in v_newborn.definition["materials"]["bank_card"]
    Material.objects.filter(code="bank_card").update(
        record_kind="licence", record_holder="applicant", licence_type="social_security_card"
    )
    v2 = services.publish_bundle(newborn)
    assert v2.number == v_newborn.number + 1
    assert v2.definition["materials"]["bank_card"]["record"] == {
        "kind": "licence",
        "holder": "applicant",
        "licence_type": "social_security_card",
    }
    assert services.publish_bundle(restaurant) == v_restaurant  # bank_card is not asked there
    # A broken spec is refused and nothing is published.
    Material.objects.filter(code="bank_card").update(licence_type="")
    count = BundleVersion.objects.filter(onething=newborn).count()
    with pytest.raises(definitions.DefinitionError):
        services.publish_bundle(newborn)
    assert BundleVersion.objects.filter(onething=newborn).count() == count


def test_reform_figures_count_materials_taken_from_records(seeded):
    d = services.latest_version(OneThing.objects.get(number=9)).definition
    every = [i["position"] for i in d["items"]]
    used = ["mother_id_card", "father_id_card", "marriage_certificate", "household_register"]
    plain = definitions.reform_figures(d, every)
    taken = definitions.reform_figures(d, every, from_records=used)
    assert (plain["bundled"]["materials"], plain["records"]) == (8, 0)
    assert (taken["bundled"]["materials"], taken["records"]) == (4, 4)
    assert taken["saved"]["materials"] == plain["saved"]["materials"] + 4
    assert taken["records_possible"] == plain["records_possible"] == 4
    # Without the household registration row the marriage certificate and household register
    # are not needed: a code taken for a row that does not apply is not counted.
    births_only = definitions.reform_figures(d, [1, 2], from_records=used)
    assert births_only["records"] == 2
    assert births_only["bundled"]["materials"] == 1  # the maternal health handbook
