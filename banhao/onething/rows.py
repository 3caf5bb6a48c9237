# ruff: noqa: S608 - identifiers come from the models' metadata; every value is a parameter
"""Lean reads for the steps of an application (the hot path of issue 3, item 11).

A bundle's life is one submission and one step per item, each its own audited transaction;
the few statements a step runs are built once (see ``banhao.core.rows``, whose generic reads
and writes the services use through this module). No business rule lives here.

The models of this app define no ``save()`` overrides or signals, so the lean writes are what
``save()`` would do; every step still writes its audit record through ``banhao.audit``.
"""

from __future__ import annotations

from functools import cache

from django.db import connections

from banhao.catalog.models import BundleVersion
from banhao.core.rows import (
    Batch,
    batch,
    children,
    connection,
    cursor,
    get,
    insert,
    load,
    new,
    reader,
    together,
    update,
)

from .models import Application, Attachment, Task

__all__ = [
    "Batch",
    "batch",
    "children",
    "get",
    "insert",
    "lock_application",
    "lock_task",
    "new",
    "tasks_of",
    "update",
    "upload_summary",
]

_VERSION_FIELDS = ("id", "onething_id", "number", "digest")


@cache
def _lock_sql(alias: str, by_task: bool) -> str:
    conn = connections[alias]
    qn = conn.ops.quote_name
    columns, _names, _converters = reader(Application, alias)
    app, version = qn(Application._meta.db_table), qn(BundleVersion._meta.db_table)
    if by_task:
        task = qn(Task._meta.db_table)
        where = (
            f"{app}.{qn('id')} = (SELECT {qn('application_id')} FROM {task} WHERE {qn('id')} = %s)"
        )
    else:
        where = f"{app}.{qn('id')} = %s"
    version_columns = ", ".join(f"{version}.{qn(c)}" for c in _VERSION_FIELDS)
    sql = (
        f"SELECT {columns}, {version_columns} FROM {app} INNER JOIN {version} "
        f"ON {app}.{qn('version_id')} = {version}.{qn('id')} WHERE {where}"
    )
    if conn.features.has_select_for_update:
        sql += f" FOR UPDATE OF {app}"
    return sql


def lock_application(application_id: int) -> Application | None:
    """The application, locked for this transaction, with its version's number and digest
    (not its large definition: that comes from the per-process cache). On SQLite the write
    lock is the transaction itself (BEGIN IMMEDIATE). Returns None if there is no such
    application."""
    conn = connection()
    _columns, names, converters = reader(Application, conn.alias)
    with cursor(conn) as cur:
        cur.execute(_lock_sql(conn.alias, False), [application_id])
        row = cur.fetchone()
    if row is None:
        return None
    return _application(conn, row, names, converters)


@cache
def _tasks_sql(alias: str, by_task: bool = False) -> str:
    qn = connections[alias].ops.quote_name
    columns, _names, _converters = reader(Task, alias)
    task = qn(Task._meta.db_table)
    sql = f"SELECT {columns} FROM {task} WHERE {qn('application_id')} = "
    if by_task:  # the tasks of the application this task belongs to
        return sql + f"(SELECT {qn('application_id')} FROM {task} WHERE {qn('id')} = %s)"
    return sql + "%s"


def tasks_of(application: Application) -> dict[int, Task]:
    """The application's tasks by position (current when read after the application's lock)."""
    conn = connection()
    with cursor(conn) as cur:
        cur.execute(_tasks_sql(conn.alias), [application.pk])
        return _by_position(conn, application, cur.fetchall())


def _by_position(conn, application: Application, task_rows) -> dict[int, Task]:
    _columns, names, converters = reader(Task, conn.alias)
    tasks = [load(conn, Task, row, converters, names) for row in task_rows]
    for task in tasks:
        task._state.fields_cache["application"] = application
    return {task.position: task for task in tasks}


def lock_task(task_id: int) -> tuple[Application | None, dict[int, Task]]:
    """The application a task belongs to, locked as by ``lock_application``, and all its
    tasks by position as by ``tasks_of``: on PostgreSQL the transaction's BEGIN and both reads
    go in one round trip. The tasks are read by a statement that starts once the lock is
    held, so they are current. Returns (None, {}) if there is no such task."""
    conn = connection()
    _columns, names, converters = reader(Application, conn.alias)
    with cursor(conn) as locking, cursor(conn) as reading:
        with together(conn):
            locking.execute(_lock_sql(conn.alias, True), [task_id])
            reading.execute(_tasks_sql(conn.alias, True), [task_id])
        row = locking.fetchone()
        task_rows = reading.fetchall()
    if row is None:
        return None, {}
    application = _application(conn, row, names, converters)
    return application, _by_position(conn, application, task_rows)


def _application(conn, row, names, converters) -> Application:
    width = len(names)
    application = load(conn, Application, row[:width], converters, names)
    # The version as ``with_version()`` gives it: its definition deferred.
    application.version = BundleVersion.from_db(conn.alias, _VERSION_FIELDS, row[width:])
    return application


@cache
def _uploads_sql(alias: str) -> str:
    qn = connections[alias].ops.quote_name
    return (
        f"SELECT {qn('code')}, {qn('original_name')}, {qn('size')} "
        f"FROM {qn(Attachment._meta.db_table)} WHERE {qn('application_id')} = %s"
    )


def upload_summary(application_id: int) -> dict[str, tuple[str, int]]:
    """{material code: (file name, size)} of an application's uploads."""
    conn = connection()
    with cursor(conn) as cur:
        cur.execute(_uploads_sql(conn.alias), [application_id])
        return {code: (name, size) for code, name, size in cur.fetchall()}
