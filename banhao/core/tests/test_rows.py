"""core.rows reads what the ORM reads and writes what save() writes (for models it serves)."""

import json

import pytest

from banhao.archives.models import Person
from banhao.audit.models import AuditRecord
from banhao.core import rows
from banhao.testing import person_archive, valid_id_number

pytestmark = pytest.mark.django_db


def test_matching_reads_each_row_as_the_orm_does():
    mother = person_archive(name="李芳")
    child = person_archive(name="王小宝", mother=mother, hukou_address="沂源县南麻街道振兴路12号")
    person_archive(name="旁人")
    absent = valid_id_number()
    found = rows.matching(
        Person, "id_number", [child.id_number, mother.id_number, absent, child.id_number]
    )
    expected = list(
        Person.objects.filter(id_number__in=[child.id_number, mother.id_number]).order_by("pk")
    )
    assert [p.pk for p in found] == [p.pk for p in expected]
    for lean, orm in zip(found, expected, strict=True):
        for field in Person._meta.concrete_fields:
            assert getattr(lean, field.attname) == getattr(orm, field.attname), field.name
        assert not lean._state.adding
    assert found[1].mother == mother  # relations load as usual
    assert rows.matching(Person, "id_number", []) == []


def test_one_inserted_row_gets_its_id():
    entry = AuditRecord(action="create", event_type="test.inserted", extra={"n": 1})
    rows.insert([entry])
    assert entry.pk is not None and not entry._state.adding
    assert AuditRecord.objects.get(pk=entry.pk).extra == {"n": 1}


def test_written_values_are_what_save_would_send():
    """The shortcuts past get_db_prep_save (text, numbers, aware datetimes, dates, JSON)
    give the values it gives, on this database."""
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from banhao.onething.models import Task

    task = Task(
        application_id=1,
        position=3,
        item_id=2,
        department_id=4,
        state="ready",
        depends_on=[1, 2],
        inputs={"1": "出生医学证明 A123"},
        committed_days=5,
        started_on=dt.date(2026, 11, 26),
        due_date=None,
        accepted_at=timezone.now(),
        finished_at=dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC),
        result="沂公户 2026-001",
    )
    fields = rows._writer(Task, ())
    expected = [
        field.get_db_prep_save(field.pre_save(task, True), connection) for field, *_ in fields
    ]
    prepared = rows._prepared(connection, task, fields, True)
    assert [_sent(v) for v in prepared] == [_sent(v) for v in expected]
    assert {kind for *_, kind, _auto in fields} >= {
        rows._AS_IS_STR,
        rows._AS_IS_INT,
        rows._DATETIME,
        rows._DATE,
        rows._JSON,
    }


def _sent(value):
    """A parameter as the database gets it: jsonb by the value its text encodes (Jsonb
    compares by identity, and jsonb keeps no text), anything else as text."""
    from psycopg.types.json import Jsonb

    if isinstance(value, Jsonb):
        return json.loads((value.dumps or json.dumps)(value.obj))
    return str(value)


def test_json_columns_read_and_written_as_through_the_orm():
    import datetime as dt

    from django.db import DatabaseError

    value = {"名称": "出生医学证明", 3: [1, 2.5, None, True, "沂源"], "nested": {"empty": []}}
    lean = AuditRecord(action="create", event_type="test.json", extra=value, after=[value])
    rows.insert([lean])
    orm = AuditRecord.objects.create(
        action="create", event_type="test.json", extra=value, after=[value]
    )
    for pk in (lean.pk, orm.pk):
        assert rows.get(AuditRecord, pk).extra == AuditRecord.objects.get(pk=pk).extra
        assert AuditRecord.objects.get(pk=pk).after == [AuditRecord.objects.get(pk=orm.pk).extra]
    text_keys = {str(key): item for key, item in value.items()}
    assert AuditRecord.objects.get(pk=lean.pk).extra == text_keys
    with pytest.raises(TypeError):  # as json.dumps: a date is not JSON
        rows.insert([AuditRecord(action="create", event_type="t", extra={"d": dt.date.today()})])
    # Not a number is refused, not stored as null (on SQLite the JSON check refuses the
    # text json.dumps writes for it).
    with pytest.raises((ValueError, DatabaseError)):
        rows.insert([AuditRecord(action="create", event_type="t", extra={"x": float("nan")})])


def test_insert_new_skips_a_row_that_breaks_a_unique_constraint():
    from banhao.accounts.roles import Role
    from banhao.notifications.models import Notification
    from banhao.testing import make_user

    user = make_user(Role.CITIZEN, "rows_citizen")
    first = Notification(recipient=user, event_key="k1", kind="test", title="一")
    again = Notification(recipient=user, event_key="k1", kind="test", title="二")
    assert rows.insert_new(first) and first.pk is not None
    assert not rows.insert_new(again) and again.pk is None
    assert list(Notification.objects.filter(recipient=user).values_list("title", flat=True)) == [
        "一"
    ]


def test_times_are_read_as_the_orm_reads_them():
    """Aware, in the connection's time zone, to the microsecond (on PostgreSQL psycopg's
    compiled loader reads them for the lean reads, Django's for the ORM)."""
    import datetime as dt

    from banhao.notifications.models import Notification
    from banhao.testing import make_user

    at = dt.datetime(2026, 11, 26, 23, 59, 58, 123456, tzinfo=dt.UTC)
    note = Notification(recipient=make_user(), event_key="t", kind="t", title="t", read_at=at)
    rows.insert([note])
    lean, orm = rows.get(Notification, note.pk), Notification.objects.get(pk=note.pk)
    assert lean.read_at == orm.read_at == at
    assert lean.created_at == orm.created_at
    assert lean.read_at.tzinfo is orm.read_at.tzinfo


def test_database_errors_come_as_djangos_and_a_broken_transaction_stops_statements():
    from django.db import IntegrityError, transaction
    from django.db.transaction import TransactionManagementError

    from banhao.notifications.models import Notification
    from banhao.testing import make_user

    user = make_user()
    rows.insert([Notification(recipient=user, event_key="once", kind="test", title="一")])
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.insert([Notification(recipient=user, event_key="once", kind="test", title="二")])
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic(savepoint=False):
            raise RuntimeError("an inner block fails: the transaction must roll back")
        with pytest.raises(TransactionManagementError):
            rows.get(Notification, 1)
    assert list(Notification.objects.filter(recipient=user).values_list("title", flat=True)) == [
        "一"
    ]


def test_models_written_through_rows_have_no_save_signals():
    """core.rows bypasses save() and its signals: a receiver added later to one of these models
    would silently not run, so this test fails first."""
    from django.db.models.signals import post_save, pre_save

    from banhao.notifications.models import Delivery, Notification
    from banhao.onething.models import Application, Attachment, Event, Task

    for model in (AuditRecord, Notification, Delivery, Application, Attachment, Event, Task):
        assert not pre_save.has_listeners(model), model
        assert not post_save.has_listeners(model), model


def test_on_postgresql_the_statements_are_prepared_once_per_connection():
    """The lean statements run as prepared statements on PostgreSQL (parsed and planned once
    per connection); what they read and write is unchanged (the tests above)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are a PostgreSQL feature")
    entry = AuditRecord(action="create", event_type="test.prepared")
    rows.insert([entry])
    for _ in range(3):
        assert rows.get(AuditRecord, entry.pk).event_type == "test.prepared"
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
        prepared = dict(cursor.fetchall())
    select = rows._get_sql(AuditRecord, connection.alias).replace("%s", "$1")
    assert select in prepared, list(prepared)
    assert prepared[select] == 3  # prepared once, then only run


def test_a_batch_writes_when_its_block_ends_in_one_statement_on_postgresql():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from banhao.accounts.roles import Role
    from banhao.notifications.models import Notification
    from banhao.testing import make_user

    note = Notification(recipient=make_user(Role.CITIZEN, "batch_citizen"), kind="t", title="一")
    rows.insert([note])
    entries = [AuditRecord(action="create", event_type=f"test.batch.{n}") for n in range(2)]
    with CaptureQueriesContext(connection) as queries, rows.batch() as batch:
        note.title = "二"
        batch.update(note, ["title"])
        note.read_at = timezone.now()
        batch.update(note, ["read_at"])  # the same row again: merged into one update
        batch.insert(entries)
        assert Notification.objects.get(pk=note.pk).title == "一"  # nothing written yet
        assert not AuditRecord.objects.filter(event_type__startswith="test.batch").exists()
    stored = Notification.objects.get(pk=note.pk)
    assert (stored.title, stored.read_at) == ("二", note.read_at)
    assert set(
        AuditRecord.objects.filter(event_type__startswith="test.batch").values_list(
            "event_type", flat=True
        )
    ) == {"test.batch.0", "test.batch.1"}
    writes = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SELECT")]
    assert len(writes) == (1 if connection.vendor == "postgresql" else 2), writes


def test_a_batch_whose_block_raises_writes_nothing():
    with pytest.raises(ValueError), rows.batch() as batch:
        batch.insert([AuditRecord(action="create", event_type="test.batch.failed")])
        raise ValueError
    assert not AuditRecord.objects.filter(event_type="test.batch.failed").exists()


def test_placeholders_are_converted_once_per_statement_for_each_database():
    sql = 'UPDATE "t" SET "a" = %s WHERE "id" = %s'
    assert rows._numbered(sql) == b'UPDATE "t" SET "a" = $1 WHERE "id" = $2'
    assert rows._qmarks(sql) == 'UPDATE "t" SET "a" = ? WHERE "id" = ?'
    for convert in (rows._numbered, rows._qmarks):
        with pytest.raises(ValueError, match="not a statement built"):
            convert("SELECT 1 WHERE name LIKE '%%x'")


def test_new_builds_what_the_model_constructor_builds():
    from banhao.accounts.roles import Role
    from banhao.notifications.models import Notification
    from banhao.onething.models import Event
    from banhao.testing import make_user

    user = make_user(Role.CITIZEN, "rows_new_citizen")
    cases = [
        (AuditRecord, {"actor": user, "action": "create", "event_type": "t", "after": {"a": 1}}),
        (AuditRecord, {"actor": None, "action": "create", "event_type": "t"}),
        (Event, {"application_id": 7, "task_id": None, "kind": "submitted", "note": "备注"}),
        (Notification, {"recipient": user, "event_key": "k", "kind": "t", "title": "标题"}),
    ]
    for model, values in cases:
        lean, orm = rows.new(model, **values), model(**values)
        assert {k: v for k, v in lean.__dict__.items() if k != "_state"} == {
            k: v for k, v in orm.__dict__.items() if k != "_state"
        }, model
        assert lean._state.adding and lean._state.db is None
        assert lean._state.fields_cache == orm._state.fields_cache
    assert rows.new(AuditRecord, extra={"n": 1}).extra == {"n": 1}
    first, second = rows.new(AuditRecord), rows.new(AuditRecord)
    assert first.extra == {} and first.extra is not second.extra  # a default per instance
    with pytest.raises(TypeError):
        rows.new(Event, no_such_field=1)
