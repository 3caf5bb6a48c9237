# ruff: noqa: S608 - identifiers come from the models' metadata; every value is a parameter
"""Lean statements: the one home of hand-built SQL for hot paths (docs/adr/0011-lean-sql.md).

Building SQL through Django's query compiler costs 150–500 µs per statement on a small machine,
several times what the database takes to run a primary-key read or a one-row insert, and a hot
path's statements are always the same. So they are built once per model and field list from
the models' metadata (table and column names from ``_meta``; the backend's and fields'
converters for values read; ``pre_save`` and ``get_db_prep_save`` for values written, as
``Model.save`` does) and run on Django's own cursor (``connection.cursor()``), under test as in
production. What comes back are ordinary model instances (``Model.from_db``). No business rule
lives here.

The rules that keep it honest:

* **Registered models only.** A module that uses lean statements names its models with
  ``use(...)`` at import; a model used without that is checked on its first use. Lean
  statements bypass ``save()``, ``__init__``'s keyword handling and signals, so a model that
  overrides ``save``, ``__init__`` or ``from_db``, or has pre/post save/init/delete receivers,
  is refused: by the system check ``banhao.E001`` (``banhao.core.checks``) for registered
  models, by ``ImproperlyConfigured`` for one used unregistered.
* **Row counts are checked**: an update that does not change exactly its one row raises
  ``RowCountMismatch`` (a ``DatabaseError``, as ``save(update_fields=…)`` raises when it
  changes nothing).
* **An ORM fallback switch**: with ``settings.BANHAO_LEAN_SQL`` false (environment
  ``BANHAO_LEAN_SQL=0``) every call here runs its ORM equivalent instead.
* **Batches are a context, not an argument**: ``with batch():`` collects the ``queue_update``
  and ``queue_insert`` calls made anywhere inside it (an audit record, a step's events) and
  runs them at its end; outside a batch they run at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from typing import TypeVar

import orjson
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, DatabaseError, IntegrityError, connections, transaction
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
from django.db.models.signals import (
    post_delete,
    post_init,
    post_save,
    pre_delete,
    pre_init,
    pre_save,
)
from django.dispatch import receiver
from django.test.signals import setting_changed


class RowCountMismatch(DatabaseError):
    """A lean write changed another number of rows than it had to."""


# --- the registry, the switch and the connection --------------------------------------------

# model → what lean statements do with it besides reading: "none", "insert" or "update"
_registered: dict[type[Model], str] = {}
_checked: set[type[Model]] = set()
_WRITES = ("none", "insert", "update")

_SIGNALS = {
    "pre_init": pre_init,
    "post_init": post_init,
    "pre_save": pre_save,
    "post_save": post_save,
    "pre_delete": pre_delete,
    "post_delete": post_delete,
}


def use(*models: type[Model], writes: str = "update") -> None:
    """Declare, at import, the models a module uses with lean statements, so that the system
    check (``banhao.core.checks``) refuses any of them that lean statements would
    misrepresent. ``writes`` says what they do besides reading it: ``"update"`` (and insert),
    ``"insert"`` (never update: a ``save()`` override that only refuses changing a saved row,
    as the audit trail's, is then allowed) or ``"none"`` (only read: its ``save()`` is never
    bypassed, so its override is allowed). A lean write beyond what was declared is refused."""
    if writes not in _WRITES:
        raise ValueError(f"writes must be one of {_WRITES}")
    for model in models:  # the widest use declared anywhere
        known = _registered.get(model, "none")
        _registered[model] = max(known, writes, key=_WRITES.index)


def registered() -> frozenset[type[Model]]:
    return frozenset(_registered)


def refusals(model: type[Model]) -> list[str]:
    """Why lean statements would not do what the ORM does for this model (empty if they do):
    its own ``__init__`` or ``from_db``, or ``save`` where it is updated (or used without
    ``use()``), or receivers of its init, save or delete signals (none of which a lean
    statement calls)."""
    names = ("__init__", "from_db")
    if _registered.get(model, "update") == "update":
        names += ("save",)
    found = [
        f"overrides {name}()"
        for name in names
        if _function(getattr(model, name)) is not _function(getattr(Model, name))
    ]
    found += [f"has {name} receivers" for name, s in _SIGNALS.items() if s.has_listeners(model)]
    return found


def _function(attribute):
    return getattr(attribute, "__func__", attribute)  # a classmethod's function


def _allowed(model: type[Model]) -> None:
    """Refuse a model used without ``use()`` whose save, init or signals lean statements would
    bypass (checked once per model; registered models are the system check's)."""
    if model in _checked:
        return
    if model not in _registered and (found := refusals(model)):
        raise ImproperlyConfigured(
            f"{model._meta.label} cannot use lean statements: {', '.join(found)}"
        )
    _checked.add(model)


def _writable(model: type[Model], write: str) -> None:
    declared = _registered.get(model, "update")
    if _WRITES.index(declared) < _WRITES.index(write):
        raise ImproperlyConfigured(
            f"lean statements may not {write} {model._meta.label} (declared: {declared})"
        )


_switch: list[bool] = []  # the setting, read once (and again when a test overrides it)


def enabled() -> bool:
    """The switch: False runs every lean call as its ORM equivalent."""
    if not _switch:
        _switch.append(getattr(settings, "BANHAO_LEAN_SQL", True))
    return _switch[0]


@receiver(setting_changed)
def _setting_changed(setting, **kwargs) -> None:
    if setting == "BANHAO_LEAN_SQL":
        _switch.clear()


def connection():
    # The connection itself, not the ``django.db.connection`` proxy: every attribute read
    # through the proxy costs a context-local lookup.
    return connections[DEFAULT_DB_ALIAS]


def cursor(conn=None):
    """Django's cursor wrapper (its error translation, broken-transaction check, execute
    wrappers and query log), always, on both databases, around a driver cursor chosen for
    these statements: the same statements run under test as in production.

    On PostgreSQL, where the settings allow prepared statements (``prepare_threshold``,
    ``DATABASE_PREPARED_STATEMENTS``), it is psycopg's server-binding ``Cursor``, which
    prepares a statement run repeatedly on a connection: parsing and planning are paid once
    per connection, which halves the server's work in a one-thing step. Django's own cursors
    bind on the client and never prepare; its ``server_side_binding`` option would bind every
    ORM query on the server too, which PostgreSQL refuses for some (a parameter repeated in
    GROUP BY, as in ``TruncDate(..., tzinfo=...)``). On SQLite it is a sqlite3 cursor that
    turns the ``%s`` placeholders into ``?`` once per statement, where Django's converts them
    with a regular expression on every run.
    """
    conn = conn or connection()
    conn.close_if_health_check_failed()
    conn.ensure_connection()
    raw = conn.connection
    with conn.wrap_database_errors:
        if conn.vendor == "sqlite":
            driver_cursor = raw.cursor(factory=_qmark_cursor())
        elif conn.vendor == "postgresql" and raw.prepare_threshold is not None:
            driver_cursor = _server_binding()(raw)
            if conn.timezone is UTC:
                _fast_times(driver_cursor)
        else:
            return conn.cursor()
    conn.validate_thread_sharing()
    # As Django wraps its own cursors: the query log's wrapper while queries are logged.
    if conn.queries_logged:
        return conn.make_debug_cursor(driver_cursor)
    return conn.make_cursor(driver_cursor)


def _fast_times(driver_cursor) -> None:
    """psycopg's compiled timestamptz loader on this cursor (its public ``adapters``) in place
    of Django's, which runs psycopg's Python loader and then sets the connection's time zone.
    Only where that zone is UTC, the session's time zone Django sets and the one psycopg's
    loader gives too: the same values, several times faster (a step reads some sixty). Not on
    the connection: Django checks its own loader's time zone there for every cursor."""
    from psycopg.types.datetime import TimestamptzLoader

    # psycopg registers its compiled version of the loader where it has one.
    driver_cursor.adapters.register_loader("timestamptz", TimestamptzLoader)


@cache
def _server_binding():
    from psycopg import Cursor

    return Cursor


@cache
def _qmark_cursor():
    from sqlite3 import Cursor

    class QmarkCursor(Cursor):
        """Takes the ``%s`` placeholders of the statements built here and sends ``?``."""

        def execute(self, query, params=()):
            return super().execute(_qmarks(query), params)

    return QmarkCursor


@lru_cache(maxsize=512)
def _qmarks(query: str) -> str:
    """``%s`` placeholders as ``?``, converted once per statement (the statements built here
    have no other ``%``)."""
    parts = query.split("%s")
    if any("%" in part for part in parts):
        raise ValueError(f"not a statement built by banhao.core.rows: {query[:80]}")
    return "?".join(parts)


@contextmanager
def together(conn=None) -> Iterator[None]:
    """Send the statements executed in the block in one round trip, where the database is
    across a connection (psycopg's pipeline mode); read their results after the block.
    Each statement still runs after the one before it, with its own snapshot. A
    transaction's BEGIN, which psycopg otherwise sends on its own and waits for, joins them.
    Elsewhere (SQLite, in the process) the statements simply run in turn."""
    conn = conn or connection()
    if conn.vendor != "postgresql":
        yield
        return
    conn.ensure_connection()
    with conn.wrap_database_errors, conn.connection.pipeline():
        yield


# --- reading ------------------------------------------------------------------------------


def table(model: type[Model], alias: str = DEFAULT_DB_ALIAS) -> str:
    """The model's quoted table name."""
    return connections[alias].ops.quote_name(model._meta.db_table)


def column(model: type[Model], name: str, alias: str = DEFAULT_DB_ALIAS) -> str:
    """A field's quoted column (by field or attribute name), qualified by its table."""
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    return f"{table(model, alias)}.{connections[alias].ops.quote_name(field.column)}"


@cache
def reader(model: type[Model], alias: str) -> tuple[str, list[tuple[int, list]]]:
    """Column list and per-column converters of a model's concrete fields, for ``load``."""
    conn = connections[alias]
    fields = model._meta.concrete_fields
    columns = ", ".join(column(model, f.name, alias) for f in fields)
    converters = []
    for index, field in enumerate(fields):
        col = field.get_col(model._meta.db_table)
        found = conn.ops.get_db_converters(col) + col.get_db_converters(conn)
        if _plain_json(field):
            found = [_json_from_db if fn == field.from_db_value else fn for fn in found]
        if found:
            converters.append((index, [(fn, col) for fn in found]))
    return columns, converters


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


M = TypeVar("M", bound=Model)


def load(conn, model: type[M], row: Sequence) -> M:
    """A row of ``reader(model)``'s columns as the instance the ORM gives (``from_db``)."""
    _columns, converters = reader(model, conn.alias)
    names = _names(model)
    if converters:
        row = list(row)
        for index, functions in converters:
            value = row[index]
            if value is None:
                continue  # every converter Django ships reads NULL as None
            for fn, col in functions:
                value = fn(value, col, conn)
            row[index] = value
    # What ``from_db`` ends with, without the constructor's per-field work (a descriptor call
    # per foreign key): the model has no __init__ or from_db of its own and nobody listens to
    # its init signals (the registry's check), and every value is a column's, converted.
    obj = model.__new__(model)
    obj.__dict__.update(zip(names, row, strict=True))
    obj._state = state = ModelState()
    state.adding = False
    state.db = conn.alias
    return obj


@cache
def _names(model: type[Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def fetch(sql: str, params: Sequence = ()) -> list[tuple]:
    """Every row of a statement built by a lean-statement module (values as the driver gives
    them). For an app's own statement builders, which also give its ORM equivalent."""
    with cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


@cache
def _blank(model: type[Model]) -> tuple[dict, list, dict, frozenset]:
    """A new instance's constant field values, its fields with a default to call, its
    relations by name (→ field) and every attribute name (what ``Model.__init__`` works out
    for each instance)."""
    constant, computed, relations = {}, [], {}
    for field in model._meta.concrete_fields:
        if field.has_default() and callable(field.default):
            computed.append((field.attname, field.default))
        else:
            constant[field.attname] = field.get_default()
        if field.is_relation:
            relations[field.name] = field
    names = frozenset(constant) | {attname for attname, _ in computed}
    return constant, computed, relations, names


def new(model: type[M], **values) -> M:
    """``model(**values)`` without ``Model.__init__``'s per-field work, for the rows a hot path
    creates: values by attribute name, or a related instance by relation name (cached, as the
    constructor caches it). Anything else goes through the constructor."""
    if not enabled():
        return model(**values)
    _allowed(model)
    constant, computed, relations, names = _blank(model)
    obj = model.__new__(model)
    obj._state = ModelState()  # adding, no database yet
    attrs = obj.__dict__
    attrs.update(constant)
    for name, value in values.items():
        if name in relations:
            field = relations[name]
            attrs[field.attname] = (
                None if value is None else getattr(value, field.target_field.attname)
            )
            field.set_cached_value(obj, value)
        elif name in names:
            attrs[name] = value
        else:
            return model(**values)  # a property, or a name the constructor refuses
    for attname, default in computed:
        if attname not in attrs:
            attrs[attname] = default()
    return obj


@cache
def _get_sql(model: type[Model], alias: str) -> str:
    columns, _converters = reader(model, alias)
    return f"SELECT {columns} FROM {table(model, alias)} WHERE {column(model, 'pk', alias)} = %s"


def get(model: type[M], pk) -> M:
    """``model._default_manager.get(pk=pk)``, with the statement built once."""
    if not enabled():
        return model._default_manager.get(pk=pk)
    _allowed(model)
    conn = connection()
    with cursor(conn) as cur:
        cur.execute(_get_sql(model, conn.alias), [pk])
        row = cur.fetchone()
    if row is None:
        raise model.DoesNotExist
    return load(conn, model, row)


@cache
def _children_sql(model: type[Model], name: str, alias: str, count: int = 0) -> str:
    columns, _converters = reader(model, alias)
    where = "= %s" if not count else f"IN ({', '.join(['%s'] * count)})"
    return (
        f"SELECT {columns} FROM {table(model, alias)} WHERE {column(model, name, alias)} {where} "
        f"ORDER BY {column(model, 'pk', alias)}"
    )


def children(model: type[Model], name: str, value) -> list:
    """``model._default_manager.filter(<name>=value).order_by("pk")``, built once."""
    if not enabled():
        return list(model._default_manager.filter(**{name: value}).order_by("pk"))
    _allowed(model)
    conn = connection()
    with cursor(conn) as cur:
        cur.execute(_children_sql(model, name, conn.alias), [value])
        return [load(conn, model, row) for row in cur.fetchall()]


def matching(model: type[Model], name: str, values: Sequence) -> list:
    """``model._default_manager.filter(<name>__in=values).order_by("pk")``, built once per
    number of distinct values."""
    values = list(dict.fromkeys(values))
    if not values:
        return []
    if not enabled():
        return list(model._default_manager.filter(**{f"{name}__in": values}).order_by("pk"))
    _allowed(model)
    conn = connection()
    with cursor(conn) as cur:
        cur.execute(_children_sql(model, name, conn.alias, len(values)), values)
        return [load(conn, model, row) for row in cur.fetchall()]


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
    for field, attname, kind, pre_save_on in fields:
        if pre_save_on == _ALWAYS or (add and pre_save_on == _ON_INSERT):
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
    assignments = ", ".join(f"{qn(f.column)} = %s" for f, *_ in _writer(model, names))
    return f"UPDATE {table(model, alias)} SET {assignments} WHERE {qn(model._meta.pk.column)} = %s"


def _check_count(obj: Model, changed: int) -> None:
    if changed != 1:
        raise RowCountMismatch(
            f"updating {obj._meta.label} {obj.pk} changed {changed} rows instead of 1"
        )


def update(obj: Model, names: Iterable[str]) -> None:
    """``obj.save(update_fields=names)`` (``auto_now`` fields named are set, as by save);
    ``RowCountMismatch`` unless exactly its row changed."""
    names = tuple(names)
    model = type(obj)
    _writable(model, "update")
    if not enabled():
        obj.save(update_fields=names)  # raises DatabaseError if no row changed
        return
    _allowed(model)
    conn = connection()
    with cursor(conn) as cur:
        cur.execute(
            _update_sql(model, names, conn.alias),
            [*_prepared(conn, obj, _writer(model, names), False), obj.pk],
        )
        _check_count(obj, cur.rowcount)


@cache
def _insert_sql(
    model: type[Model], rows: int, key: str, alias: str, skip: bool = False, ids: bool = True
) -> str:
    qn = connections[alias].ops.quote_name
    fields = _writer(model, ())
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {table(model, alias)} ({', '.join(qn(f.column) for f, *_ in fields)}) "
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
    model = type(objs[0])
    _writable(model, "insert")
    conn = connection()
    if not enabled() or not conn.features.can_return_rows_from_bulk_insert:
        model._default_manager.bulk_create(objs)
        return
    _allowed(model)
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
    IntegrityError of ``save()`` inside ``atomic()`` (what the ORM fallback does)."""
    model = type(obj)
    _writable(model, "insert")
    if not enabled():
        try:
            with transaction.atomic():
                obj.save(force_insert=True)
        except IntegrityError:
            return False
        return True
    _allowed(model)
    conn = connection()
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


class _Batch:
    """Updates and inserts that wait for the end of a ``batch()`` block, then run together."""

    def __init__(self, conn):
        self.conn = conn
        self.updates: dict[tuple, tuple[Model, list[str]]] = {}
        self.writes: list[tuple] = []  # in order: ("update", key) or ("insert", objs, params)

    def update(self, obj: Model, names: Iterable[str]) -> None:
        _writable(type(obj), "update")
        key = (type(obj), obj.pk)
        if key in self.updates:
            merged = self.updates[key][1]
            merged += [name for name in names if name not in merged]
        else:
            self.updates[key] = (obj, list(names))
            self.writes.append(("update", key))

    def insert(self, objs: Sequence[Model]) -> None:
        if objs:
            _writable(type(objs[0]), "insert")
            params = None
            if enabled():  # the values the objects have now
                fields = _writer(type(objs[0]), ())
                params = [v for obj in objs for v in _prepared(self.conn, obj, fields, True)]
            self.writes.append(("insert", objs, params))

    def run(self) -> None:
        if not self.writes:
            return
        if not enabled():
            for write in self.writes:
                if write[0] == "update":
                    obj, names = self.updates[write[1]]
                    obj.save(update_fields=names)
                else:
                    type(write[1][0])._default_manager.bulk_create(write[1])
            return
        conn, alias = self.conn, self.conn.alias
        statements = []  # (sql, params, the updated object or None)
        for write in self.writes:
            if write[0] == "update":
                obj, names = self.updates[write[1]]
                model, names = type(obj), tuple(names)
                _allowed(model)
                params = [*_prepared(conn, obj, _writer(model, names), False), obj.pk]
                statements.append((_update_sql(model, names, alias), params, obj))
            else:
                objs, params = write[1], write[2]
                _allowed(type(objs[0]))
                sql = _insert_sql(type(objs[0]), len(objs), "", alias, ids=False)
                statements.append((sql, params, None))
        with cursor(conn) as cur:
            if conn.vendor == "postgresql" and len(statements) > 1:
                # One statement, each write a data-modifying WITH: one round trip, one
                # executor start, instead of one per write. Each row is written at most once
                # (updates are merged above), and PostgreSQL runs every such WITH to
                # completion; the updates' row counts come back as its one row.
                parts, counts, params = [], [], []
                for n, (sql, values, obj) in enumerate(statements):
                    parts.append(f"w{n} AS ({sql}{' RETURNING 1' if obj is not None else ''})")
                    if obj is not None:
                        counts.append(f"(SELECT count(*) FROM w{n})")
                    params += values
                cur.execute(f"WITH {', '.join(parts)} SELECT {', '.join(counts) or '1'}", params)
                changed = iter(cur.fetchone())
                for _sql, _values, obj in statements:
                    if obj is not None:
                        _check_count(obj, next(changed))
            else:
                for sql, values, obj in statements:
                    cur.execute(sql, values)
                    if obj is not None:
                        _check_count(obj, cur.rowcount)
        for write in self.writes:
            if write[0] == "insert":
                _mark_saved(write[1], alias)


_open_batch: ContextVar[_Batch | None] = ContextVar("banhao_lean_batch", default=None)


@contextmanager
def batch() -> Iterator[None]:
    """Collect a step's last writes, the ones after its last read, made with ``queue_update``
    and ``queue_insert`` anywhere in the block (the service's own, its audit record's), and
    run them when the block ends: on PostgreSQL as one statement, elsewhere one after
    another. Use it inside the step's transaction; if the block raises, nothing it collected
    is written (the transaction is rolled back anyway). Reads in the block do not see the
    collected writes. A batch inside a batch joins the outer one."""
    if _open_batch.get() is not None:
        yield
        return
    collected = _Batch(connection())
    token = _open_batch.set(collected)
    try:
        yield
    finally:
        _open_batch.reset(token)
    collected.run()


def queue_update(obj: Model, names: Iterable[str]) -> None:
    """``update(obj, names)`` at the end of the open batch, with the values ``obj`` has then
    (updates of one row are merged: one statement may not change a row twice); at once if no
    batch is open."""
    collected = _open_batch.get()
    if collected is None:
        update(obj, names)
    else:
        collected.update(obj, names)


def queue_insert(objs: Sequence[Model]) -> None:
    """``insert(objs)`` at the end of the open batch, with the values the objects have now;
    at once if no batch is open. In a batch the objects get no id (as from ``bulk_create``
    on a database that cannot return them): insert what needs its id with ``insert``."""
    collected = _open_batch.get()
    if collected is None:
        insert(objs)
    else:
        collected.insert(objs)
