"""Helpers that build small usage-audit inputs by code (Beijing-time epoch ms, CSV writers)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import duckdb

BEIJING = timezone(timedelta(hours=8))


def bj(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, ms: int = 0) -> int:
    """UTC epoch milliseconds of a Beijing wall-clock time."""
    return int(datetime(y, mo, d, h, mi, s, tzinfo=BEIJING).timestamp() * 1000) + ms


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


#: Parquet results are written unordered; tests read them in this order (CSV keeps file order).
RESULT_ORDER = "subscriber_id, cycle, threshold, status, reminded_at_ms NULLS FIRST, reminder_row NULLS FIRST"


def read_rows(path: Path) -> list[dict[str, object]]:
    """Per-row audit results as dicts: Parquet sorted by `RESULT_ORDER`, CSV in file order."""
    if path.suffix == ".parquet":
        cursor = duckdb.connect().execute(f"SELECT * FROM read_parquet('{path}') ORDER BY {RESULT_ORDER}")
    else:
        cursor = duckdb.connect().execute(f"SELECT * FROM read_csv('{path}')")
    columns = [d[0] for d in cursor.description or []]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def query(sql: str) -> list[tuple[Any, ...]]:
    """Rows of a DuckDB query on a fresh in-memory connection."""
    return duckdb.connect().execute(sql).fetchall()
