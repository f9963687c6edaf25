"""The whole schema on one metadata: every table module, imported for migrations and schema comparisons.

Table modules import `tables.Base`; none imports another's module just to register it, so there is no
import cycle. Code that needs the complete set of tables (Alembic, the ORM-vs-migration test) imports
`metadata` from here.
"""

from __future__ import annotations

from ganzhi.store import (
    crawl_tables,
    practice_tables,
    publication_tables,
    supervision_tables,
    tables,
    ui_picture_tables,
    web_tables,
)

metadata = tables.Base.metadata

__all__ = [
    "crawl_tables",
    "metadata",
    "practice_tables",
    "publication_tables",
    "supervision_tables",
    "tables",
    "ui_picture_tables",
    "web_tables",
]
