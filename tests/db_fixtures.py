"""Database fixtures (imported by the root conftest).

Every store test runs on a fresh SQLite file and, when reachable, on PostgreSQL.

PostgreSQL: one throwaway database is created on the server named by `GANZHI_TEST_PG_URL`
(default `postgresql+psycopg://postgres@127.0.0.1:5432/test`) for the test session and dropped at
the end; each test gets its own schema in it (selected through `search_path`), so tests start
empty without paying for a database per test.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ganzhi.store.db import make_engine, mask_url, session_factory
from ganzhi.store.migrate import upgrade

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _admin_engine(url: str) -> Engine:
    return create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """URL of a throwaway PostgreSQL database for this session; skips when the server is unreachable."""
    pytest.importorskip("psycopg", reason="psycopg is not installed: pip install 'psycopg[binary]'")
    server_url = os.environ.get("GANZHI_TEST_PG_URL", DEFAULT_PG_URL)
    admin = _admin_engine(server_url)
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except OperationalError as exc:
        admin.dispose()
        first_line = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        pytest.skip(f"PostgreSQL not reachable at {mask_url(server_url)} (GANZHI_TEST_PG_URL): {first_line}")
    name = f"ganzhi_test_{os.getpid()}_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file in a not-yet-existing directory, or a fresh PG schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'ganzhi.db'}"
        return
    base = request.getfixturevalue("pg_database")
    schema = f"t_{secrets.token_hex(6)}"
    admin = _admin_engine(base)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def migrated_url(database_url: str) -> str:
    """`database_url` migrated to the newest schema."""
    upgrade(database_url)
    return database_url


@pytest.fixture
def sessions(migrated_url: str) -> Iterator[sessionmaker[Session]]:
    """A session factory over a freshly migrated database."""
    engine = make_engine(migrated_url)
    try:
        yield session_factory(engine)
    finally:
        engine.dispose()
