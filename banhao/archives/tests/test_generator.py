import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from stdnum.cn import ric, uscc

from banhao.archives import generator
from banhao.archives.models import Enterprise, Person
from banhao.org import selectors as org_selectors
from banhao.org.seed import seed_regions

pytestmark = pytest.mark.django_db


@pytest.fixture
def townships():
    seed_regions()
    return list(org_selectors.townships())


def test_persons_have_valid_unique_id_numbers_matching_their_fields(townships):
    result = generator.generate_archives(400, 0, seed=1)

    assert result.persons == 400
    persons = list(Person.objects.all())
    assert len(persons) == 400
    assert len({p.id_number for p in persons}) == 400
    for p in persons:
        assert ric.is_valid(p.id_number), p.id_number
        assert ric.get_birth_date(p.id_number) == p.birth_date
        assert p.gender == ("M" if int(p.id_number[16]) % 2 else "F")
        assert p.birth_date <= generator.AS_OF
        assert p.id_number[:6] in {"370323", "372828"} | {
            code for code, _ in generator.OTHER_ZIBO_CODES
        }
        assert p.phone == "" or (len(p.phone) == 11 and p.phone.startswith("1"))
        assert 2 <= len(p.name) <= 4
        assert p.address.startswith("山东省淄博市沂源县" + p.township.name)
    assert {p.township_id for p in persons} <= {t.pk for t in townships}
    # Most residents were born in Yiyuan; some come from elsewhere in Zibo.
    yiyuan = sum(p.id_number[:6] in {"370323", "372828"} for p in persons)
    assert 0.75 * 400 < yiyuan < 400


def test_yiyuan_code_follows_the_birth_year(townships):
    generator.generate_archives(300, 0, seed=2)

    for number, birth in Person.objects.values_list("id_number", "birth_date"):
        if number[:6] == "370323":
            assert birth.year >= 1989
        elif number[:6] == "372828":
            assert birth.year <= 1989


def test_enterprises_have_valid_unique_credit_codes(townships):
    generator.generate_archives(300, 120, seed=3)

    enterprises = list(Enterprise.objects.all())
    assert len(enterprises) == 120
    assert len({e.credit_code for e in enterprises}) == 120
    persons = dict(Person.objects.values_list("id_number", "name"))
    for e in enterprises:
        code = e.credit_code
        assert uscc.is_valid(code), code
        assert code[:8] == "91370323"
        organisation = code[8:17]
        assert generator.organisation_code_check(organisation[:8]) == organisation[8]
        assert organisation.startswith("MA3") == (e.established_on.year >= 2016)
        # Legal representatives are persons of this run, adult when the enterprise began.
        assert persons[e.legal_representative_id] == e.legal_representative
        assert ric.get_birth_date(e.legal_representative_id).year <= e.established_on.year - 20
        assert e.name.endswith("公司")
        assert e.registered_capital > 0
        assert e.headcount >= 1
        assert date(1995, 1, 1) <= e.established_on <= generator.AS_OF
        assert e.township in townships


def test_organisation_code_check_character_matches_a_real_code():
    # 91110000600037341L: organisation code 60003734-1.
    assert generator.organisation_code_check("60003734") == "1"
    assert uscc.is_valid(generator.credit_code("600037341"))


def test_running_again_with_the_same_seed_adds_more_without_collisions(townships):
    generator.generate_archives(200, 30, seed=7)
    generator.generate_archives(200, 30, seed=7)

    assert Person.objects.count() == 400
    assert Enterprise.objects.count() == 60
    assert Person.objects.values("id_number").distinct().count() == 400
    assert Enterprise.objects.values("credit_code").distinct().count() == 60


def test_enterprises_alone_take_representatives_from_existing_persons(townships):
    generator.generate_archives(200, 0, seed=8)
    generator.generate_archives(0, 40, seed=9)

    assert Person.objects.count() == 200
    ids = set(Person.objects.values_list("id_number", flat=True))
    assert set(Enterprise.objects.values_list("legal_representative_id", flat=True)) <= ids


def test_enterprises_without_persons_get_fresh_valid_representatives(townships):
    generator.generate_archives(0, 30, seed=10)
    # Persons generated afterwards never reuse a representative's number for someone else.
    generator.generate_archives(300, 0, seed=10)

    reps = dict(Enterprise.objects.values_list("legal_representative_id", "legal_representative"))
    assert all(ric.is_valid(number) for number in reps)
    assert not Person.objects.filter(id_number__in=reps).exists()


def test_same_seed_on_the_same_database_state_repeats_the_rows(townships):
    generator.generate_archives(50, 5, seed=11)
    first = list(Person.objects.values_list("id_number", "name", "phone", "address"))
    Enterprise.objects.all().delete()
    Person.objects.all().delete()

    generator.generate_archives(50, 5, seed=11)

    assert list(Person.objects.values_list("id_number", "name", "phone", "address")) == first


def test_command_refuses_without_townships():
    with pytest.raises(CommandError, match="banhao seed"):
        call_command("generate", "--persons", "10", "--enterprises", "1", stdout=StringIO())
    assert not Person.objects.exists()


def test_command_prints_progress_and_totals(townships):
    out = StringIO()
    call_command("generate", "--persons", "30", "--enterprises", "4", "--seed", "1", stdout=out)

    text = out.getvalue()
    assert "persons:        30 / 30" in text
    assert "Added 30 persons" in text
    assert "now hold 30 persons and 4 enterprises" in text


def test_command_size_preset_and_json_summary(townships, monkeypatch):
    monkeypatch.setitem(generator.SIZES, "small", generator.Size(persons=20, enterprises=3))
    out = StringIO()
    call_command("generate", "--size", "small", "--seed", "5", "--json", stdout=out)

    summary = json.loads(out.getvalue())
    assert summary["persons"] == 20
    assert summary["enterprises"] == 3
    assert summary["total_persons"] == 20
    assert summary["seed"] == 5
    assert summary["persons_per_s"] > 0


def test_command_rejects_negative_volumes(townships):
    with pytest.raises(CommandError, match="negative"):
        call_command("generate", "--persons", "-1", stdout=StringIO())


def test_command_with_only_persons_adds_no_enterprises(townships):
    call_command("generate", "--persons", "15", "--seed", "4", stdout=StringIO())

    assert Person.objects.count() == 15
    assert not Enterprise.objects.exists()
