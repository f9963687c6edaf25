"""Rich tables for the terminal: the results of a run and a task × status summary.

Cells are built as `rich.text.Text`, never markup strings, so a message containing ``[...]`` (common
in Chinese policy text and in Android component names) is shown as written.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping

from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text as RichText

from ganzhi.evidence.status import Status
from ganzhi.findings.models import Result
from ganzhi.i18n import Lang, Text
from ganzhi.outputs.labels import SEVERITY_LABELS, STATUS_LABELS, STATUS_ORDER, sorted_results
from ganzhi.outputs.summary import status_counts, status_totals

STATUS_STYLES: Mapping[Status, str] = {
    Status.PASS: "green",
    Status.FAIL: "bold red",
    Status.WARN: "yellow",
    Status.MANUAL: "magenta",
    Status.NOT_APPLICABLE: "dim",
    Status.ERROR: "bold white on red",
}

_HEADERS: Mapping[str, Text] = {
    "results": Text(zh="检查结果", en="Results"),
    "summary": Text(zh="结果汇总（任务 × 状态）", en="Summary (task × status)"),
    "task": Text(zh="任务", en="Task"),
    "check": Text(zh="检查项", en="Check"),
    "subject": Text(zh="对象", en="Subject"),
    "status": Text(zh="状态", en="Status"),
    "severity": Text(zh="严重程度", en="Severity"),
    "message": Text(zh="说明", en="Message"),
    "location": Text(zh="位置", en="Location"),
    "total": Text(zh="合计", en="Total"),
}


def _h(key: str, lang: Lang) -> str:
    return _HEADERS[key].get(lang)


def status_cell(status: Status, lang: Lang = "zh") -> RichText:
    """The status label in its colour."""
    return RichText(STATUS_LABELS[status].get(lang), style=STATUS_STYLES[status])


def _subject_cell(result: Result) -> RichText:
    subject = result.subject
    text = RichText(subject.key)
    if subject.name:
        text.append(f"\n{subject.name}", style="dim")
    return text


def results_table(results: Iterable[Result], *, lang: Lang = "zh", title: str | None = None) -> Table:
    """One row per result in the stable output order; zh labels unless `lang="en"`."""
    table = Table(title=title if title is not None else _h("results", lang), show_lines=False)
    table.add_column(_h("task", lang), no_wrap=True)
    table.add_column(_h("check", lang))
    table.add_column(_h("subject", lang))
    table.add_column(_h("status", lang), no_wrap=True)
    table.add_column(_h("severity", lang), no_wrap=True)
    table.add_column(_h("message", lang), ratio=3)
    table.add_column(_h("location", lang))
    for result in sorted_results(results):
        check = RichText(result.check_id)
        check.append(f"\n{result.title.get(lang)}", style="dim")
        table.add_row(
            RichText(result.task),
            check,
            _subject_cell(result),
            status_cell(result.status, lang),
            RichText(SEVERITY_LABELS[result.severity].get(lang)),
            RichText(result.message.get(lang)),
            RichText(result.location or ""),
        )
    return table


def summary_table(results: Iterable[Result], *, lang: Lang = "zh", title: str | None = None) -> Table:
    """Counts per task × status with a total column and a total row; zero cells are dimmed."""
    counts = status_counts(results)
    table = Table(title=title if title is not None else _h("summary", lang))
    table.add_column(_h("task", lang), no_wrap=True)
    for status in STATUS_ORDER:
        table.add_column(status_cell(status, lang), justify="right")
    table.add_column(_h("total", lang), justify="right")

    def row(label: str, values: Mapping[str, int], *, style: str = "") -> None:
        cells = [
            RichText(str(n), style=STATUS_STYLES[s] if n else "dim")
            for s, n in ((s, values[s.value]) for s in STATUS_ORDER)
        ]
        table.add_row(RichText(label, style=style), *cells, RichText(str(sum(values.values())), style=style))

    for task, values in counts.items():
        row(task, values)
    if counts:
        table.add_section()
        row(_h("total", lang), status_totals(counts), style="bold")
    return table


def render(renderable: RenderableType, *, width: int = 120, color: bool = False) -> str:
    """The renderable as text (ANSI colours only when `color`), e.g. for logs, tests and reports."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        legacy_windows=False,
    )
    console.print(renderable)
    return buffer.getvalue()
