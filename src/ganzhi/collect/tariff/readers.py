"""Read catalogue files (XLSX, CSV, JSON) into plain sheets of cells, bounded in size.

Merged cells in XLSX are filled with their top-left value, so a merged header ("对应服务" over four
columns) or a merged data cell (one 有效期限 for several plans) reads the same in every cell it covers.
CSV is decoded as UTF-8 (with or without BOM), then GB18030 (Excel's default on Chinese Windows).
XLSX is streamed in read-only mode with every part's uncompressed size and the rows, cells and characters
bounded while iterating (`ganzhi.collect.bounded`); any library failure becomes an `InputError`.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ganzhi.collect.bounded import DEFAULT_LIMITS, Limits, guard
from ganzhi.collect.bounded import read_xlsx as read_xlsx_bounded
from ganzhi.errors import InputError

MAX_FILE_BYTES = 30 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 200


@dataclass(slots=True)
class Sheet:
    """One table of cells; `first_row` is the 1-based spreadsheet row of `rows[0]`."""

    source: str
    name: str
    rows: list[list[object]]
    first_row: int = 1
    meta: dict[str, Any] = field(default_factory=dict)

    def where(self, index: int) -> str:
        """'file, sheet S, row N' for the row at 0-based `index`."""
        sheet = f", sheet {self.name}" if self.name else ""
        return f"{self.source}{sheet}, row {index + self.first_row}"


def _check_size(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(str(path), f"cannot read the file: {exc.strerror or exc}") from None
    if size > MAX_FILE_BYTES:
        raise InputError(str(path), f"file is {size} bytes; at most {MAX_FILE_BYTES} are read")


def read_xlsx(path: Path, *, limits: Limits = DEFAULT_LIMITS) -> list[Sheet]:
    """Every worksheet, merged ranges filled with their top-left value; streamed and bounded (`bounded.read_xlsx`)."""
    _check_size(path)
    sheets: list[Sheet] = []
    for book_sheet in read_xlsx_bounded(
        path, str(path), limits=limits, max_rows=MAX_ROWS + 20, max_columns=MAX_COLUMNS
    ):
        width = max((len(row) for row in book_sheet.rows), default=0)
        for row in book_sheet.rows:
            row.extend([None] * (width - len(row)))
        book_sheet.fill_merges(MAX_COLUMNS)
        sheets.append(Sheet(source=str(path), name=book_sheet.title, rows=book_sheet.rows))
    return sheets


def _decode(path: Path, data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(str(path), "cannot decode the file as UTF-8 or GB18030")


def read_csv(path: Path) -> list[Sheet]:
    """One sheet; the delimiter (comma, tab, semicolon) is sniffed."""
    _check_size(path)
    text = _decode(path, path.read_bytes())
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:8192], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[object]] = []
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        for row in reader:
            if len(rows) >= MAX_ROWS:
                raise InputError(str(path), f"more than {MAX_ROWS} rows; split the file")
            rows.append(list(row[:MAX_COLUMNS]))
    except csv.Error as exc:
        raise InputError(str(path), f"line {reader.line_num}: not readable CSV ({exc})") from None
    return [Sheet(source=str(path), name="", rows=rows)]


def _records_sheet(path: Path, name: str, records: list[Any]) -> Sheet:
    """JSON objects to a sheet: the union of keys is the header row (row 1), each object a row."""
    if len(records) > MAX_ROWS:
        raise InputError(f"{path}: {name}", f"{len(records)} records; at most {MAX_ROWS} are read")
    keys: list[str] = []
    for record in records:
        if isinstance(record, dict):
            keys.extend(k for k in record if k not in keys)
    rows: list[list[object]] = [list(keys)]
    for record in records:
        if isinstance(record, dict):
            rows.append([_json_cell(record.get(k)) for k in keys])
        else:
            rows.append([f"<not an object: {type(record).__name__}>"])
    return Sheet(source=str(path), name=name, rows=rows)


def _json_cell(value: Any) -> object:
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def read_json(path: Path) -> list[Sheet]:
    """A list of plan objects, or {"plans": [...], "channels": [...], "operator", "region"}."""
    _check_size(path)
    try:
        document = json.loads(_decode(path, path.read_bytes()))
    except json.JSONDecodeError as exc:
        raise InputError(str(path), f"not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise InputError(str(path), "not valid JSON: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer longer than Python converts
        raise InputError(str(path), f"not valid JSON: {exc}") from None
    if isinstance(document, list):
        return [_records_sheet(path, "plans", document)]
    if not isinstance(document, dict) or not isinstance(document.get("plans"), list):
        raise InputError(str(path), "expected a list of plans or an object with a 'plans' list")
    meta = {k: document[k] for k in ("operator", "region", "as_of") if isinstance(document.get(k), str)}
    sheets = [_records_sheet(path, "plans", document["plans"])]
    channels = document.get("channels")
    if isinstance(channels, list):
        sheets.append(_records_sheet(path, "channels", channels))
    elif channels is not None:
        raise InputError(str(path), f"'channels' must be a list, got {type(channels).__name__}")
    for sheet in sheets:
        sheet.meta.update(meta)
    return sheets


def read_sheets(path: Path) -> list[Sheet]:
    """Read a catalogue file by its suffix: .xlsx/.xlsm, .csv/.txt/.tsv or .json."""
    if not path.is_file():
        raise InputError(str(path), "file not found (or not a regular file)")
    suffix = path.suffix.lower()
    with guard(str(path), what="cannot read the catalogue file"):  # the boundary: no library error escapes
        if suffix in {".xlsx", ".xlsm"}:
            return read_xlsx(path)
        if suffix in {".csv", ".tsv", ".txt"}:
            return read_csv(path)
        if suffix == ".json":
            return read_json(path)
    raise InputError(str(path), f"unsupported file type {suffix!r}; expected .xlsx, .csv or .json")
