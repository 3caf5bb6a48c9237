# ruff: noqa: S608 - identifiers come from the models' metadata; every value is a parameter
"""Lean reads for the steps of an application (the hot path of issue 3, item 11).

A bundle's life is one submission and one step per item, each its own audited transaction;
the few statements a step runs are built once from the models' metadata (see
``banhao.core.rows``, whose generic reads and writes the services use through this module).
Each has its ORM equivalent, which runs when ``settings.BANHAO_LEAN_SQL`` is off. No business
rule lives here.
"""

from __future__ import annotations

from functools import cache

from banhao.accounts.models import User
from banhao.catalog.models import BundleVersion
from banhao.core.rows import (
    batch,
    children,
    column,
    connection,
    cursor,
    enabled,
    get,
    insert,
    load,
    new,
    queue_insert,
    queue_update,
    reader,
    table,
    together,
    update,
    use,
)

from .models import Application, Attachment, Correction, Event, MaterialRecord, Task

__all__ = [
    "batch",
    "children",
    "get",
    "insert",
    "lock_application",
    "lock_task",
    "material_summary",
    "new",
    "queue_insert",
    "queue_update",
    "tasks_of",
    "update",
    "upload_summary",
]

use(Application, Attachment, BundleVersion, Correction, Event, Task)
use(MaterialRecord, writes="none")  # read by material_summary
use(User, writes="none")  # the applicant to notify, read; User.save() is never bypassed

_VERSION_FIELDS = ("id", "onething", "number", "digest")


@cache
def _lock_sql(alias: str, by_task: bool) -> str:
    conn = connection()
    columns, _converters = reader(Application, alias)
    app_id = column(Application, "pk", alias)
    if by_task:
        owner = column(Task, "application", alias)
        task_id = column(Task, "pk", alias)
        where = f"{app_id} = (SELECT {owner} FROM {table(Task, alias)} WHERE {task_id} = %s)"
    else:
        where = f"{app_id} = %s"
    version_columns = ", ".join(column(BundleVersion, name, alias) for name in _VERSION_FIELDS)
    sql = (
        f"SELECT {columns}, {version_columns} FROM {table(Application, alias)} "
        f"INNER JOIN {table(BundleVersion, alias)} "
        f"ON {column(Application, 'version', alias)} = {column(BundleVersion, 'pk', alias)} "
        f"WHERE {where}"
    )
    if conn.features.has_select_for_update:
        sql += f" FOR UPDATE OF {table(Application, alias)}"
    return sql


def _locked_by_orm(application_id: int | None) -> Application | None:
    if application_id is None:
        return None
    return (
        Application.objects.with_version()
        .select_for_update(of=("self",))
        .filter(pk=application_id)
        .first()
    )


def lock_application(application_id: int) -> Application | None:
    """The application, locked for this transaction, with its version's number and digest
    (not its large definition: that comes from the per-process cache). On SQLite the write
    lock is the transaction itself (BEGIN IMMEDIATE). Returns None if there is no such
    application."""
    if not enabled():
        return _locked_by_orm(application_id)
    conn = connection()
    with cursor(conn) as cur:
        cur.execute(_lock_sql(conn.alias, False), [application_id])
        row = cur.fetchone()
    if row is None:
        return None
    return _application(conn, row)


@cache
def _tasks_sql(alias: str, by_task: bool = False) -> str:
    columns, _converters = reader(Task, alias)
    sql = (
        f"SELECT {columns} FROM {table(Task, alias)} WHERE {column(Task, 'application', alias)} = "
    )
    if by_task:  # the tasks of the application this task belongs to (read by alias ``t``)
        qn = connection().ops.quote_name
        owner, pk = qn(Task._meta.get_field("application").column), qn(Task._meta.pk.column)
        return sql + f"(SELECT t.{owner} FROM {table(Task, alias)} t WHERE t.{pk} = %s)"
    return sql + "%s"


def tasks_of(application: Application) -> dict[int, Task]:
    """The application's tasks by position (current when read after the application's lock)."""
    if not enabled():
        return {task.position: task for task in application.tasks.all()}
    conn = connection()
    with cursor(conn) as cur:
        cur.execute(_tasks_sql(conn.alias), [application.pk])
        return _by_position(conn, application, cur.fetchall())


def _by_position(conn, application: Application, task_rows) -> dict[int, Task]:
    tasks = [load(conn, Task, row) for row in task_rows]
    owner = Task._meta.get_field("application")
    for task in tasks:
        owner.set_cached_value(task, application)  # as ``application.tasks.all()`` gives them
    return {task.position: task for task in tasks}


def lock_task(task_id: int) -> tuple[Application | None, dict[int, Task]]:
    """The application a task belongs to, locked as by ``lock_application``, and all its
    tasks by position as by ``tasks_of``: on PostgreSQL the transaction's BEGIN and both reads
    go in one round trip. The tasks are read by a statement that starts once the lock is
    held, so they are current. Returns (None, {}) if there is no such task."""
    if not enabled():
        owner = Task.objects.filter(pk=task_id).values_list("application_id", flat=True).first()
        application = _locked_by_orm(owner)
        return (None, {}) if application is None else (application, tasks_of(application))
    conn = connection()
    with cursor(conn) as locking, cursor(conn) as reading:
        with together(conn):
            locking.execute(_lock_sql(conn.alias, True), [task_id])
            reading.execute(_tasks_sql(conn.alias, True), [task_id])
        row = locking.fetchone()
        task_rows = reading.fetchall()
    if row is None:
        return None, {}
    application = _application(conn, row)
    return application, _by_position(conn, application, task_rows)


def _application(conn, row) -> Application:
    width = len(Application._meta.concrete_fields)
    application = load(conn, Application, row[:width])
    # The version as ``with_version()`` gives it: its definition deferred.
    names = [BundleVersion._meta.get_field(name).attname for name in _VERSION_FIELDS]
    application.version = BundleVersion.from_db(conn.alias, names, row[width:])
    return application


@cache
def _uploads_sql(alias: str) -> str:
    names = ", ".join(column(Attachment, name, alias) for name in ("code", "original_name", "size"))
    return (
        f"SELECT {names} FROM {table(Attachment, alias)} "
        f"WHERE {column(Attachment, 'application', alias)} = %s"
    )


def upload_summary(application_id: int) -> dict[str, tuple[str, int]]:
    """{material code: (file name, size)} of an application's uploads."""
    if not enabled():
        found = Attachment.objects.filter(application_id=application_id)
        found = found.values_list("code", "original_name", "size")
        return {code: (name, size) for code, name, size in found}
    conn = connection()
    with cursor(conn) as cur:
        cur.execute(_uploads_sql(conn.alias), [application_id])
        return {code: (name, size) for code, name, size in cur.fetchall()}


@cache
def _materials_sql(alias: str) -> str:
    record_code = column(MaterialRecord, "code", alias)
    record_app = column(MaterialRecord, "application", alias)
    return (
        f"{_uploads_sql(alias)} UNION ALL "
        f"SELECT {record_code}, NULL, NULL FROM {table(MaterialRecord, alias)} "
        f"WHERE {record_app} = %s"
    )


def material_summary(application_id: int) -> tuple[dict[str, tuple[str, int]], set[str]]:
    """An application's uploads ({code: (file name, size)}) and the codes of the materials
    taken from government records (免提交), in one statement: pre-review at submission reads
    both."""
    uploads: dict[str, tuple[str, int]] = {}
    records: set[str] = set()
    if not enabled():
        uploads = upload_summary(application_id)
        found = MaterialRecord.objects.filter(application_id=application_id)
        return uploads, set(found.values_list("code", flat=True))
    conn = connection()
    with cursor(conn) as cur:
        cur.execute(_materials_sql(conn.alias), [application_id, application_id])
        for code, name, size in cur.fetchall():
            if size is None:
                records.add(code)
            else:
                uploads[code] = (name, size)
    return uploads, records
