"""Throwaway databases for scenarios, and how to name the database in a record.

A scenario that loads data must not touch the configured database. ``throwaway_database()``
makes a fresh one of the same kind as the configured connection (a temporary SQLite file, or a
temporary database on the same PostgreSQL server) and gives back the environment under which
``banhao`` commands use it. Commands run in a subprocess, so Django's own connection in this
process is never switched; the subprocess reads DATABASE_URL / BANHAO_VAR_DIR like any start.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote


class BenchError(Exception):
    """A benchmark could not run (its message says why)."""


@dataclass
class Throwaway:
    vendor: str  # "sqlite" or "postgresql"
    label: str  # for the "database" key of records, e.g. "sqlite 3.40.1"
    env: dict[str, str]  # environment for subprocesses that should use this database
    location: str  # where it is, for people (a folder, or a URL without password)

    def manage(self, *args: str) -> str:
        """Run ``banhao <args>`` against this database; its standard output."""
        completed = subprocess.run(  # noqa: S603 - fixed executable, our own arguments
            [sys.executable, "-m", "banhao.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode:
            raise BenchError(
                f"`banhao {' '.join(args)}` failed (exit {completed.returncode}):\n"
                + (completed.stderr or completed.stdout)[-3000:]
            )
        return completed.stdout


def database_label(connection=None) -> str:
    """ "sqlite 3.40.1" or "postgresql 15.20" for a Django connection (default: "default")."""
    if connection is None:
        from django.db import connection
    if connection.vendor == "sqlite":
        return f"sqlite {sqlite3.sqlite_version}"
    if connection.vendor == "postgresql":
        version = connection.pg_version
        return f"postgresql {version // 10000}.{version % 10000}"
    return connection.vendor


@contextmanager
def throwaway_database(
    *, keep: bool = False, log: Callable[[str], None] = lambda message: None
) -> Iterator[Throwaway]:
    """A fresh, empty database of the configured kind, removed afterwards unless ``keep``."""
    from django.db import connection

    env = dict(os.environ)
    # Set by the test run for its Celery worker; it would override the URL below.
    env.pop("BANHAO_DATABASE_NAME", None)
    if connection.vendor == "sqlite":
        manager = _sqlite(env, keep, log)
    elif connection.vendor == "postgresql":
        manager = _postgresql(connection.settings_dict, env, keep, log)
    else:
        raise BenchError(f"Benchmarks run on SQLite or PostgreSQL, not {connection.vendor}.")
    with manager as throwaway:
        yield throwaway


@contextmanager
def _sqlite(env: dict[str, str], keep: bool, log) -> Iterator[Throwaway]:
    folder = Path(tempfile.mkdtemp(prefix="banhao-bench-"))
    env.pop("DATABASE_URL", None)
    env["BANHAO_VAR_DIR"] = str(folder)
    # Pages are timed without their assets; the empty folder keeps WhiteNoise from warning
    # that STATIC_ROOT is missing in every server the scenario starts.
    (folder / "static").mkdir()
    try:
        yield Throwaway(
            vendor="sqlite",
            label=f"sqlite {sqlite3.sqlite_version}",
            env=env,
            location=f"BANHAO_VAR_DIR={folder}",
        )
    finally:
        if keep:
            log(
                f"Kept the benchmark database: {folder / 'banhao.sqlite3'} (BANHAO_VAR_DIR={folder})"
            )
        else:
            shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _postgresql(settings: dict, env: dict[str, str], keep: bool, log) -> Iterator[Throwaway]:
    import psycopg
    from psycopg import sql

    params = {
        "dbname": settings["NAME"],
        "user": settings.get("USER") or None,
        "password": settings.get("PASSWORD") or None,
        "host": settings.get("HOST") or None,
        "port": settings.get("PORT") or None,
    }
    name = f"banhao_bench_{os.getpid()}_{secrets.token_hex(3)}"
    # CREATE/DROP DATABASE cannot run in a transaction: a separate autocommit connection.
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as admin:
        version = admin.execute("SHOW server_version").fetchone()[0].split()[0]
        version_num = int(admin.execute("SHOW server_version_num").fetchone()[0])
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        user = quote(params["user"] or "", safe="")
        password = f":{quote(params['password'], safe='')}" if params["password"] else ""
        host = quote(params["host"] or "", safe="")
        port = f":{params['port']}" if params["port"] else ""
        credentials = f"{user}{password}@" if user else ""
        env["DATABASE_URL"] = f"postgres://{credentials}{host}{port}/{name}"
        location = f"postgres://{user + '@' if user else ''}{host}{port}/{name}"
        try:
            yield Throwaway(
                vendor="postgresql", label=f"postgresql {version}", env=env, location=location
            )
        finally:
            if keep:
                log(f"Kept the benchmark database: {location}")
            else:
                force = sql.SQL(" WITH (FORCE)") if version_num >= 130000 else sql.SQL("")
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {}{}").format(sql.Identifier(name), force)
                )
