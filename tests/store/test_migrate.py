"""Migrations: from empty to head on every backend, idempotent, and equal to the ORM metadata."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from ganzhi.store.db import make_engine
from ganzhi.store.migrate import MIGRATIONS_DIR, alembic_config, current_revision, head_revision, upgrade
from ganzhi.store.schema import metadata


def test_scripts_ship_inside_the_package() -> None:
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert (MIGRATIONS_DIR / "script.py.mako").is_file()
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config())
    assert scripts.get_heads() == [head_revision()]  # one linear history, no forgotten branch
    assert len(list(scripts.walk_revisions())) >= 2


def test_upgrade_from_empty_reaches_head_and_is_idempotent(database_url: str) -> None:
    assert current_revision(database_url) is None
    upgrade(database_url)
    assert current_revision(database_url) == head_revision()
    upgrade(database_url)
    assert current_revision(database_url) == head_revision()
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert set(metadata.tables) <= tables


def test_migrated_schema_equals_orm_metadata(migrated_url: str) -> None:
    engine = make_engine(migrated_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diffs = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert diffs == []


def test_downgrade_to_base_and_back(migrated_url: str) -> None:
    engine = make_engine(migrated_url)
    try:
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "base")
        with engine.connect() as conn:
            assert not set(metadata.tables) & set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert current_revision(migrated_url) is None
    upgrade(migrated_url)
    assert current_revision(migrated_url) == head_revision()
