"""Read tabular files (XLSX, CSV, JSON/JSONL) into row dicts with bounded size and row count.

Shared by the hall registry, the published hall list, hotline registries and the T8 matrix. Every
problem is an `InputError` naming the file; per-row problems are left to the caller, which knows
the fields.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ganzhi.collect.bounded import DEFAULT_LIMITS, iter_xlsx_rows
from ganzhi.errors import GanzhiError, InputError, RowProblem

MAX_FILE_BYTES = 200 << 20
MAX_ROWS = 1_000_000
#: Workbooks are streamed row by row; a million-row registry may take minutes, so the time budget is wider.
XLSX_LIMITS = replace(DEFAULT_LIMITS, max_rows=MAX_ROWS + 1, max_seconds=900.0)

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class FileCounts:
    """What one input file gave: rows kept, rows not kept, and its problems by level."""

    source: str
    accepted: int
    rejected: int
    warnings: int = 0
    errors: int = 0

    @classmethod
    def of(cls, source: str, accepted: int, rejected: int, problems: Iterable[RowProblem]) -> FileCounts:
        """Counts of `source`, its warnings and errors read from `problems` (those whose source it is)."""
        levels = [p.level for p in problems if p.source == source]
        return cls(source, accepted, rejected, levels.count("warning"), levels.count("error"))


def _check_size(path: Path, max_bytes: int) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(str(path), f"cannot open: {exc.strerror or exc}") from None
    if size > max_bytes:
        raise InputError(str(path), f"file is {size} bytes; at most {max_bytes} are accepted")


def _csv_rows(path: Path) -> Iterator[tuple[int, Row]]:
    text = path.read_bytes().decode("utf-8-sig", errors="strict")
    reader = csv.DictReader(io.StringIO(text))
    for number, row in enumerate(reader, start=2):
        yield number, {str(k).strip(): v for k, v in row.items() if k is not None}


def _xlsx_rows(path: Path) -> Iterator[tuple[int, Row]]:
    names: list[str] | None = None
    for _title, number, values in iter_xlsx_rows(path, str(path), limits=XLSX_LIMITS, first_sheet_only=True):
        if names is None:
            names = [str(h).strip() if h is not None else "" for h in values]
            continue
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        yield number, {name: value for name, value in zip(names, values, strict=False) if name}


def _json_rows(path: Path, key: str | None) -> Iterator[tuple[int, Row]]:
    text = path.read_bytes().decode("utf-8-sig")
    if path.suffix.lower() == ".jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(str(path), f"line {number}: not valid JSON: {exc.msg}") from None
                except RecursionError:
                    raise InputError(str(path), f"line {number}: not valid JSON: nested too deeply") from None
                yield number, value if isinstance(value, dict) else {"__not_an_object__": value}
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(str(path), f"not valid JSON: {exc.msg} (line {exc.lineno})") from None
    except RecursionError:
        raise InputError(str(path), "not valid JSON: nested too deeply") from None
    if isinstance(data, Mapping) and key is not None and key in data:
        data = data[key]
    if not isinstance(data, list):
        raise InputError(str(path), f"expected a JSON list of objects (or an object with a {key!r} list)")
    for number, value in enumerate(data, start=1):
        yield number, value if isinstance(value, dict) else {"__not_an_object__": value}


def read_rows(path: Path, *, json_key: str | None = None, max_rows: int = MAX_ROWS) -> Iterator[tuple[int, Row]]:
    """(row number, row) pairs from `path` by its suffix; row numbers are as a user sees them."""
    _check_size(path, MAX_FILE_BYTES)
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            source = _csv_rows(path)
        elif suffix in {".xlsx", ".xlsm"}:
            source = _xlsx_rows(path)
        elif suffix in {".json", ".jsonl"}:
            source = _json_rows(path, json_key)
        else:
            raise InputError(str(path), f"unsupported file type {suffix!r}; expected .xlsx, .csv, .json or .jsonl")
        for count, item in enumerate(source, start=1):
            if count > max_rows:
                raise InputError(str(path), f"more than {max_rows} rows; split the file")
            yield item
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except csv.Error as exc:
        raise InputError(str(path), f"not readable CSV ({exc})") from None
    except GanzhiError:
        raise
    except (Exception, MemoryError) as exc:  # the boundary: any library failure names the file, never a traceback
        raise InputError(str(path), f"cannot read the file ({type(exc).__name__}: {str(exc)[:300]})") from None


def pick(row: Row, aliases: tuple[str, ...]) -> Any:
    """The first present, non-blank value among `aliases` (case-insensitive), else None."""
    lowered = {str(k).strip().lower(): v for k, v in row.items()}
    for alias in aliases:
        value = lowered.get(alias.lower())
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        return value.strip() if isinstance(value, str) else value
    return None


_TRUE = {"true", "1", "yes", "y", "是", "支持", "可", "√", "✓", "t"}
_FALSE = {"false", "0", "no", "n", "否", "不支持", "不可", "×", "✗", "f"}


def parse_bool(value: Any) -> bool:
    """A yes/no cell (true/false, 1/0, 是/否, 支持/不支持); ValueError otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"expected yes/no (true/false, 1/0, 是/否) (got {value!r})")


def parse_date(value: Any) -> dt.date:
    """A YYYY-MM-DD cell or an Excel date; ValueError otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().replace("/", "-")
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"expected a date YYYY-MM-DD (got {value!r})") from None


def parse_float(value: Any) -> float:
    """A number cell; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number (got {value!r})")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"expected a number (got {value!r})") from None
