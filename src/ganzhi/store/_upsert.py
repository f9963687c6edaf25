"""Insert-if-absent for SQLite and PostgreSQL, so saving the same rows twice is a no-op.

Both backends support `INSERT ... ON CONFLICT DO NOTHING`; doing it in SQL (rather than
select-then-insert) stays correct when two workers save the same rows at the same time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ganzhi.errors import StoreError
from ganzhi.store.tables import Base

T = TypeVar("T")

#: Rows per INSERT statement and keys per IN (...) list: far below SQLite's 32766 bound variables.
CHUNK = 500


def chunked(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most `size` items."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert_ignoring_conflicts(
    session: Session, model: type[Base], rows: Sequence[dict[str, Any]], conflict_columns: Sequence[str]
) -> int:
    """Insert `rows` into `model`'s table, skipping those whose `conflict_columns` already exist.

    Returns the number of rows actually inserted.
    """
    if not rows:
        return 0
    table = Base.metadata.tables[model.__tablename__]
    dialect = session.get_bind().dialect.name
    inserted = 0
    for part in chunked(rows):
        if dialect == "postgresql":
            pg_stmt = postgresql.insert(table).values(list(part))
            pg_stmt = pg_stmt.on_conflict_do_nothing(index_elements=list(conflict_columns))
            inserted += len(session.execute(pg_stmt.returning(*table.primary_key.columns)).all())
        elif dialect == "sqlite":
            lite_stmt = sqlite.insert(table).values(list(part))
            lite_stmt = lite_stmt.on_conflict_do_nothing(index_elements=list(conflict_columns))
            inserted += len(session.execute(lite_stmt.returning(*table.primary_key.columns)).all())
        else:
            raise StoreError(f"insert-if-absent: expected a sqlite or postgresql database, got {dialect!r}")
    return inserted
