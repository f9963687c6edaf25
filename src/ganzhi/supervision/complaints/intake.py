"""Complaint intake: read CSV or JSON Lines (text, date, enterprise, channel), bounded and row-checked.

A bad row never stops an import: it becomes a `RowProblem` (`ganzhi.errors`) naming the file, the row
(or line) and the field. The enterprise may be given by id, USCC or name and is resolved against the
register; an unknown one is kept by name so trends still show it.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ganzhi.collect.jsonl import read_json_lines
from ganzhi.errors import InputError
from ganzhi.errors import RowProblem as RowProblem  # noqa: PLC0414 (re-export while cli/complaints.py imports it here)

MAX_FILE_BYTES = 50_000_000
MAX_TEXT_CHARS = 5000
FIELDS = ("text", "date", "enterprise", "channel")
Unit = Literal["row", "line"]


@dataclass(frozen=True, slots=True)
class ComplaintIn:
    """One complaint as imported (before classification)."""

    external_id: str
    text: str
    received_on: dt.date
    enterprise: str | None
    channel: str
    source: str


def _parse(data: Mapping[str, Any], source: str, row: int, unit: Unit) -> ComplaintIn | RowProblem:
    text = str(data.get("text") or "").strip()
    if not text:
        return RowProblem(source, row, "text", "empty; expected the complaint text", unit=unit)
    if len(text) > MAX_TEXT_CHARS:
        problem = f"has {len(text)} characters; expected at most {MAX_TEXT_CHARS}"
        return RowProblem(source, row, "text", problem, unit=unit)
    raw_date = str(data.get("date") or "").strip()
    try:
        received = dt.date.fromisoformat(raw_date[:10])
    except ValueError:
        return RowProblem(source, row, "date", f"expected YYYY-MM-DD (got {raw_date!r})", unit=unit)
    enterprise = str(data.get("enterprise") or "").strip() or None
    channel = str(data.get("channel") or "").strip() or "unknown"
    given = str(data.get("id") or "").strip()
    external = given or hashlib.sha256(f"{received}|{enterprise}|{text}".encode()).hexdigest()[:32]
    return ComplaintIn(external, text, received, enterprise, channel[:128], f"{source}:{row}")


def read_complaints(path: Path) -> Iterator[ComplaintIn | RowProblem]:
    """Complaints of a `.csv` (header with text,date,enterprise,channel[,id]) or `.jsonl` file."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InputError(str(path), f"file has {size} bytes; expected at most {MAX_FILE_BYTES}")
    if path.suffix.lower() == ".csv":
        handle = io.StringIO(path.read_text(encoding="utf-8-sig"))
        reader = csv.DictReader(handle)
        missing = [f for f in ("text", "date") if f not in (reader.fieldnames or [])]
        if missing:
            raise InputError(str(path), f"header lacks columns {missing}; expected {list(FIELDS)}")
        for number, record in enumerate(reader, start=2):
            yield _parse(record, str(path), number, "row")
        return
    for line in read_json_lines(path):
        if line.error is not None:
            yield RowProblem(line.source, line.line, None, line.error, unit="line")
        elif not isinstance(line.value, dict):
            yield RowProblem(line.source, line.line, None, "expected a JSON object", unit="line")
        else:
            yield _parse(line.value, line.source, line.line, "line")
