"""Where ganzhi keeps its data: one data directory and one database URL.

`GANZHI_HOME` (default `~/.ganzhi`) holds the SQLite database and the content-addressed blob store.
`GANZHI_DATABASE_URL` overrides the database, e.g. `postgresql+psycopg://user@host/db`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = Path("~/.ganzhi")


@dataclass(frozen=True, slots=True)
class Settings:
    """Resolved locations for one process."""

    home: Path
    database_url: str

    @property
    def blob_dir(self) -> Path:
        """Directory of content-addressed artefacts (APKs, screenshots), named by sha256."""
        return self.home / "blobs"


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read the settings from the environment (or a given mapping, for tests)."""
    env = os.environ if environ is None else environ
    home = Path(env.get("GANZHI_HOME") or DEFAULT_HOME).expanduser()
    url = env.get("GANZHI_DATABASE_URL") or f"sqlite:///{home / 'ganzhi.db'}"
    return Settings(home=home, database_url=url)
