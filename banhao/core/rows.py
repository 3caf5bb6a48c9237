# ruff: noqa: S608 - identifiers come from the models' metadata; every value is a parameter
"""Lean reads and writes for hot paths: statements built once per model and field list.

Building SQL through Django's query compiler costs 150–500 µs per statement on a small machine
— several times what the database takes to run a primary-key read or a one-row insert — and a
hot path's statements are always the same. So they are built once per model and field list
from the models' metadata (table and column names; the backend's and fields' converters for
values read; ``pre_save`` and ``get_db_prep_save`` for values written, exactly as
``Model.save`` does) and run on the connection's cursor. What comes back are ordinary model
instances (``Model.from_db``), so callers use them as usual. No business rule lives here.

Writes bypass ``save()`` and its signals on purpose: only use them for models with no
``save()`` override that matters and no signal receivers (the users say which, and why).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from weakref import WeakKeyDictionary

import orjson
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import (
    CharField,
    DateField,
    DateTimeField,
    Field,
    ForeignKey,
    IntegerField,
    JSONField,
    Model,
    TextField,
)
from django.db.models.base import ModelState
from django.db.models.signals import post_init


def connection():
    # The connection itself, not the ``django.db.connection`` proxy: every attribute read
    # through the proxy costs a context-local lookup.
    return connections[DEFAULT_DB_ALIAS]


def cursor(conn):
    """A cursor for the statements built here.

    On PostgreSQL, where the settings allow prepared statements
    (``DATABASE_PREPARED_STATEMENTS``), it binds parameters on the server and prepares each
    statement on its first run on a connection, so parsing and planning are paid once per
    connection instead of on every run: that halves the server's work in a one-thing step.
    (Django's own cursors bind on the client, which cannot prepare.) On SQLite it sends the
    ``?`` placeholders, converted once per statement, where Django's cursor converts each
    statement again on every run (sqlite3 itself keeps the compiled statements). Database
    errors are translated as by Django's cursors (``_Cursor``); where execute wrappers are
    installed it is wrapped by Django, so they see these statements too. While queries are
    logged (DEBUG, tests that count queries) it is Django's own cursor, whose log shows each
    statement with its values.
    """
    if conn.queries_logged:
        return conn.cursor()
    if conn.vendor == "sqlite":
        if conn.connection is None:
            conn.ensure_connection()
        with conn.wrap_database_errors:
            return _wrapped(conn, conn.connection.cursor(factory=_qmark_cursor()))
    if conn.vendor != "postgresql":  # pragma: no cover - both supported databases are above
        return conn.cursor()
    conn.close_if_health_check_failed()
    conn.ensure_connection()
    if conn.connection.prepare_threshold is None:
        return conn.cursor()
    with conn.wrap_database_errors:
        raw = _preparing_cursor()(conn.connection)
    if conn.timezone is UTC:
        raw._adapters = _compiled_times(conn.connection)
    return _wrapped(conn, raw)


def _wrapped(conn, raw):
    if conn.execute_wrappers:
        return conn._prepare_cursor(raw)
    conn.validate_thread_sharing()
    return _Cursor(raw, conn)


class _Cursor:
    """What Django's CursorWrapper does for the calls made here (database errors translated,
    no statement after an error in the transaction), without its per-call indirections."""

    __slots__ = ("cursor", "db")

    def __init__(self, raw, conn):
        self.cursor = raw
        self.db = conn

    def execute(self, sql, params=None):
        self.db.validate_no_broken_transaction()
        with self.db.wrap_database_errors:
            return self.cursor.execute(sql, params)

    def fetchone(self):
        with self.db.wrap_database_errors:
            return self.cursor.fetchone()

    def fetchall(self):
        with self.db.wrap_database_errors:
            return self.cursor.fetchall()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        with suppress(self.db.Database.Error):  # as Django's: no use in a cleanup's error
            self.cursor.close()


_times_maps = WeakKeyDictionary()


def _compiled_times(raw_connection):
    """The connection's adapters, with psycopg's compiled timestamptz loader in place of
    Django's, which runs psycopg's Python one and then sets the tzinfo to the connection's
    time zone. Used only where that is UTC, the session's time zone Django sets, which the
    compiled loader gives as well: the same values, several times faster (a step reads some
    sixty timestamps)."""
    adapters = _times_maps.get(raw_connection)
    if adapters is None:
        from psycopg.adapt import AdaptersMap
        from psycopg.types.datetime import TimestamptzLoader

        adapters = AdaptersMap(raw_connection.adapters)
        adapters.register_loader("timestamptz", TimestamptzLoader)  # its compiled version
        _times_maps[raw_connection] = adapters
    return adapters


@cache
def _preparing_cursor():
    from psycopg import RawCursor

    class PreparingCursor(RawCursor):
        """Prepares every statement; takes the ``%s`` placeholders of the statements built
        here and sends PostgreSQL's own ``$n``, converted and encoded once per statement
        (psycopg would encode a batch's long statements again on every run, and hash them
        again to find their prepared statements)."""

        def execute(self, query, params=None, *, prepare=True, binary=None):
            return super().execute(_numbered(query), params, prepare=prepare, binary=binary)

    return PreparingCursor


@cache
def _qmark_cursor():
    from sqlite3 import Cursor

    class QmarkCursor(Cursor):
        """Takes the ``%s`` placeholders of the statements built here and sends ``?``,
        converted once per statement."""

        def execute(self, query, params=()):
            return super().execute(_qmarks(query), params)

    return QmarkCursor


def _placeholders(query: str) -> list[str]:
    parts = query.split("%s")
    if any("%" in part for part in parts):
        raise ValueError(f"not a statement built by banhao.core.rows: {query[:80]}")
    return parts


@lru_cache(maxsize=512)
def _numbered(query: str) -> bytes:
    """``%s`` placeholders as ``$1, $2, …`` (the statements built here have no other ``%``),
    encoded as the connection's UTF-8, which Django sets."""
    parts = _placeholders(query)
    numbered = "".join(f"{part}${n}" for n, part in enumerate(parts[:-1], 1)) + parts[-1]
    return numbered.encode()


@lru_cache(maxsize=512)
def _qmarks(query: str) -> str:
    """``%s`` placeholders as ``?``."""
    return "?".join(_placeholders(query))


@contextmanager
def together(conn) -> Iterator[None]:
    """Send the statements executed in the block in one round trip, where the database is
    across a connection (PostgreSQL's pipeline mode); read their results after the block.
    Each statement still runs after the one before it, with its own snapshot. A
    transaction's BEGIN, which psycopg sends on its own before the first statement, joins
    them. Elsewhere (SQLite, in the process) the statements simply run in turn."""
    if conn.vendor != "postgresql":
        yield
        return
    conn.ensure_connection()
    with conn.wrap_database_errors, conn.connection.pipeline():
        yield


@cache
def reader(model: type[Model], alias: str) -> tuple[str, list[str], list[tuple[int, list]]]:
    """Column list, attribute names and per-column converters of a model, for ``from_db``."""
    conn = connections[alias]
    qn = conn.ops.quote_name
    fields = model._meta.concrete_fields
    table = model._meta.db_table
    columns = ", ".join(f"{qn(table)}.{qn(f.column)}" for f in fields)
    converters = []
    for index, field in enumerate(fields):
        col = field.get_col(table)
        found = conn.ops.get_db_converters(col) + col.get_db_converters(conn)
        if _plain_json(field):
            found = [_json_from_db if fn == field.from_db_value else fn for fn in found]
        if found:
            converters.append((index, [(fn, col) for fn in found]))
    return columns, [f.attname for f in fields], converters


def _plain_json(field) -> bool:
    """A JSON column with the standard library's encoding, which orjson reads (and, on
    PostgreSQL, writes) alike, several times faster: a step reads a dozen such columns."""
    return type(field) is JSONField and field.encoder is None and field.decoder is None


def _json_from_db(value, expression, connection):
    """``JSONField.from_db_value`` for a column read whole: text that is not JSON is
    returned as it is, as there."""
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return value


# As json.dumps: keys that are not text become text; dates and dataclasses are refused.
_JSON_OPTIONS = (
    orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)


def _json_dumps(value) -> bytes:
    encoded = orjson.dumps(value, option=_JSON_OPTIONS)
    if b"null" in encoded:
        # orjson writes NaN and infinities as null; json.dumps writes them as text that
        # PostgreSQL refuses. Refuse them here too rather than store a null in their place.
        json.dumps(value, allow_nan=False)  # raises ValueError for them
    return encoded


def load(conn, model: type[Model], row: Sequence, converters, names: list[str]) -> Model:
    if converters:
        row = list(row)
        for index, functions in converters:
            value = row[index]
            if value is None:
                continue  # every converter Django ships reads NULL as None
            for fn, col in functions:
                value = fn(value, col, conn)
            row[index] = value
    if post_init.has_listeners(model):  # pragma: no cover - none for this app's models
        return model.from_db(conn.alias, None, row)
    # What ``from_db`` ends with, without ``__init__``'s per-field work: every value is a
    # column's, already converted, and nobody listens to post_init.
    obj = model.__new__(model)
    obj.__dict__.update(zip(names, row, strict=True))
    obj._state = ModelState()
    obj._state.adding = False
    obj._state.db = conn.alias
    return obj


@cache
def _blank(model: type[Model]) -> tuple[dict, list, dict, frozenset] | None:
    """A new instance's constant field values, its fields with a default to call, its
    relations by name and every attribute name (what ``Model.__init__`` works out for each
    instance); None where ``new`` must use ``__init__`` (a relation to a field other than the
    primary key)."""
    constant, computed, relations = {}, [], {}
    for field in model._meta.concrete_fields:
        if field.has_default() and callable(field.default):
            computed.append((field.attname, field.default))
        else:
            constant[field.attname] = field.get_default()
        if field.is_relation:
            if not field.target_field.primary_key:
                return None
            relations[field.name] = field.attname
    names = frozenset(constant) | {attname for attname, _ in computed}
    return constant, computed, relations, names


def new(model: type[Model], **values) -> Model:
    """``model(**values)`` without ``Model.__init__``'s per-field work, for the rows a hot path
    creates: values by attribute name, or a related instance by relation name. Anything else
    (another keyword, a model with post_init receivers) goes through ``__init__``."""
    blank = _blank(model)
    if blank is None or post_init.has_listeners(model):
        return model(**values)
    constant, computed, relations, names = blank
    obj = model.__new__(model)
    state = obj._state = ModelState()
    attrs = obj.__dict__
    attrs.update(constant)
    for name, value in values.items():
        if name in relations:
            attrs[relations[name]] = None if value is None else value.pk
            state.fields_cache[name] = value
        elif name in names:
            attrs[name] = value
        else:
            return model(**values)  # a property, or a name __init__ refuses
    for attname, default in computed:
        if attname not in attrs:
            attrs[attname] = default()
    return obj


@cache
def _get_sql(model: type[Model], alias: str) -> str:
    qn = connections[alias].ops.quote_name
    columns, _names, _converters = reader(model, alias)
    table = qn(model._meta.db_table)
    return f"SELECT {columns} FROM {table} WHERE {table}.{qn(model._meta.pk.column)} = %s"


def get(model: type[Model], pk) -> Model:
    """``model.objects.get(pk=pk)``, with the statement built once."""
    conn = connection()
    _columns, names, converters = reader(model, conn.alias)
    with cursor(conn) as cur:
        cur.execute(_get_sql(model, conn.alias), [pk])
        row = cur.fetchone()
    if row is None:
        raise model.DoesNotExist
    return load(conn, model, row, converters, names)


@cache
def _children_sql(model: type[Model], column: str, alias: str, count: int = 0) -> str:
    qn = connections[alias].ops.quote_name
    columns, _names, _converters = reader(model, alias)
    table = qn(model._meta.db_table)
    where = "= %s" if not count else f"IN ({', '.join(['%s'] * count)})"
    return (
        f"SELECT {columns} FROM {table} WHERE {table}.{qn(column)} {where} "
        f"ORDER BY {table}.{qn(model._meta.pk.column)}"
    )


def children(model: type[Model], column: str, value) -> list:
    """``model.objects.filter(<column>=value).order_by("pk")``, with the statement built once."""
    conn = connection()
    _columns, names, converters = reader(model, conn.alias)
    with cursor(conn) as cur:
        cur.execute(_children_sql(model, column, conn.alias), [value])
        return [load(conn, model, row, converters, names) for row in cur.fetchall()]


def matching(model: type[Model], column: str, values: Sequence) -> list:
    """``model.objects.filter(<column>__in=values).order_by("pk")``, with the statement built
    once per number of distinct values."""
    values = list(dict.fromkeys(values))
    if not values:
        return []
    conn = connection()
    _columns, names, converters = reader(model, conn.alias)
    with cursor(conn) as cur:
        cur.execute(_children_sql(model, column, conn.alias, len(values)), values)
        return [load(conn, model, row, converters, names) for row in cur.fetchall()]


# --- writing ------------------------------------------------------------------------------


# How ``_prepared`` may shortcut ``get_db_prep_save`` for a field: values of these kinds go
# straight to what it ends with, skipping only steps that return them unchanged.
_AS_IS_STR, _AS_IS_INT, _DATETIME, _DATE, _JSON = range(5)


def _kind(field) -> int | None:
    if isinstance(field, ForeignKey):
        return _AS_IS_INT if isinstance(field.target_field, IntegerField) else None
    if type(field) in (CharField, TextField):
        return _AS_IS_STR
    if isinstance(field, IntegerField):
        return _AS_IS_INT
    if type(field) is DateTimeField:
        return _DATETIME
    if type(field) is DateField:
        return _DATE
    if _plain_json(field):
        return _JSON
    return None


@cache
def _writer(model: type[Model], names: tuple[str, ...]) -> list[tuple]:
    fields = (
        [model._meta.get_field(name) for name in names]
        if names
        else [f for f in model._meta.concrete_fields if not f.primary_key]
    )
    return [(f, f.attname, _kind(f), _pre_save_on(f)) for f in fields]


# When ``save()``'s call of ``pre_save`` does more than read the attribute.
_NEVER, _ON_INSERT, _ALWAYS = range(3)


def _pre_save_on(field) -> int:
    if getattr(field, "auto_now", False):
        return _ALWAYS
    if getattr(field, "auto_now_add", False):
        return _ON_INSERT
    if isinstance(field, DateField) or type(field).pre_save is Field.pre_save:
        return _NEVER  # a date's pre_save only reads the attribute unless it is automatic
    return _ON_INSERT  # e.g. a file field, which stores its file on insert


@cache
def _jsonb():
    """psycopg's jsonb parameter (imported once, and only on PostgreSQL)."""
    from psycopg.types.json import Jsonb

    return Jsonb


def _prepared(conn, obj: Model, fields, add: bool) -> list:
    """The values ``save()`` would send for these fields: ``pre_save``, then
    ``get_db_prep_save``, whose conversions are skipped where they return the value unchanged
    (text, whole numbers, an aware datetime, a date, a dict or list for JSON) and the backend's
    adapter is called directly."""
    values = []
    ops = conn.ops
    on_postgresql = conn.vendor == "postgresql"
    for field, attname, kind, pre_save in fields:
        if pre_save == _ALWAYS or (add and pre_save == _ON_INSERT):
            value = field.pre_save(obj, add)
        else:
            value = getattr(obj, attname)
        cls = type(value)
        if value is None and kind is not None:
            values.append(None)
        elif (kind == _AS_IS_STR and cls is str) or (kind == _AS_IS_INT and cls is int):
            values.append(value)
        elif kind == _DATETIME and cls is datetime and value.tzinfo is not None:
            values.append(ops.adapt_datetimefield_value(value))
        elif kind == _DATE and cls is date:
            values.append(ops.adapt_datefield_value(value))
        elif kind == _JSON and (cls is dict or cls is list):
            # On PostgreSQL orjson encodes it: jsonb keeps the parsed value, not the text, so
            # it is the one json.dumps gives. Elsewhere the column keeps the ORM's very text.
            if on_postgresql:
                values.append(_jsonb()(value, dumps=_json_dumps))
            else:
                values.append(ops.adapt_json_value(value, None))
        else:
            values.append(field.get_db_prep_save(value, conn))
    return values


@cache
def _update_sql(model: type[Model], names: tuple[str, ...], alias: str) -> str:
    qn = connections[alias].ops.quote_name
    fields = _writer(model, names)
    assignments = ", ".join(f"{qn(f.column)} = %s" for f, *_ in fields)
    return (
        f"UPDATE {qn(model._meta.db_table)} SET {assignments} "
        f"WHERE {qn(model._meta.pk.column)} = %s"
    )


def update(obj: Model, names: Iterable[str]) -> None:
    """``obj.save(update_fields=names)`` for a model with no save() override or signals
    (``auto_now`` fields named are set, as by save)."""
    conn = connection()
    names = tuple(names)
    fields = _writer(type(obj), names)
    with cursor(conn) as cur:
        cur.execute(
            _update_sql(type(obj), names, conn.alias),
            [*_prepared(conn, obj, fields, False), obj.pk],
        )


@cache
def _insert_sql(
    model: type[Model], rows: int, key: str, alias: str, skip: bool = False, ids: bool = True
) -> str:
    qn = connections[alias].ops.quote_name
    fields = _writer(model, ())
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f, *_ in fields)}) "
        f"VALUES {', '.join([row] * rows)}"
    )
    if skip:
        sql += " ON CONFLICT DO NOTHING"
    if key:
        sql += f" RETURNING {qn(model._meta.pk.column)}, {qn(model._meta.get_field(key).column)}"
    elif rows == 1 and ids:
        sql += f" RETURNING {qn(model._meta.pk.column)}"
    return sql


def _mark_saved(objs: Iterable[Model], alias: str) -> None:
    """What ``save()`` leaves on an instance it inserted."""
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias


def insert(objs: Sequence[Model], *, key: str = "") -> None:
    """``bulk_create`` of new rows of one model (every concrete field but the primary key).
    A single object gets its id, as from ``save()``. With ``key`` (an attribute unique among
    ``objs``, e.g. a task's position) each object gets its id, matched on that attribute:
    RETURNING promises no order of rows."""
    if not objs:
        return
    conn = connection()
    model = type(objs[0])
    if not conn.features.can_return_rows_from_bulk_insert:  # pragma: no cover
        model.objects.bulk_create(objs)  # both supported databases return rows
        return
    fields = _writer(model, ())
    params = []
    for obj in objs:
        params += _prepared(conn, obj, fields, True)
    with cursor(conn) as cur:
        cur.execute(_insert_sql(model, len(objs), key, conn.alias), params)
        if key:
            ids = {k: pk for pk, k in cur.fetchall()}
            for obj in objs:
                obj.pk = ids[getattr(obj, key)]
        elif len(objs) == 1:
            objs[0].pk = cur.fetchone()[0]
    _mark_saved(objs, conn.alias)


def insert_new(obj: Model) -> bool:
    """Insert one row unless it breaks a unique constraint (``ON CONFLICT DO NOTHING``, on both
    supported databases); False if it did. No savepoint is needed, unlike catching the
    IntegrityError of ``save()`` inside ``atomic()``."""
    conn = connection()
    model = type(obj)
    with cursor(conn) as cur:
        cur.execute(
            _insert_sql(model, 1, "", conn.alias, True),
            _prepared(conn, obj, _writer(model, ()), True),
        )
        row = cur.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    _mark_saved([obj], conn.alias)
    return True


# --- batches ------------------------------------------------------------------------------


class Batch:
    """Updates and inserts that wait for the end of a ``batch()`` block, then run together."""

    def __init__(self, conn):
        self.conn = conn
        self._updates: dict[tuple, tuple[Model, list[str]]] = {}
        self._writes: list[tuple] = []  # in order: ("update", key) or ("insert", objs, params)

    def update(self, obj: Model, names: Iterable[str]) -> None:
        """``update(obj, names)`` at the end of the block, with the values ``obj`` has then.
        Updates of one row are merged: one statement may not change a row twice."""
        key = (type(obj), obj.pk)
        if key in self._updates:
            merged = self._updates[key][1]
            merged += [name for name in names if name not in merged]
        else:
            self._updates[key] = (obj, list(names))
            self._writes.append(("update", key))

    def insert(self, objs: Sequence[Model]) -> None:
        """``insert(objs)`` at the end of the block, with the values the objects have now.
        The objects get no id (as from ``bulk_create`` on a database that cannot return
        them): insert what needs its id before the block."""
        if objs:
            fields = _writer(type(objs[0]), ())
            params = [value for obj in objs for value in _prepared(self.conn, obj, fields, True)]
            self._writes.append(("insert", objs, params))

    def _statements(self) -> list[tuple[str, list]]:
        alias = self.conn.alias
        statements = []
        for write in self._writes:
            if write[0] == "update":
                obj, names = self._updates[write[1]]
                names = tuple(names)
                sql = _update_sql(type(obj), names, alias)
                params = [*_prepared(self.conn, obj, _writer(type(obj), names), False), obj.pk]
            else:
                objs, params = write[1], write[2]
                sql = _insert_sql(type(objs[0]), len(objs), "", alias, ids=False)
            statements.append((sql, params))
        return statements

    def run(self) -> None:
        statements = self._statements()
        if not statements:
            return
        conn = self.conn
        if conn.vendor == "postgresql" and len(statements) > 1:
            # One statement, each write a data-modifying WITH: one round trip, one executor
            # start, instead of one per write. Each row is written at most once (updates are
            # merged above), and PostgreSQL runs every such WITH to completion.
            statements = [
                (
                    "WITH "
                    + ", ".join(f"w{n} AS ({sql})" for n, (sql, _) in enumerate(statements))
                    + " SELECT 1",
                    [value for _, values in statements for value in values],
                )
            ]
        with cursor(conn) as cur:
            for sql, params in statements:
                cur.execute(sql, params)
        for write in self._writes:
            if write[0] == "insert":
                _mark_saved(write[1], conn.alias)


@contextmanager
def batch() -> Iterator[Batch]:
    """Collect a step's last writes, the ones after its last read, and run them together when
    the block ends: on PostgreSQL as one statement, elsewhere one after another. Use it inside
    the step's transaction; if the block raises, nothing it collected is written (the
    transaction is rolled back anyway). Reads in the block do not see the collected writes."""
    collected = Batch(connection())
    yield collected
    collected.run()
