"""The `ganzhi tariff check` job: run the T1 checks over an imported catalogue and report them with the
import problems, as an XLSX workbook (results, summary, problems, about) or as the JSON results document
with a `problems` list.

Which checks run is the registry's answer (task T1, checks that can judge a `tariff_catalogue`), never a
hand-kept list, so a new tariff check runs without touching this module. The workbook goes through the
one formula-safe writer (`ganzhi.outputs.sheets`): plan names come from the operator's own catalogue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ganzhi.engine.registry import Registry, default_registry
from ganzhi.engine.runner import RunOutcome, evaluate
from ganzhi.errors import RowProblem
from ganzhi.evidence.base import Evidence
from ganzhi.evidence.tariff import SUBJECT_TYPE
from ganzhi.findings.models import Result
from ganzhi.i18n import Lang
from ganzhi.outputs.csv_out import COLUMNS, result_row
from ganzhi.outputs.json_out import results_document
from ganzhi.outputs.labels import sorted_results
from ganzhi.outputs.sheets import Cell, Sheet, to_xlsx
from ganzhi.outputs.summary import status_counts

#: The task whose checks `ganzhi tariff check` runs.
TASK = "T1"
#: The evidence kind an imported catalogue is stored as (also its subject type).
EVIDENCE_KIND = SUBJECT_TYPE
_STATUSES = ("PASS", "FAIL", "WARN", "MANUAL", "NOT_APPLICABLE", "ERROR")
_PROBLEM_HEADERS = {"zh": ("级别", "位置", "字段", "问题"), "en": ("level", "where", "field", "problem")}


def tariff_check_ids(registry: Registry | None = None) -> tuple[str, ...]:
    """Ids of the T1 checks that judge a tariff catalogue, as the registry selects them."""
    chosen = (registry or default_registry()).select(tasks=[TASK], evidence_kinds=[EVIDENCE_KIND])
    return tuple(spec.id for spec in chosen)


def check_catalogue(evidence: Sequence[Evidence], *, registry: Registry | None = None) -> RunOutcome:
    """Run the T1 checks over the catalogue evidence; the runner keeps those that can judge it."""
    return evaluate(evidence, tasks=[TASK], registry=registry)


def problem_records(problems: Sequence[RowProblem]) -> list[dict[str, Any]]:
    """Import problems as JSON-ready records."""
    return [{"level": p.level, "where": p.where, "field": p.field, "message": p.problem} for p in problems]


def report_document(results: Sequence[Result], problems: Sequence[RowProblem], meta: dict[str, Any]) -> dict[str, Any]:
    """The JSON results document with the import problems added."""
    document = results_document(results, None, meta)
    document["problems"] = problem_records(problems)
    return document


def report_sheets(
    results: Sequence[Result],
    problems: Sequence[RowProblem],
    *,
    lang: Lang = "zh",
    meta: dict[str, Any] | None = None,
) -> list[Sheet]:
    """Sheets 检查结果 (one row per result), 汇总 (status counts per check), 导入问题 and 说明."""
    zh = lang == "zh"
    per_check: dict[str, dict[str, int]] = {}
    for result in results:
        counts = per_check.setdefault(result.check_id, {})
        counts[result.status.value] = counts.get(result.status.value, 0) + 1
    summary: list[list[Cell]] = [[check_id, *(per_check[check_id].get(s, 0) for s in _STATUSES)]
                                 for check_id in sorted(per_check)]  # fmt: skip
    for task, counts in status_counts(results).items():
        summary.append([f"{task} 合计" if zh else f"{task} total", *(counts.get(s, 0) for s in _STATUSES)])
    about = {**(meta or {}), "generated_at": dt.datetime.now(dt.UTC).isoformat()}
    about_rows = [[key, str(value)] for key, value in about.items()]
    return [
        Sheet("检查结果" if zh else "results", [c.header.get(lang) for c in COLUMNS],
              [result_row(result) for result in sorted_results(results)]),
        Sheet("汇总" if zh else "summary", ["检查项" if zh else "check", *_STATUSES], summary),
        Sheet("导入问题" if zh else "import problems", _PROBLEM_HEADERS[lang],
              [[p.level, p.where, p.field or "", p.problem] for p in problems]),
        Sheet("说明" if zh else "about", about_rows[0] if about_rows else (), about_rows[1:]),
    ]  # fmt: skip


def write_xlsx_report(
    path: Path,
    results: Sequence[Result],
    problems: Sequence[RowProblem],
    *,
    lang: Lang = "zh",
    meta: dict[str, Any] | None = None,
) -> Path:
    """Write the report workbook (`report_sheets`) to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(to_xlsx(report_sheets(results, problems, lang=lang, meta=meta)))
    return path
