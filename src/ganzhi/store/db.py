"""Engines and sessions: one place that knows how SQLite and PostgreSQL must be configured.

SQLite is the embedded default (a file under the data directory). It needs WAL so readers do not
block the writer, foreign keys switched on (they are off by default) and a busy timeout so a second
process waits for the write lock instead of failing at once. PostgreSQL is reached through psycopg 3.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from ganzhi.errors import StoreError

#: Milliseconds a SQLite connection waits for another writer's lock (configurable default).
SQLITE_BUSY_TIMEOUT_MS = 30_000


def parse_url(url: str) -> URL:
    """Parse a database URL; plain `postgresql://` is routed to the psycopg 3 driver."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"database URL {mask_url(url)!r} is not a valid SQLAlchemy URL: {exc}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise StoreError(
            f"database URL {mask_url(url)!r}: expected a sqlite:// or postgresql+psycopg:// URL, "
            f"got backend {backend!r}"
        )
    return parsed


def mask_url(url: str | URL) -> str:
    """The URL with its password replaced by `***`, safe to print or log."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except ArgumentError:
        return "<unparseable database URL>"
    return parsed.render_as_string(hide_password=True)


def is_sqlite(url: str | URL) -> bool:
    """True when the URL names a SQLite database."""
    parsed = make_url(url) if isinstance(url, str) else url
    return parsed.get_backend_name() == "sqlite"


def _sqlite_file(url: URL) -> Path | None:
    """The database file of a SQLite URL, or None for an in-memory database."""
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    """Per-connection pragmas: WAL journal, enforced foreign keys, a busy timeout."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine for `url` with the settings its backend needs.

    Args:
        url: `sqlite:///path/to.db` or `postgresql+psycopg://user:pw@host/db`.
        echo: log every SQL statement (debugging).

    Raises:
        StoreError: the URL is malformed, names another backend, or its SQLite directory cannot be made.
    """
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = _sqlite_file(parsed)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the directory of SQLite database {path}: {exc}") from None
        engine = create_engine(
            parsed,
            echo=echo,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        event.listen(engine, "connect", _configure_sqlite_connection)
        return engine
    return create_engine(parsed, echo=echo, pool_pre_ping=True)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit (repositories return them)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit when the block succeeds, roll back when it raises, always close."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
