"""The `ganzhi tariff check` report: results of the T1 checks plus the import problems, as an
XLSX workbook (results, summary, problems) or as the JSON results document with a `problems` list.

Cells are written as text through `safe_cell`, so a plan name starting with '=' never becomes a formula.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ganzhi.collect.tariff.importer import ImportProblem
from ganzhi.findings.models import Result
from ganzhi.i18n import Lang
from ganzhi.outputs.csv_out import COLUMNS, result_row, safe_cell
from ganzhi.outputs.json_out import results_document
from ganzhi.outputs.labels import sorted_results
from ganzhi.outputs.summary import status_counts

#: The T1 tariff checks `ganzhi tariff check` runs over a catalogue.
TARIFF_CHECKS: tuple[str, ...] = (
    "t1_tariff_channel_entry",
    "t1_tariff_elderly_entry",
    "t1_tariff_required_elements",
    "t1_tariff_publication_fields",
    "t1_tariff_misleading_name",
    "t1_tariff_name_duplicates",
    "t1_tariff_throttle_terms",
    "t1_tariff_overage_price",
    "t1_tariff_spending_cap",
    "t1_tariff_single_service",
)
_PROBLEM_HEADERS = {"zh": ["级别", "位置", "字段", "问题"], "en": ["level", "where", "field", "problem"]}


def problem_records(problems: Sequence[ImportProblem]) -> list[dict[str, Any]]:
    """Import problems as JSON-ready records."""
    return [{"level": p.level, "where": p.where, "field": p.field, "message": p.message} for p in problems]


def report_document(
    results: Sequence[Result], problems: Sequence[ImportProblem], meta: dict[str, Any]
) -> dict[str, Any]:
    """The JSON results document with the import problems added."""
    document = results_document(results, None, meta)
    document["problems"] = problem_records(problems)
    return document


def write_xlsx_report(
    path: Path,
    results: Sequence[Result],
    problems: Sequence[ImportProblem],
    *,
    lang: Lang = "zh",
    meta: dict[str, Any] | None = None,
) -> Path:
    """Write sheets 检查结果 (one row per result), 汇总 (status counts per check) and 导入问题."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook always has one sheet
    ws.title = "检查结果" if lang == "zh" else "results"
    ws.append([c.header.get(lang) for c in COLUMNS])
    for result in sorted_results(results):
        ws.append(result_row(result))
    summary = wb.create_sheet("汇总" if lang == "zh" else "summary")
    per_check: dict[str, dict[str, int]] = {}
    for result in results:
        counts = per_check.setdefault(result.check_id, {})
        counts[result.status.value] = counts.get(result.status.value, 0) + 1
    statuses = ["PASS", "FAIL", "WARN", "MANUAL", "NOT_APPLICABLE", "ERROR"]
    summary.append(["检查项" if lang == "zh" else "check", *statuses])
    for check_id in sorted(per_check):
        summary.append([check_id, *(per_check[check_id].get(s, 0) for s in statuses)])
    for task, counts in status_counts(results).items():
        summary.append([f"{task} 合计" if lang == "zh" else f"{task} total", *(counts.get(s, 0) for s in statuses)])
    sheet = wb.create_sheet("导入问题" if lang == "zh" else "import problems")
    sheet.append(_PROBLEM_HEADERS[lang])
    for p in problems:
        sheet.append([p.level, safe_cell(p.where), safe_cell(p.field or ""), safe_cell(p.message)])
    info = wb.create_sheet("说明" if lang == "zh" else "about")
    for key, value in {**(meta or {}), "generated_at": dt.datetime.now(dt.UTC).isoformat()}.items():
        info.append([key, safe_cell(str(value))])
    for book_sheet in wb.worksheets:
        for cell in book_sheet[1]:
            cell.font = Font(bold=True)
        book_sheet.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
