"""Shared pytest setup: keep every test away from the user's real data directory."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point GANZHI_HOME at a fresh temp dir and drop any database URL from the environment."""
    home = tmp_path_factory.mktemp("ganzhi-home")
    monkeypatch.setenv("GANZHI_HOME", str(home))
    monkeypatch.delenv("GANZHI_DATABASE_URL", raising=False)


# Database fixtures (SQLite always; PostgreSQL when reachable) for every test that touches the store.
from db_fixtures import database_url, migrated_url, pg_database, sessions  # noqa: E402

__all__ = ["database_url", "migrated_url", "pg_database", "sessions"]
