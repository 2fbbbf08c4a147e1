"""Engines for the two supported back-ends, with SQLite set up for safe concurrent use."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from critica.errors import StoreError

URL_HELP = (
    "use sqlite:///path/to/critica.db or postgresql://user@host:5432/dbname "
    "(set CRITICA_DATABASE_URL, or leave it empty for the default SQLite file)"
)


def parse(url: str) -> URL:
    """A store URL checked and normalised: ``postgresql://`` uses psycopg 3."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as error:
        raise StoreError(f"cannot read the store URL {url!r}: {error}; {URL_HELP}") from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend in ("postgresql", "postgres") and driver in ("", "psycopg"):
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite" and driver in ("", "pysqlite"):
        return parsed
    shown = parsed.render_as_string(hide_password=True)
    raise StoreError(f"unsupported store URL {shown!r}; {URL_HELP}")


def connect(url: str) -> Engine:
    """An engine for ``url`` (no connection is made yet)."""
    parsed = parse(url)
    try:
        if parsed.get_backend_name() == "sqlite":
            return _sqlite_engine(parsed)
        # Without a timeout an unroutable host hangs the first request for minutes.
        args = {} if "connect_timeout" in parsed.query else {"connect_timeout": 10}
        return create_engine(parsed, pool_pre_ping=True, connect_args=args)
    except (ArgumentError, NoSuchModuleError, ImportError) as error:
        shown = parsed.render_as_string(hide_password=True)
        raise StoreError(f"cannot use the store URL {shown!r}: {error}; {URL_HELP}") from None


def _sqlite_engine(url: URL) -> Engine:
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself: pysqlite's own handling skips it before DDL,
        # which would make migrations non-transactional.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if url.database not in (None, "", ":memory:"):
            # Readers never block the writer, nor the writer the readers.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def describe(url: str, error: Exception, opening: bool = False) -> str:
    """A user-facing message for a database that cannot be reached or used."""
    cause = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    if not opening:
        return f"the store at {url} failed: {cause}"
    return (
        f"cannot open the store at {url}: {cause}. Check that the database exists and the "
        f"server is running, or {URL_HELP}"
    )
