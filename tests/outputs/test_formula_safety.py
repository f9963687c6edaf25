"""Every public spreadsheet writer leaves formula-like text inert: read back, it is text with a leading apostrophe.

Cells hold text an outside party controls (app and plan names, purposes quoted from a privacy policy), so
a cell starting with = + - @ (or a tab or carriage return) must never reach a spreadsheet as a formula.
The publication writers (`supervision.render.tabular`) are covered in tests/supervision/test_render.py.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from findings.finding_factory import HALL, make_result
from ganzhi.catalog.loader import default_catalog
from ganzhi.catalog.schema import Catalog
from ganzhi.errors import RowProblem
from ganzhi.findings.models import Result
from ganzhi.i18n import Text
from ganzhi.outputs.catalog_tables import to_csv as catalog_csv
from ganzhi.outputs.catalog_tables import write_xlsx as write_catalog_xlsx
from ganzhi.outputs.csv_out import results_to_csv, write_csv
from ganzhi.outputs.sheets import Sheet, inert, to_xlsx
from ganzhi.usecases.lists_draft import COLLECTED_HEADERS, SHARED_HEADERS, DraftLists
from ganzhi.usecases.lists_draft import to_xlsx as draft_xlsx
from ganzhi.usecases.tariff_report import write_xlsx_report

#: One hostile cell per character a spreadsheet reads as the start of a formula.
HOSTILE = ('=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1")


def _workbook_cells(data: bytes) -> list[object]:
    """Every cell value of the workbook; fails on any cell stored as a formula."""
    book = load_workbook(io.BytesIO(data))
    values: list[object] = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                values.append(cell.value)
    return values


def _assert_inert(values: Iterable[object], hostile: Iterable[str] = HOSTILE) -> None:
    seen = list(values)
    for raw in hostile:
        assert "'" + raw in seen, f"{raw!r} was not written as inert text"
        assert raw not in seen, f"{raw!r} was written as it is"


def _hostile_result(number: int, raw: str) -> Result:
    return make_result(subject=HALL.model_copy(update={"id": f"h{number}", "name": raw}))


@pytest.mark.parametrize("raw", HOSTILE)
def test_inert_prefixes_every_formula_start(raw: str) -> None:
    assert inert(raw) == "'" + raw
    assert inert(inert(raw)) == "'" + raw  # idempotent: guarded text is not guarded twice
    assert inert("普通文本 plain") == "普通文本 plain"
    assert inert(-5) == -5 and inert(None) is None  # numbers are numbers, not text


def test_sheet_writer() -> None:
    sheet = Sheet("报告", ["名称 name", *HOSTILE[:1]], [[raw, 1] for raw in HOSTILE], banner=HOSTILE[1])
    _assert_inert(_workbook_cells(to_xlsx([sheet])))


def test_results_csv(tmp_path: Path) -> None:
    results = [_hostile_result(n, raw) for n, raw in enumerate(HOSTILE)]
    rows = list(csv.DictReader(io.StringIO(results_to_csv(results), newline="")))
    _assert_inert(row["subject_name"] for row in rows)
    path = tmp_path / "results.csv"
    write_csv(path, results)
    with path.open(encoding="utf-8-sig", newline="") as stream:
        _assert_inert(row["subject_name"] for row in csv.DictReader(stream))


def _hostile_catalog() -> Catalog:
    catalog = default_catalog()
    task = catalog.tasks[0]
    requirements = [
        req.model_copy(update={"title": Text(zh=raw, en=raw)})
        for req, raw in zip(task.requirements, HOSTILE, strict=False)
    ]
    assert len(requirements) == len(HOSTILE), "the first task needs one requirement per hostile cell"
    tasks = [task.model_copy(update={"requirements": requirements})]
    return catalog.model_copy(update={"tasks": tasks})


def test_catalog_csv_and_xlsx(tmp_path: Path) -> None:
    catalog = _hostile_catalog()
    _assert_inert(row["title"] for row in csv.DictReader(io.StringIO(catalog_csv(catalog), newline="")))
    path = tmp_path / "catalog.xlsx"
    write_catalog_xlsx(catalog, path)
    _assert_inert(_workbook_cells(path.read_bytes()))


def test_draft_lists_xlsx() -> None:
    collected = [[raw, raw, "场景", "方式", "否", "已收集"] for raw in HOSTILE]
    shared = [[raw, "主体", raw, "位置信息", "SDK", "场景", "http://x", "com.x"] for raw in HOSTILE]
    assert len(collected[0]) == len(COLLECTED_HEADERS) and len(shared[0]) == len(SHARED_HEADERS)
    _assert_inert(_workbook_cells(draft_xlsx(DraftLists(package="com.x", collected=collected, shared=shared))))


def test_tariff_report_xlsx(tmp_path: Path) -> None:
    results = [_hostile_result(n, raw) for n, raw in enumerate(HOSTILE)]
    problems = [RowProblem("c.xlsx", n, raw, raw, sheet="资费公示") for n, raw in enumerate(HOSTILE, start=2)]
    path = write_xlsx_report(tmp_path / "out" / "r.xlsx", results, problems, meta={"catalogue": HOSTILE[0]})
    _assert_inert(_workbook_cells(path.read_bytes()))
