"""Tabular reports (sheets) in the formats the CLI offers: table, JSON, xlsx — one formula-safe spreadsheet writer.

A report is a list of `Sheet`s (title, header, rows of JSON-ready cells). Every format renders the
same sheets, so nothing is computed twice. Headers are bilingual (`中文 en`).
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from rich.table import Table

Cell = str | int | float | bool | None

#: Excel's limit on sheet-name length.
SHEET_NAME_LEN = 31
#: Leading characters that make a spreadsheet read a cell as a formula (CSV/formula injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert(cell: Cell) -> Cell:
    """A cell a spreadsheet will not evaluate: formula-like text gets a leading apostrophe.

    Every spreadsheet cell ganzhi writes (XLSX and CSV) passes here: cells often hold text an outside
    party controls (plan names, app names, purposes quoted from a privacy policy).
    """
    return "'" + cell if isinstance(cell, str) and cell.startswith(FORMULA_START) else cell


@dataclass(frozen=True, slots=True)
class Sheet:
    """One table of a report."""

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Cell]]

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


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """An Excel workbook with one worksheet per sheet (bold header, frozen first row)."""
    book = Workbook()
    if book.active is not None:
        book.remove(book.active)
    used: set[str] = set()
    for number, sheet in enumerate(sheets, start=1):
        name = sheet.title[:SHEET_NAME_LEN] or f"sheet{number}"
        for bad in "[]:*?/\\":
            name = name.replace(bad, "_")
        if name in used:
            name = f"{name[: SHEET_NAME_LEN - 4]}_{number}"
        used.add(name)
        ws = book.create_sheet(name)
        ws.append([inert(cell) for cell in sheet.header])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            ws.append([inert(cell) for cell in row])
        ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
