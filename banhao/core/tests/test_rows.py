"""core.rows reads what the ORM reads and writes what save() writes (for models it serves).

Every behaviour test runs twice: with lean statements (the default, as in production) and with
the ORM fallback switch (``BANHAO_LEAN_SQL = False``), which must give the same results.
"""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, transaction

from banhao.archives.models import Person
from banhao.audit.models import AuditRecord
from banhao.core import rows
from banhao.testing import person_archive, valid_id_number

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=[True, False], ids=["lean", "orm"])
def lean_sql(request, settings):
    settings.BANHAO_LEAN_SQL = request.param
    return request.param


def lean_only(lean_sql):
    if not lean_sql:
        pytest.skip("about the lean statements themselves")


def test_lean_statements_are_the_default(lean_sql):
    from django.conf import settings as project_settings

    lean_only(lean_sql)
    assert rows.enabled() and project_settings.BANHAO_LEAN_SQL is True


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


def test_written_values_are_what_save_would_send(lean_sql):
    """The shortcuts past get_db_prep_save (text, numbers, aware datetimes, dates, JSON)
    give the values it gives, on this database."""
    import datetime as dt

    from django.utils import timezone

    lean_only(lean_sql)
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
    from django.db import IntegrityError
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


def test_prepared_on_postgresql_once_per_connection(lean_sql):
    """On PostgreSQL the lean statements bind on the server and psycopg prepares a statement
    run repeatedly on a connection (OPTIONS prepare_threshold): parsed and planned once, then
    only run."""
    lean_only(lean_sql)
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are a PostgreSQL feature")
    threshold = connection.settings_dict["OPTIONS"]["prepare_threshold"]
    entry = AuditRecord(action="create", event_type="test.prepared")
    rows.insert([entry])
    for _ in range(threshold + 3):
        assert rows.get(AuditRecord, entry.pk).event_type == "test.prepared"
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
        prepared = dict(cursor.fetchall())
    select = rows._get_sql(AuditRecord, connection.alias).replace("%s", "$1")
    assert select in prepared, list(prepared)
    assert prepared[select] <= 3  # prepared once, then only run


def test_lean_statements_go_through_djangos_cursor_as_in_production(lean_sql):
    """Execute wrappers and the query log see the very statements production runs."""
    from django.test.utils import CaptureQueriesContext

    lean_only(lean_sql)
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    entry = AuditRecord(action="create", event_type="test.wrapped")
    with connection.execute_wrapper(wrapper), CaptureQueriesContext(connection) as logged:
        rows.insert([entry])
        rows.get(AuditRecord, entry.pk)
    assert seen[-1] == rows._get_sql(AuditRecord, connection.alias)
    assert len(seen) == len(logged.captured_queries) == 2


def test_an_update_that_changes_no_row_raises():
    from banhao.notifications.models import Notification
    from banhao.testing import make_user

    note = Notification(recipient=make_user(), event_key="count", kind="t", title="一")
    rows.insert([note])
    Notification.objects.filter(pk=note.pk).delete()  # as if another transaction had
    note.title = "二"
    with pytest.raises(DatabaseError), transaction.atomic():
        rows.update(note, ["title"])
    with pytest.raises(DatabaseError), transaction.atomic(), rows.batch():
        rows.queue_insert([AuditRecord(action="create", event_type="test.count.batch")])
        rows.queue_update(note, ["title"])
    assert not AuditRecord.objects.filter(event_type="test.count.batch").exists()


def test_a_batch_writes_when_its_block_ends_in_one_statement_on_postgresql(lean_sql):
    from django.utils import timezone

    from banhao.accounts.roles import Role
    from banhao.audit.services import record
    from banhao.notifications.models import Notification
    from banhao.testing import make_user

    note = Notification(recipient=make_user(Role.CITIZEN, "batch_citizen"), kind="t", title="一")
    rows.insert([note])
    entries = [AuditRecord(action="create", event_type=f"test.batch.{n}") for n in range(2)]
    statements = []

    def seen(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(seen), rows.batch():
        note.title = "二"
        rows.queue_update(note, ["title"])
        note.read_at = timezone.now()
        rows.queue_update(note, ["read_at"])  # the same row again: merged into one update
        rows.queue_insert(entries)
        # A service called in the block joins the batch without being told.
        record(actor=None, action="create", event_type="test.batch.audit")
        assert Notification.objects.get(pk=note.pk).title == "一"  # nothing written yet
        assert not AuditRecord.objects.filter(event_type__startswith="test.batch").exists()
    stored = Notification.objects.get(pk=note.pk)
    assert (stored.title, stored.read_at) == ("二", note.read_at)
    assert set(
        AuditRecord.objects.filter(event_type__startswith="test.batch").values_list(
            "event_type", flat=True
        )
    ) == {"test.batch.0", "test.batch.1", "test.batch.audit"}
    writes = [sql for sql in statements if not sql.startswith("SELECT")]
    if lean_sql:
        assert len(writes) == (1 if connection.vendor == "postgresql" else 3), writes


def test_a_batch_whose_block_raises_writes_nothing():
    with pytest.raises(ValueError), rows.batch():
        rows.queue_insert([AuditRecord(action="create", event_type="test.batch.failed")])
        raise ValueError
    assert not AuditRecord.objects.filter(event_type="test.batch.failed").exists()


def test_the_system_check_refuses_models_whose_save_init_or_signals_lean_would_bypass():
    from django.db.models.signals import post_save

    import banhao.onething.rows  # noqa: F401  (registers the models the steps use)
    from banhao.accounts.models import User
    from banhao.core.checks import lean_statement_models
    from banhao.onething.models import Event

    assert lean_statement_models() == []
    assert {Event, User, AuditRecord} <= rows.registered()
    assert rows.refusals(User) == []  # only read: its save() is never bypassed
    with pytest.raises(ImproperlyConfigured, match="may not update"):
        rows.update(User(pk=1), ["full_name"])
    with pytest.raises(ImproperlyConfigured, match="may not update"):
        rows.update(AuditRecord(pk=1), ["summary"])  # only inserted: its save() refuses updates

    def receiver(sender, **kwargs):
        pass

    post_save.connect(receiver, sender=Event)
    try:
        errors = lean_statement_models()
    finally:
        post_save.disconnect(receiver, sender=Event)
    assert [(e.id, e.obj) for e in errors] == [("banhao.E001", Event)]
    assert "post_save receivers" in errors[0].msg


def test_a_refused_model_used_without_registering_is_refused_at_first_use(lean_sql):
    from banhao.org.models import Department

    lean_only(lean_sql)
    assert Department not in rows.registered()
    Department.save = lambda self, *args, **kwargs: None  # as if it had its own save()
    try:
        with pytest.raises(ImproperlyConfigured, match="overrides save"):
            rows.get(Department, 1)
    finally:
        del Department.save


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
        assert lean._state.adding and orm._state.adding
        for field in model._meta.concrete_fields:
            if field.is_relation and field.name in values:
                assert getattr(lean, field.name) is values[field.name]  # cached, no query
    assert rows.new(AuditRecord, extra={"n": 1}).extra == {"n": 1}
    first, second = rows.new(AuditRecord), rows.new(AuditRecord)
    assert first.extra == {} and first.extra is not second.extra  # a default per instance
    with pytest.raises(TypeError):
        rows.new(Event, no_such_field=1)


def test_placeholders_are_converted_once_per_statement_on_sqlite():
    assert rows._qmarks('UPDATE "t" SET "a" = %s WHERE "id" = %s') == (
        'UPDATE "t" SET "a" = ? WHERE "id" = ?'
    )
    with pytest.raises(ValueError, match="not a statement built"):
        rows._qmarks("SELECT 1 WHERE name LIKE '%%x'")
