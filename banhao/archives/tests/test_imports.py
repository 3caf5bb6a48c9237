"""CSV import: all or nothing, every row's errors in the user's language."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from banhao.accounts.roles import Role
from banhao.archives import imports
from banhao.archives.models import Enterprise, Licence, Person
from banhao.audit.models import AuditRecord
from banhao.testing import PASSWORD, make_user, valid_credit_code

from .conftest import id_of

pytestmark = pytest.mark.django_db

HEAD = "id_number,name,phone,township,address,hukou_address,spouse_id_number\n"


def test_persons_import_with_spouses(seeded):
    wife, husband = id_of("19950312", female=True), id_of("19930805", female=False)
    text = (
        HEAD
        + f"{wife},李芳,13905331234,南麻街道,振兴路12号,,{husband}\n{husband},王强,,南麻街道,,,\n"
    )
    result = imports.import_csv(actor=None, kind="persons", stream=io.StringIO(text))
    assert result.ok and (result.created, result.updated) == (2, 0)
    assert Person.objects.get(id_number=wife).spouse.id_number == husband
    assert Person.objects.get(id_number=husband).spouse.id_number == wife
    assert AuditRecord.objects.filter(event_type="archives.imported").count() == 1
    again = imports.import_csv(actor=None, kind="persons", stream=io.StringIO(text))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_one_bad_row_imports_nothing_and_names_every_error(seeded):
    good = id_of("19800101", female=False)
    text = (
        HEAD
        + f"{good},张三,,南麻街道,,,\n"
        + "370323199001011230,李四,123,火星镇,,,\n"
        + f"{good},王五,,南麻街道,,,\n"
    )
    with translation.override("en"):
        result = imports.import_csv(actor=None, kind="persons", stream=io.StringIO(text))
    assert not result.ok
    assert [e.line for e in result.errors] == [3, 4]
    line3 = " ".join(result.errors[0].messages)
    assert "id_number" in line3 and "phone" in line3 and "Unknown township “火星镇”" in line3
    assert "also on line 2" in " ".join(result.errors[1].messages)
    assert not Person.objects.exists()
    with translation.override("zh-hans"):
        result = imports.import_csv(actor=None, kind="persons", stream=io.StringIO(text))
    assert "火星镇" in " ".join(result.errors[0].messages)
    assert "Unknown township" not in " ".join(result.errors[0].messages)


def test_licences_import_needs_known_holder_and_type(seeded):
    code = valid_credit_code()
    text = (
        "holder,licence_type,number,issued_on,expires_on\n"
        f"{code},food_business_licence,JY1,2021-05-30,2026-05-29\n"
    )
    with translation.override("en"):
        result = imports.import_csv(actor=None, kind="licences", stream=io.StringIO(text))
    assert "import it first" in result.errors[0].messages[0]
    enterprises = (
        "credit_code,name,legal_representative,legal_representative_id,industry,"
        "registered_capital,established_on,headcount,township,address\n"
        f"{code},沂源县示例餐饮有限公司,赵明,{id_of('19850101', female=False)},H,50,2018-03-01,12,南麻街道,\n"
    )
    assert imports.import_csv(actor=None, kind="enterprises", stream=io.StringIO(enterprises)).ok
    result = imports.import_csv(actor=None, kind="licences", stream=io.StringIO(text))
    assert result.ok
    licence = Licence.objects.get()
    assert licence.enterprise == Enterprise.objects.get(credit_code=code)
    assert str(licence.expires_on) == "2026-05-29"
    # The same row again is recorded once.
    assert imports.import_csv(actor=None, kind="licences", stream=io.StringIO(text)).created == 0


def test_command_and_page(seeded, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEAD + "x,张三,,南麻街道,,,\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_archives", "persons", str(path), stderr=io.StringIO())
    admin = make_user(Role.ADMIN)
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.login(username=admin.username, password=PASSWORD)
    with open(path, "rb") as f:
        response = c.post(reverse("archives:import"), {"kind": "persons", "file": f})
    assert response.status_code == 400
    assert 'data-line="2"' in response.content.decode()
    citizen = make_user(Role.CITIZEN)
    c.login(username=citizen.username, password=PASSWORD)
    assert c.get(reverse("archives:import")).status_code == 404
