"""Complaint intake: read CSV, XLSX or JSON Lines (text, date, enterprise, channel, province), bounded and row-checked.

12300 exports use Chinese headers (省份, 企业, 投诉内容, 日期, 渠道, 编号); they are read as the English
field names (`HEADER_ALIASES`), so one reader takes both.

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
from ganzhi.errors import InputError, RowProblem

MAX_FILE_BYTES = 50_000_000
MAX_TEXT_CHARS = 5000
FIELDS = ("text", "date", "enterprise", "channel", "province")
#: Column names of 12300-style exports → the field they fill.
HEADER_ALIASES = {
    "投诉内容": "text",
    "内容": "text",
    "日期": "date",
    "投诉日期": "date",
    "受理日期": "date",
    "企业": "enterprise",
    "被投诉企业": "enterprise",
    "企业名称": "enterprise",
    "渠道": "channel",
    "省份": "province",
    "省": "province",
    "编号": "id",
    "投诉编号": "id",
}
#: Longest province name kept (names like 内蒙古自治区 fit; longer input is an error).
MAX_PROVINCE_CHARS = 16
#: Most rows read from one spreadsheet (configurable default; a 12300 monthly export is far smaller).
MAX_ROWS = 200_000
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
    province: str | None = None


def _field(name: object) -> str:
    text = str(name or "").strip()
    return HEADER_ALIASES.get(text, text.lower())


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
    province = str(data.get("province") or "").strip() or None
    if province is not None and len(province) > MAX_PROVINCE_CHARS:
        problem = f"has {len(province)} characters; expected a province name like 广东"
        return RowProblem(source, row, "province", problem, unit=unit)
    given = str(data.get("id") or "").strip()
    external = given or hashlib.sha256(f"{received}|{enterprise}|{text}".encode()).hexdigest()[:32]
    return ComplaintIn(external, text, received, enterprise, channel[:128], f"{source}:{row}", province)


def _cell_date(value: object) -> object:
    return value.date().isoformat() if isinstance(value, dt.datetime) else value


def _read_xlsx(path: Path) -> Iterator[ComplaintIn | RowProblem]:
    from ganzhi.collect.bounded import read_xlsx

    sheets = read_xlsx(path, str(path), max_rows=MAX_ROWS, merges=False)
    if not sheets or not sheets[0].rows:
        raise InputError(str(path), "the workbook's first sheet is empty; expected a header row")
    header = [_field(v) for v in sheets[0].rows[0]]
    missing = [f for f in ("text", "date") if f not in header]
    if missing:
        raise InputError(str(path), f"header lacks columns {missing}; expected 投诉内容, 日期 (or {list(FIELDS)})")
    for number, values in enumerate(sheets[0].rows[1:], start=2):
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        record = {name: _cell_date(v) for name, v in zip(header, values, strict=False) if name}
        yield _parse(record, str(path), number, "row")


def read_complaints(path: Path) -> Iterator[ComplaintIn | RowProblem]:
    """Complaints of a `.csv` or `.xlsx` (header text,date,enterprise,channel,province[,id] or the Chinese
    12300 headers) or a `.jsonl` file."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InputError(str(path), f"file has {size} bytes; expected at most {MAX_FILE_BYTES}")
    if path.suffix.lower() == ".xlsx":
        yield from _read_xlsx(path)
        return
    if path.suffix.lower() == ".csv":
        handle = io.StringIO(path.read_text(encoding="utf-8-sig"))
        reader = csv.reader(handle)
        header = [_field(v) for v in next(reader, [])]
        missing = [f for f in ("text", "date") if f not in header]
        if missing:
            raise InputError(str(path), f"header lacks columns {missing}; expected 投诉内容, 日期 (or {list(FIELDS)})")
        for number, values in enumerate(reader, start=2):
            yield _parse(dict(zip(header, values, strict=False)), str(path), number, "row")
        return
    for line in read_json_lines(path):
        if line.error is not None:
            yield RowProblem(line.source, line.line, None, line.error, unit="line")
        elif not isinstance(line.value, dict):
            yield RowProblem(line.source, line.line, None, "expected a JSON object", unit="line")
        else:
            yield _parse(line.value, line.source, line.line, "line")
