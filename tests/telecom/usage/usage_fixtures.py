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


def read_rows(path: Path) -> list[dict[str, object]]:
    """Per-row audit results (Parquet or CSV) as dicts, in file order."""
    reader = "read_parquet" if path.suffix == ".parquet" else "read_csv"
    cursor = duckdb.connect().execute(f"SELECT * FROM {reader}('{path}')")
    columns = [d[0] for d in cursor.description or []]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def query(sql: str) -> list[tuple[Any, ...]]:
    """Rows of a DuckDB query on a fresh in-memory connection."""
    return duckdb.connect().execute(sql).fetchall()
