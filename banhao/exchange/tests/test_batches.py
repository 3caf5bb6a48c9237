"""Exchange batches: idempotent by batch id, a conflicting batch refused, overlapping batches
changing only what changed, every row's errors listed with nothing written, the client's scope
and region checked, and the file drop."""

import datetime as dt
import itertools

import pytest
from django.core.management import call_command
from django.test import Client

from banhao.archives.models import Enterprise, Person
from banhao.audit.models import AuditRecord
from banhao.clients import scopes, services
from banhao.clients.models import MachineCall
from banhao.clients.tests.conftest import token_of
from banhao.core import registry
from banhao.exchange.models import BatchState, ImportBatch
from banhao.testing import department, township, valid_credit_code, valid_id_number

pytestmark = pytest.mark.django_db
API = "/api/v1/machine/exchange/batches/"
_serials = itertools.count(101)


def bad_id_number() -> str:
    valid = valid_id_number("19900101", serial=next(_serials))
    return valid[:-1] + ("1" if valid[-1] != "1" else "2")  # a wrong check digit


def person_row(name="李芳", **extra):
    return {
        "id_number": valid_id_number("19900101", serial=next(_serials)),
        "name": name,
        "township": "南麻街道",
        **extra,
    }


@pytest.fixture
def platform(db):
    township()
    client, issued = services.create_client(
        actor=None,
        code="city-exchange",
        name="市数据共享交换平台",
        name_en="City data exchange platform",
        scopes=[scopes.EXCHANGE_IMPORT],
    )
    http = Client(enforce_csrf_checks=True)
    http.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token_of(http, issued)}"
    return client, http


def send(http, batch_id, rows, kind="persons"):
    return http.post(
        API, {"batch_id": batch_id, "kind": kind, "rows": rows}, content_type="application/json"
    )


def test_a_resent_batch_changes_nothing_and_a_conflicting_one_is_refused(platform):
    client, http = platform
    rows = [person_row("李芳"), person_row("王强")]
    first = send(http, "2026-12-03-001", rows)
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["state"], body["created"], body["updated"], body["replayed"]) == (
        "imported",
        2,
        0,
        False,
    )
    assert body["source"] == "city-exchange"

    again = send(http, "2026-12-03-001", [dict(reversed(list(r.items()))) for r in rows])
    assert again.status_code == 200
    assert again.json()["replayed"] is True
    assert again.json()["created"] == 2  # the earlier result
    assert Person.objects.count() == 2
    assert ImportBatch.objects.count() == 1
    assert AuditRecord.objects.filter(event_type="archives.imported").count() == 1

    changed = send(http, "2026-12-03-001", [rows[0], {**rows[1], "name": "王刚"}])
    assert changed.status_code == 409
    assert changed.json()["code"] == "batch_conflict"
    assert Person.objects.get(id_number=rows[1]["id_number"]).name == "王强"

    # A new batch overlapping the first: one row changed, one the same, one new.
    newcomer = person_row("赵敏")
    overlap = send(http, "2026-12-03-002", [{**rows[0], "name": "李芳芳"}, rows[1], newcomer])
    assert overlap.status_code == 201
    assert (overlap.json()["created"], overlap.json()["updated"], overlap.json()["unchanged"]) == (
        1,
        1,
        1,
    )
    assert Person.objects.get(id_number=rows[0]["id_number"]).name == "李芳芳"
    assert Person.objects.count() == 3
    # Every call was logged for the client, with the operation and no personal data.
    calls = MachineCall.objects.filter(client=client)
    assert calls.count() == 4
    assert all(c.scope == scopes.EXCHANGE_IMPORT and c.outcome == "allowed" for c in calls)
    for call in calls:
        assert rows[0]["id_number"] not in f"{call.operation} {call.object_id}"
    assert http.get(f"{API}2026-12-03-002/").json()["unchanged"] == 1


def test_every_row_error_is_listed_and_nothing_is_written(platform):
    _client, http = platform
    good = person_row("李芳")
    rows = [
        good,
        person_row("王强", id_number=bad_id_number()),
        {"id_number": good["id_number"], "name": "重复", "township": "南麻街道"},
        person_row("无镇", township="火星镇"),
    ]
    refused = send(http, "b-1", rows)
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "rows_invalid"
    assert body["field"] == "rows"
    lines = {p["field"] for p in body["problems"]}
    assert lines == {"rows[2]", "rows[3]", "rows[4]"}
    assert Person.objects.count() == 0
    batch = ImportBatch.objects.get(batch_id="b-1")
    assert batch.state == BatchState.FAILED
    assert [e["line"] for e in batch.errors] == [2, 3, 4]
    # Fixed, the same batch id goes through: a failed batch wrote nothing and binds nothing.
    fixed = send(http, "b-1", [good])
    assert fixed.status_code == 201
    assert Person.objects.count() == 1
    # Input out of bounds is refused by the schema, in the same shape.
    assert send(http, "x" * 65, [good]).status_code == 422
    assert send(http, "b 2", [good]).json()["code"] == "bad_batch_id"


def test_scope_and_region_are_checked(db):
    town = township()
    other_town = township("东里镇")
    dept = department()
    _c, no_import = services.create_client(
        actor=None, code="dept-system", name="x", scopes=[scopes.QUEUE_READ], department=dept
    )
    http = Client()
    http.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token_of(http, no_import)}"
    refused = send(http, "b-1", [person_row()])
    assert refused.status_code == 403
    assert refused.json()["code"] == "scope_missing"
    assert Person.objects.count() == 0

    _t, township_platform = services.create_client(
        actor=None, code="town-system", name="y", scopes=[scopes.EXCHANGE_IMPORT], region=town
    )
    http = Client()
    http.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token_of(http, township_platform)}"
    outside = send(http, "b-1", [person_row(), person_row(township=other_town.name)])
    assert outside.status_code == 422
    assert [p["field"] for p in outside.json()["problems"]] == ["rows[2]"]
    assert Person.objects.count() == 0
    assert send(http, "b-2", [person_row()]).status_code == 201


def test_enterprises_upsert_by_credit_code(platform):
    _client, http = platform
    row = {
        "credit_code": valid_credit_code(),
        "name": "沂源县好味餐饮有限公司",
        "legal_representative": "张三",
        "legal_representative_id": valid_id_number("19800101", serial=next(_serials)),
        "industry": "H",
        "registered_capital": "100",
        "established_on": (dt.date.today() - dt.timedelta(days=400)).isoformat(),
        "township": "南麻街道",
    }
    assert send(http, "e-1", [row], kind="enterprises").status_code == 201
    again = send(http, "e-2", [{**row, "headcount": 12}], kind="enterprises")
    assert (again.json()["updated"], again.json()["unchanged"]) == (1, 0)
    assert Enterprise.objects.get(credit_code=row["credit_code"]).headcount == 12


def test_file_drop_scan(db, settings, tmp_path):
    township()
    settings.BANHAO_EXCHANGE_DROP_DIR = tmp_path
    good = person_row("李芳")
    head = "id_number,name,phone,township,address,hukou_address,spouse_id_number\n"
    (tmp_path / "city-exchange__persons__d-1.csv").write_text(
        head + f"{good['id_number']},李芳,,南麻街道,,,\n", encoding="utf-8"
    )
    (tmp_path / "city-exchange__persons__d-2.csv").write_text(
        head + f"{good['id_number']},李芳,,南麻街道,,,\n{bad_id_number()},王强,,南麻街道,,,\n",
        encoding="utf-8",
    )
    (tmp_path / "notes.csv").write_text("x\n", encoding="utf-8")
    (tmp_path / "city-exchange__persons__d-3.csv.part").write_text(head, encoding="utf-8")
    call_command("exchange", "scan")
    assert sorted(p.name for p in (tmp_path / "done").iterdir()) == [
        "city-exchange__persons__d-1.csv",
        "city-exchange__persons__d-1.csv.report.txt",
    ]
    failed = tmp_path / "failed"
    report = (failed / "city-exchange__persons__d-2.csv.report.txt").read_text(encoding="utf-8")
    assert report.startswith("1 row(s) have errors; nothing was imported.")
    assert "line 3:" in report
    assert (failed / "notes.csv.report.txt").exists()
    assert (tmp_path / "city-exchange__persons__d-3.csv.part").exists()  # still being written
    assert Person.objects.count() == 1
    # Dropped again: the same batch, nothing changes, and it is done again.
    (tmp_path / "city-exchange__persons__d-1.csv").write_text(
        head + f"{good['id_number']},李芳,,南麻街道,,,\n", encoding="utf-8"
    )
    call_command("exchange", "scan")
    again = (tmp_path / "done" / "city-exchange__persons__d-1.csv.report.txt").read_text(
        encoding="utf-8"
    )
    assert again.startswith("Already imported with the same content")
    assert ImportBatch.objects.filter(state=BatchState.IMPORTED).count() == 1
    assert "exchange-scan-drop" in registry.periodic_jobs
