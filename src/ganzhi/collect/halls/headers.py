"""Find the header row of a published table that has title rows above it, then read rows as `tables` does.

Operators' exported lists often open with a merged title row ("苏州联通可办理携号转网业务营业厅名单（2024年4月
更新）") and put the column names on the second or third row. `tables.read_rows` takes the first row as the
header; here the first rows of an XLSX or CSV file are scanned for the row naming at least two known
columns, and the rows below it are returned keyed by that row. When the first row is the header (or no
row names known columns), `tables.read_rows` reads the file unchanged, with its bounds.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator
from pathlib import Path

from ganzhi.collect.bounded import iter_xlsx_rows
from ganzhi.collect.halls.tables import MAX_FILE_BYTES, MAX_ROWS, XLSX_LIMITS, Row, read_rows
from ganzhi.errors import GanzhiError, InputError

#: How many leading rows may be titles or notes before the header.
HEADER_SCAN_ROWS = 10


def _raw_rows(path: Path) -> Iterator[tuple[int, tuple[object, ...]]]:
    if path.suffix.lower() == ".csv":
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(str(path), f"file is {size} bytes; at most {MAX_FILE_BYTES} are accepted")
        text = path.read_bytes().decode("utf-8-sig", errors="strict")
        for number, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
            if number > MAX_ROWS:
                raise InputError(str(path), f"more than {MAX_ROWS} rows; split the file")
            yield number, tuple(cells)
        return
    for _title, number, values in iter_xlsx_rows(path, str(path), limits=XLSX_LIMITS, first_sheet_only=True):
        yield number, values


def _known(values: tuple[object, ...], known: set[str]) -> int:
    return sum(1 for v in values if v is not None and str(v).strip().lower() in known)


def read_table(path: Path, *, json_key: str | None, aliases: Iterable[str]) -> Iterator[tuple[int, Row]]:
    """(row number, row) pairs like `tables.read_rows`, with the header found below any title rows."""
    if path.suffix.lower() not in {".csv", ".xlsx", ".xlsm"}:
        yield from read_rows(path, json_key=json_key)
        return
    known = {alias.lower() for alias in aliases}
    try:
        raw = _raw_rows(path)
        head = list(itertools.islice(raw, HEADER_SCAN_ROWS))
    except GanzhiError:
        raise
    except (UnicodeDecodeError, csv.Error, OSError):
        yield from read_rows(path, json_key=json_key)  # reports the problem naming the file
        return
    at = next((i for i, (_, values) in enumerate(head) if _known(values, known) >= 2), None)
    if at is None or at == 0 or _known(head[0][1], known) >= 2:
        yield from read_rows(path, json_key=json_key)
        return
    names = [str(v).strip() if v is not None else "" for v in head[at][1]]
    for number, values in itertools.chain(head[at + 1 :], raw):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        yield number, {name: value for name, value in zip(names, values, strict=False) if name}
