"""Bundle definitions: seeded rules, applicability, merged form and materials, reform figures,
and versioning (an edit publishes a new version and leaves the old one as it was)."""

import pytest

from banhao.catalog import definitions, services
from banhao.catalog.models import (
    BundleVersion,
    ItemRule,
    OneThing,
    ServiceItemProfile,
)
from banhao.core.seeding import Tally
from banhao.portal.seeding import run_all

pytestmark = pytest.mark.django_db

NEWBORN_ALL_YES = {
    "born_in_city": "yes",
    "in_wedlock": "yes",
    "parent_local_hukou": "yes",
    "under_one": "yes",
    "mother_employee_insured": "yes",
    "parenting_guidance": "yes",
}


def newborn(seeded) -> dict:
    return services.latest_version(OneThing.objects.get(number=9)).definition


def test_seed_publishes_one_version_per_defined_bundle_and_is_idempotent(seeded):
    numbers = sorted(BundleVersion.objects.values_list("onething__number", flat=True))
    assert 3 in numbers and 9 in numbers
    assert BundleVersion.objects.filter(number=1).count() == len(numbers)
    tally = Tally()
    run_all(tally=tally)
    assert tally.changed == 0
    assert BundleVersion.objects.count() == len(numbers)


def test_newborn_definition_shape(seeded):
    d = newborn(seeded)
    assert [i["position"] for i in d["items"]] == [1, 2, 3, 4, 5, 6, 7]
    by = definitions.items_by_position(d)
    assert by[3]["depends_on"] == [1]
    assert by[4]["depends_on"] == [3]
    assert by[3]["department"] == "县公安局"
    assert (by[3]["legal_days"], by[3]["committed_days"]) == (5, 1)
    assert by[1]["result_pattern"] == r"^[A-Z]\d{9}$"
    assert [q["key"] for q in d["questions"]] == list(NEWBORN_ALL_YES)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, [1, 2, 3, 4, 5, 6, 7]),
        # Born out of wedlock: no birth registration here, so neither the card nor insurance,
        # which need the child's ID number from it.
        ({"in_wedlock": "no"}, [1, 2, 5, 7]),
        # Born outside the city: no birth certificate here, and nothing that needs its number.
        ({"born_in_city": "no"}, [2, 7]),
        ({"mother_employee_insured": "no", "parenting_guidance": "no"}, [1, 2, 3, 4, 6]),
    ],
)
def test_newborn_applicable_items(seeded, changes, expected):
    answers = {**NEWBORN_ALL_YES, **changes}
    assert definitions.applicable_positions(newborn(seeded), answers) == expected


def test_unanswered_questions_apply_nothing_conditional(seeded):
    assert definitions.applicable_positions(newborn(seeded), {}) == [2]


def test_merged_form_and_materials_have_each_entry_once(seeded):
    d = newborn(seeded)
    fields = definitions.merged_fields(d, [1, 2, 3, 4, 5, 6, 7])
    keys = [f["key"] for f in fields]
    assert len(keys) == len(set(keys))
    assert keys[:4] == ["child_name", "child_sex", "child_birth_date", "birth_hospital"]
    by_key = {f["key"]: f for f in fields}
    assert by_key["child_name"]["items"] == [1, 2, 3, 4, 6, 7]
    # Optional for the birth certificate, required for the household registration.
    assert by_key["father_id_number"]["required"] is True
    assert definitions.merged_fields(d, [1])[6]["key"] == "father_name"
    assert definitions.merged_fields(d, [1])[6]["required"] is False
    materials = definitions.merged_materials(d, [1, 2, 3, 4, 5, 6, 7])
    assert [m["code"] for m in materials] == [
        "mother_id_card",
        "father_id_card",
        "maternal_health_handbook",
        "marriage_certificate",
        "household_register",
        "child_photo",
        "maternity_invoices",
        "bank_card",
    ]
    assert materials[0]["items"] == [1, 3, 5]


def test_newborn_reform_figures(seeded):
    figures = definitions.reform_figures(newborn(seeded))
    # Separately: 7 forms; 2+1+4+1+3+0+0 materials plus 4 documents the bundle passes on as data.
    assert figures["separate"] == {
        "forms": 7,
        "materials": 15,
        "visits": 8,
        "steps": 25,
        "days": 24,
        "fees": "0.00",
    }
    # Critical path: birth certificate 1 → registration 1 → social security card 7 = 9, and
    # birth certificate 1 → maternity reimbursement 10 = 11.
    assert figures["bundled"] == {
        "forms": 1,
        "materials": 8,
        "visits": 1,
        "steps": 4,
        "days": 11,
        "fees": "0.00",
    }
    assert figures["saved"] == {"forms": 6, "materials": 7, "visits": 7, "steps": 21, "days": 13}


def test_restaurant_reform_figures_and_conditions(seeded):
    d = services.latest_version(OneThing.objects.get(number=3)).definition
    answers = {
        "has_business_licence": "yes",
        "food_kind": "hot",
        "outdoor_sign": "yes",
        "assembly_venue": "no",
    }
    assert definitions.applicable_positions(d, answers) == [1, 2, 3]
    assert definitions.applicable_positions(d, {**answers, "food_kind": "prepackaged"}) == [1, 3]
    assert definitions.applicable_positions(d, {**answers, "has_business_licence": "no"}) == []
    figures = definitions.reform_figures(d)
    assert figures["bundled"]["days"] == 1 + 7
    assert figures["separate"]["days"] == 1 + 5 + 5 + 7


def test_an_edit_publishes_a_new_version_and_keeps_the_old(seeded):
    onething = OneThing.objects.get(number=9)
    v1 = services.latest_version(onething)
    assert services.publish_bundle(onething) == v1  # unchanged: no new version
    profile = ServiceItemProfile.objects.get(item__name="社会保障卡申领")
    profile.committed_days = 5
    profile.save()
    v2 = services.publish_bundle(onething)
    assert v2.number == v1.number + 1
    v1.refresh_from_db()
    assert definitions.items_by_position(v1.definition)[4]["committed_days"] == 7
    assert definitions.items_by_position(v2.definition)[4]["committed_days"] == 5


def test_a_dependency_cycle_is_refused_and_nothing_published(seeded):
    onething = OneThing.objects.get(number=9)
    before = BundleVersion.objects.filter(onething=onething).count()
    rule = ItemRule.objects.get(row__onething=onething, row__position=1)
    rule.depends_on = [4]
    rule.save()
    with pytest.raises(definitions.DefinitionError, match="cycle"):
        services.publish_bundle(onething)
    assert BundleVersion.objects.filter(onething=onething).count() == before


def test_an_unknown_question_in_a_condition_is_refused(seeded):
    onething = OneThing.objects.get(number=9)
    rule = ItemRule.objects.get(row__onething=onething, row__position=7)
    rule.condition = {"q": "no_such_question", "eq": "yes"}
    rule.save()
    with pytest.raises(definitions.DefinitionError, match="unknown question"):
        services.publish_bundle(onething)


def test_evaluate_conditions():
    answers = {"a": "yes", "b": "x"}
    assert definitions.evaluate({}, answers)
    assert definitions.evaluate({"q": "a", "eq": "yes"}, answers)
    assert not definitions.evaluate({"q": "a", "eq": "no"}, answers)
    assert definitions.evaluate({"q": "b", "in": ["x", "y"]}, answers)
    assert definitions.evaluate({"not": {"q": "a", "eq": "no"}}, answers)
    assert definitions.evaluate({"any": [{"q": "a", "eq": "no"}, {"q": "b", "eq": "x"}]}, answers)
    assert not definitions.evaluate(
        {"all": [{"q": "a", "eq": "yes"}, {"q": "c", "eq": "x"}]}, answers
    )


def test_all_thirteen_bundles_are_published_and_coherent(seeded):
    from banhao.onething import bpmn

    assert sorted(BundleVersion.objects.values_list("onething__number", flat=True)) == list(
        range(1, 14)
    )
    for onething in OneThing.objects.all():
        d = services.latest_version(onething).definition
        assert len(d["items"]) == onething.items.count()
        figures = definitions.reform_figures(d)
        for key in ("forms", "materials", "visits", "steps", "days"):
            assert figures["bundled"][key] <= figures["separate"][key], (onething.number, key)
        assert "<bpmn:userTask" in bpmn.export(d)
        for item in d["items"]:
            assert item["committed_days"] <= item["legal_days"]
            assert item["result_example"], (onething.number, item["position"])
            import re

            assert re.fullmatch(item["result_pattern"], item["result_example"]), (
                onething.number,
                item["position"],
            )


def test_school_enrolment_waits_only_for_the_proofs_that_apply(seeded):
    d = services.latest_version(OneThing.objects.get(number=10)).definition
    local = {"school_stage": "primary", "hukou_local": "yes", "own_property": "yes"}
    migrant = {"school_stage": "primary", "hukou_local": "no", "own_property": "no"}
    assert definitions.applicable_positions(d, local) == [1, 2, 4]
    assert definitions.applicable_positions(d, migrant) == [1, 3, 5]
    enrol = definitions.items_by_position(d)[1]
    assert definitions.effective_deps(enrol, [1, 2, 4]) == [2, 4]
    assert definitions.effective_deps(enrol, [1, 3, 5]) == [3, 5]
    # Residence permit 5 days, then enrolment 5: the migrant path is the longer one.
    assert definitions.critical_path_days(d["items"], [1, 3, 5]) == 10
    assert definitions.critical_path_days(d["items"], [1, 2, 4]) == 6


def test_credit_repair_row_on_a_placeholder_names_the_question_that_picks_the_unit(seeded):
    d = services.latest_version(OneThing.objects.get(number=5)).definition
    row = definitions.items_by_position(d)[4]
    assert row["department"] == "设列严重失信主体名单的有关部门"
    assert row["department_question"] == "listing_department"
