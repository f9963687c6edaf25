"""Tabular reports (sheets) in the formats the CLI offers: table, JSON, xlsx — one formula-safe spreadsheet writer.

A report is a list of `Sheet`s (title, header, rows of JSON-ready cells). Every format renders the
same sheets, so nothing is computed twice. Headers are bilingual (`中文 en`). Every workbook ganzhi
writes comes from `to_xlsx`, and every CSV cell passes `inert`, so no cell is ever run as a formula.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO, overload

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from rich.table import Table

Cell = str | int | float | bool | None

#: Excel's limit on sheet-name length.
SHEET_NAME_LEN = 31
#: Leading characters that make a spreadsheet read a cell as a formula (CSV/formula injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Characters Excel does not allow in a sheet name.
_BAD_NAME_CHARS = "[]:*?/\\"
#: Colour of a banner line (drafts say on every sheet that they are drafts).
BANNER_COLOUR = "C00000"


@overload
def inert(cell: str) -> str: ...
@overload
def inert(cell: Cell) -> Cell: ...
def inert(cell: Cell) -> Cell:
    """A cell a spreadsheet will not evaluate: formula-like text gets a leading apostrophe.

    Every spreadsheet cell ganzhi writes (XLSX and CSV) passes here: cells often hold text an outside
    party controls (plan names, app names, purposes quoted from a privacy policy).
    """
    return "'" + cell if isinstance(cell, str) and cell.startswith(FORMULA_START) else cell


def inert_row(row: Iterable[Cell]) -> list[Cell]:
    """Every cell of `row` through `inert`."""
    return [inert(cell) for cell in row]


def write_csv_rows(stream: TextIO, rows: Iterable[Iterable[Cell]], *, lineterminator: str = "\r\n") -> int:
    """Write `rows` (header included) as formula-safe CSV to `stream`; returns the number of rows.

    The csv module quotes a field holding a character of the line terminator only, so with a bare LF
    terminator a field holding a carriage return would go out unquoted and a reader would split the row:
    such a row is written with every field quoted.
    """
    plain = csv.writer(stream, lineterminator=lineterminator)
    quoted = csv.writer(stream, lineterminator=lineterminator, quoting=csv.QUOTE_ALL)
    count = 0
    for row in rows:
        cells = inert_row(row)
        bare_cr = "\r" not in lineterminator and any(isinstance(cell, str) and "\r" in cell for cell in cells)
        (quoted if bare_cr else plain).writerow(cells)
        count += 1
    return count


def to_csv(rows: Iterable[Iterable[Cell]], *, lineterminator: str = "\r\n") -> str:
    """`rows` (header included) as formula-safe CSV text (`write_csv_rows`), without a BOM."""
    buffer = io.StringIO()
    write_csv_rows(buffer, rows, lineterminator=lineterminator)
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class Sheet:
    """One table of a report.

    `header` may be empty for a key/value sheet (no bold row, nothing frozen). `banner` is one bold red
    line above the header; `column_width` sets every column's width (characters).
    """

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    banner: str | None = None
    column_width: float | None = None

    def records(self) -> list[dict[str, Cell]]:
        """Rows as mappings from header to cell."""
        return [dict(zip(self.header, row, strict=True)) for row in self.rows]


def to_json(sheets: Sequence[Sheet], meta: dict[str, Any] | None = None) -> str:
    """`{"meta": ..., "<title>": [records]}` as indented UTF-8 JSON."""
    payload: dict[str, Any] = {"meta": meta or {}}
    for sheet in sheets:
        payload[sheet.title] = sheet.records()
    return json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n"


def to_rich(sheet: Sheet) -> Table:
    """A Rich table of one sheet."""
    table = Table(title=sheet.title)
    for column in sheet.header:
        table.add_column(column)
    for row in sheet.rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    return table


def sheet_name(title: str, number: int, used: set[str]) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of `[]:*?/\\`, unique in the book."""
    name = title[:SHEET_NAME_LEN] or f"sheet{number}"
    for bad in _BAD_NAME_CHARS:
        name = name.replace(bad, "_")
    if name in used:
        name = f"{name[: SHEET_NAME_LEN - 4]}_{number}"
    used.add(name)
    return name


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """An Excel workbook with one worksheet per sheet (banner, bold header, frozen above the data)."""
    book = Workbook()
    if book.active is not None:
        book.remove(book.active)
    used: set[str] = set()
    for number, sheet in enumerate(sheets, start=1):
        ws = book.create_sheet(sheet_name(sheet.title, number, used))
        if sheet.banner is not None:
            ws.append([inert(sheet.banner)])
            ws.cell(row=1, column=1).font = Font(bold=True, color=BANNER_COLOUR)
        if sheet.header:
            ws.append([inert(cell) for cell in sheet.header])
            for cell in ws[ws.max_row]:
                cell.font = Font(bold=True)
            ws.freeze_panes = f"A{ws.max_row + 1}"
        for row in sheet.rows:
            ws.append([inert(cell) for cell in row])
        if sheet.column_width is not None:
            for column in range(1, max(len(sheet.header), 1) + 1):
                ws.column_dimensions[get_column_letter(column)].width = sheet.column_width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
