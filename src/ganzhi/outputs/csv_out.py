"""CSV: one row per result with fixed columns, for spreadsheets and hand-offs to people.

Columns never move (`COLUMNS`); headers are English ids by default or Chinese with
``header_lang="zh"``. Lists are joined with ``"; "``, `data` is canonical JSON. Files are written as
UTF-8 with a BOM so Excel shows Chinese text correctly. Rows are written by the one formula-safe CSV writer
(`ganzhi.outputs.sheets.write_csv_rows`):
text starting with ``= + - @`` (or a tab or carriage return) gets a leading apostrophe so a spreadsheet
never runs it as a formula (app names and messages come from outside input).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from ganzhi.evidence.base import canonical_json
from ganzhi.findings.models import Result
from ganzhi.i18n import Lang, Text
from ganzhi.outputs.labels import SEVERITY_LABELS, STATUS_LABELS, describe_params, sorted_results
from ganzhi.outputs.sheets import write_csv_rows

LIST_SEPARATOR = "; "


@dataclass(frozen=True, slots=True)
class Column:
    """A CSV column: its id, its zh/en header and how a result fills it."""

    id: str
    header: Text
    value: Callable[[Result], str]


def _opt(value: str | None) -> str:
    return value or ""


COLUMNS: tuple[Column, ...] = (
    Column("run_id", Text(zh="运行编号", en="run_id"), lambda r: r.run_id),
    Column("task", Text(zh="任务", en="task"), lambda r: r.task),
    Column("check_id", Text(zh="检查项", en="check_id"), lambda r: r.check_id),
    Column(
        "requirement_ids",
        Text(zh="要求编号", en="requirement_ids"),
        lambda r: LIST_SEPARATOR.join(r.requirement_ids),
    ),
    Column("subject_type", Text(zh="对象类型", en="subject_type"), lambda r: r.subject.type),
    Column("subject_id", Text(zh="对象标识", en="subject_id"), lambda r: r.subject.id),
    Column("subject_version", Text(zh="对象版本", en="subject_version"), lambda r: _opt(r.subject.version)),
    Column("subject_name", Text(zh="对象名称", en="subject_name"), lambda r: _opt(r.subject.name)),
    Column("enterprise", Text(zh="企业", en="enterprise"), lambda r: _opt(r.subject.enterprise)),
    Column("status", Text(zh="状态代码", en="status"), lambda r: r.status.value),
    Column("status_zh", Text(zh="状态", en="status_zh"), lambda r: STATUS_LABELS[r.status].zh),
    Column("severity", Text(zh="严重程度代码", en="severity"), lambda r: r.severity.value),
    Column("severity_zh", Text(zh="严重程度", en="severity_zh"), lambda r: SEVERITY_LABELS[r.severity].zh),
    Column("title_zh", Text(zh="检查项名称", en="title_zh"), lambda r: r.title.zh),
    Column("title_en", Text(zh="检查项名称（英文）", en="title_en"), lambda r: _opt(r.title.en)),
    Column("message_zh", Text(zh="结论说明", en="message_zh"), lambda r: r.message.zh),
    Column("message_en", Text(zh="结论说明（英文）", en="message_en"), lambda r: _opt(r.message.en)),
    Column("location", Text(zh="位置", en="location"), lambda r: _opt(r.location)),
    Column("params", Text(zh="参数（依据）", en="params"), lambda r: describe_params(r.params, "zh")),
    Column("params_en", Text(zh="参数（英文）", en="params_en"), lambda r: describe_params(r.params, "en")),
    Column("data", Text(zh="事实数据", en="data"), lambda r: canonical_json(r.data)),
    Column("fingerprint", Text(zh="指纹", en="fingerprint"), lambda r: r.fingerprint),
    Column("evidence_ids", Text(zh="证据编号", en="evidence_ids"), lambda r: LIST_SEPARATOR.join(r.evidence_ids)),
    Column("creates_issues", Text(zh="生成问题", en="creates_issues"), lambda r: str(r.creates_issues).lower()),
    Column("duration_ms", Text(zh="耗时（毫秒）", en="duration_ms"), lambda r: f"{r.duration_ms:.3f}"),
)

COLUMN_IDS: tuple[str, ...] = tuple(c.id for c in COLUMNS)


def result_row(result: Result) -> list[str]:
    """The cells of one result, in `COLUMNS` order (the writers make them formula-safe)."""
    return [column.value(result) for column in COLUMNS]


def write_rows(stream: TextIO, results: Iterable[Result], header_lang: Lang = "en") -> int:
    """Write the header and one row per result (stable order) to `stream`; returns the row count."""
    header = [column.header.get(header_lang) for column in COLUMNS]
    return write_csv_rows(stream, [header, *(result_row(result) for result in sorted_results(results))]) - 1


def results_to_csv(results: Iterable[Result], *, header_lang: Lang = "en") -> str:
    """The results as CSV text (no BOM)."""
    buffer = io.StringIO()
    write_rows(buffer, results, header_lang)
    return buffer.getvalue()


def write_csv(path: Path, results: Iterable[Result], *, header_lang: Lang = "en") -> int:
    """Write `path` as UTF-8 with BOM (Excel-friendly); returns the number of result rows."""
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        return write_rows(stream, results, header_lang)
