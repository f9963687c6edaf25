"""CSV, XLSX and JSON renderings of a snapshot (the lists as published, plus the seal)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from ganzhi.supervision.chain import sealed_document
from ganzhi.supervision.publications import Publication
from ganzhi.supervision.render.columns import CAPTIONS, HEADERS, Cell, ListName, present, rows

#: Leading characters that make a spreadsheet read a cell as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(cell: Cell) -> Cell:
    """A text cell that a spreadsheet will not evaluate: formula-like text gets a leading apostrophe."""
    return "'" + cell if isinstance(cell, str) and cell.startswith(FORMULA_START) else cell


def to_csv(pub: Publication, name: ListName) -> str:
    """One list as CSV (UTF-8 with BOM so Excel opens the Chinese correctly), header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADERS[name])
    writer.writerows(tuple(_inert(cell) for cell in row) for row in rows(pub.content(), name))
    return "\ufeff" + buffer.getvalue()


def seal_lines(pub: Publication) -> list[tuple[str, str]]:
    """(label, value) lines that identify a snapshot and its place in the chain."""
    body = pub.content()
    return [
        ("标题 title", pub.title),
        ("发布单位 issuer", body.issuer),
        ("批次 batch", pub.numbering or "草稿 draft"),
        ("起草人 created by", pub.created_by),
        ("审核人 approved by", pub.approved_by or ""),
        ("审核时间 approved at", pub.approved_at.isoformat() if pub.approved_at else ""),
        ("上一份哈希 previous hash", pub.prev_hash or ""),
        ("本份哈希 hash (sha256)", pub.hash or ""),
    ]


def to_xlsx(pub: Publication) -> bytes:
    """A workbook: one sheet per non-empty list (bold header, frozen first row) and a 公示信息 sheet."""
    book = Workbook()
    info = book.active
    if info is None:
        info = book.create_sheet()
    info.title = "公示信息"
    for label, value in seal_lines(pub):
        info.append([label, value])
    body = pub.content()
    for name in present(body):
        sheet = book.create_sheet(CAPTIONS[name][:31])
        sheet.append(list(HEADERS[name]))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows(body, name):
            sheet.append(list(row))
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_json(pub: Publication) -> str:
    """The sealed document, its hash, title and the lists with published (Chinese) column names."""
    body = pub.content()
    payload: dict[str, Any] = {
        "title": pub.title,
        "numbering": pub.numbering,
        "status": pub.status.value,
        "hash": pub.hash,
        "sealed": sealed_document(pub),
        "lists": {
            name.value: [dict(zip(HEADERS[name], row, strict=True)) for row in rows(body, name)]
            for name in present(body)
        },
    }
    return json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
