"""CSV, XLSX and JSON renderings of a snapshot (the lists as published, plus the seal).

Spreadsheets go through the one formula-safe writer in `ganzhi.outputs.sheets`: list rows hold names an
app developer chose, so no cell may become a formula.
"""

from __future__ import annotations

import json
from typing import Any

from ganzhi.outputs import sheets
from ganzhi.outputs.sheets import Sheet
from ganzhi.supervision.chain import sealed_document
from ganzhi.supervision.publications import Publication
from ganzhi.supervision.render.columns import CAPTIONS, HEADERS, ListName, present, rows

#: Title of the sheet that identifies the snapshot (seal lines).
INFO_SHEET = "公示信息"


def to_csv(pub: Publication, name: ListName) -> str:
    """One list as CSV (UTF-8 with BOM so Excel opens the Chinese correctly), header first."""
    return "\ufeff" + sheets.to_csv([HEADERS[name], *rows(pub.content(), name)], lineterminator="\n")


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
    """A workbook: a 公示信息 sheet (label, value) and one sheet per non-empty list (bold header, frozen)."""
    body = pub.content()
    book = [Sheet(INFO_SHEET, (), seal_lines(pub))]
    book.extend(Sheet(CAPTIONS[name], HEADERS[name], rows(body, name)) for name in present(body))
    return sheets.to_xlsx(book)


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
