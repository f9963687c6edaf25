"""Schema migrations without an alembic.ini: the Alembic `Config` is built in code.

The migration scripts ship inside the package (`ganzhi/store/migrations`), so an installed wheel can
create or upgrade its database with `ganzhi db upgrade` and nothing else on disk.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from ganzhi.errors import StoreError
from ganzhi.store.db import make_engine, mask_url

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the packaged scripts, optionally bound to an open connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision among the packaged migration scripts."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise StoreError(f"no migration scripts found under {MIGRATIONS_DIR}")
    return head


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to `revision` (default: the newest), creating it if empty.

    Raises:
        StoreError: the database cannot be reached or a migration fails; names the masked URL.
    """
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), revision)
    except SQLAlchemyError as exc:
        raise StoreError(f"migrating {mask_url(url)} to {revision!r} failed: {exc}") from exc
    finally:
        engine.dispose()


def current_revision(url: str) -> str | None:
    """The revision the database at `url` is at, or None when it was never migrated."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as exc:
        raise StoreError(f"reading the schema revision of {mask_url(url)} failed: {exc}") from exc
    finally:
        engine.dispose()
