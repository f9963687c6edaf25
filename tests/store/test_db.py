"""Engine configuration per backend, URL handling and the unit-of-work context manager."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from ganzhi.errors import StoreError
from ganzhi.store.db import is_sqlite, make_engine, mask_url, parse_url, session_factory, session_scope


def test_sqlite_engine_creates_directory_and_sets_pragmas(tmp_path: Path) -> None:
    db_file = tmp_path / "deep" / "er" / "ganzhi.db"
    engine = make_engine(f"sqlite:///{db_file}")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30_000
        assert db_file.is_file()
    finally:
        engine.dispose()


def test_in_memory_sqlite_needs_no_directory() -> None:
    engine = make_engine("sqlite://")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


def test_plain_postgresql_url_uses_psycopg() -> None:
    assert parse_url("postgresql://u:pw@host/db").drivername == "postgresql+psycopg"
    assert parse_url("postgresql+psycopg://u@host/db").drivername == "postgresql+psycopg"


@pytest.mark.parametrize("url", ["mysql://u@host/db", "not a url"])
def test_unsupported_urls_are_store_errors(url: str) -> None:
    with pytest.raises(StoreError, match="URL"):
        make_engine(url)


def test_mask_url_hides_the_password() -> None:
    masked = mask_url("postgresql+psycopg://alice:s3cret@db.example/ganzhi")
    assert "s3cret" not in masked
    assert masked == "postgresql+psycopg://alice:***@db.example/ganzhi"
    assert is_sqlite("sqlite:///x.db")
    assert not is_sqlite("postgresql+psycopg://u@h/d")


def test_session_scope_commits_on_success_and_rolls_back_on_error(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'u.db'}")
    factory = session_factory(engine)
    try:
        with session_scope(factory) as session:
            session.execute(text("CREATE TABLE t (v INTEGER)"))
            session.execute(text("INSERT INTO t VALUES (1)"))

        def insert_then_fail() -> None:
            with session_scope(factory) as session:
                session.execute(text("INSERT INTO t VALUES (2)"))
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError, match="boom"):
            insert_then_fail()
        with session_scope(factory) as session:
            assert session.execute(text("SELECT v FROM t")).scalars().all() == [1]
    finally:
        engine.dispose()
