"""Render results and report sheets in the format a command was asked for; every format reads the same models.

The renderers (openpyxl, the SARIF writer, the registry) load inside the functions: a group's help
must not pay for them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ganzhi.cli._common import OutputFormat, console, write_bytes, write_text

if TYPE_CHECKING:
    from ganzhi.findings.models import Issue, Result
    from ganzhi.findings.recheck import RecheckDiff
    from ganzhi.i18n import Lang
    from ganzhi.outputs.sheets import Sheet

#: What `emit_results` writes.
RESULT_FORMATS = (OutputFormat.table, OutputFormat.json, OutputFormat.csv, OutputFormat.sarif)
#: What `emit_sheets` writes.
SHEET_FORMATS = (OutputFormat.table, OutputFormat.json, OutputFormat.xlsx)


def emit_results(
    results: Sequence[Result],
    fmt: OutputFormat,
    out: Path | None,
    *,
    lang: Lang = "zh",
    issues: Sequence[Issue] | None = None,
    diff: RecheckDiff | None = None,
    meta: Mapping[str, Any] | None = None,
) -> None:
    """Print or write `results` as a table, JSON, CSV or SARIF (the caller checked the format with `check_format`)."""
    if fmt is OutputFormat.table:
        from ganzhi.outputs.table import results_table, summary_table

        if out is not None:
            raise ValueError("--output is for json, csv and sarif; a table prints to the terminal")
        console.print(results_table(results, lang=lang))
        console.print(summary_table(results, lang=lang))
        return
    if fmt is OutputFormat.json:
        from ganzhi.outputs.json_out import results_to_json

        write_text(out, results_to_json(results, issues, meta))
    elif fmt is OutputFormat.csv:
        from ganzhi.outputs.csv_out import results_to_csv

        write_text(out, results_to_csv(results, header_lang=lang))
    elif fmt is OutputFormat.sarif:
        from ganzhi.engine.registry import default_registry
        from ganzhi.outputs.sarif import sarif_json

        checks = {spec.id: spec.metadata for spec in default_registry().all()}
        run_id = str((meta or {}).get("run_id") or "") or None
        write_text(out, sarif_json(results, checks, diff=diff, run_id=run_id, lang=lang))
    else:
        raise ValueError(f"results cannot be written as {fmt.value}")


def emit_sheets(
    sheets: Sequence[Sheet],
    fmt: OutputFormat,
    out: Path | None,
    meta: Mapping[str, Any] | None = None,
    *,
    title: str = "",
) -> None:
    """Print tables, or write JSON (stdout or file), xlsx or PDF (file required; PDF needs the `pdf` extra)."""
    from ganzhi.outputs.sheets import to_json, to_rich, to_xlsx

    if fmt is OutputFormat.table:
        for sheet in sheets:
            console.print(to_rich(sheet))
        return
    if fmt is OutputFormat.json:
        write_text(out, to_json(sheets, dict(meta) if meta is not None else None))
        return
    if out is None:
        raise ValueError(f"--format {fmt.value} needs --output FILE.{fmt.value}")
    if fmt is OutputFormat.xlsx:
        write_bytes(out, to_xlsx(sheets))
    elif fmt is OutputFormat.pdf:
        write_bytes(out, sheets_pdf(sheets, title))
    else:
        raise ValueError(f"report sheets cannot be written as {fmt.value}")


def sheets_pdf(sheets: Sequence[Sheet], title: str) -> bytes:
    """A simple PDF of the report tables (same renderer and font as the publications)."""
    from jinja2 import Environment, select_autoescape

    from ganzhi.supervision.render.pdf import render_pdf

    template = Environment(autoescape=select_autoescape(default=True)).from_string(
        "<h1>{{ title }}</h1>{% for s in sheets %}<table><caption>{{ s.title }}</caption><tr>"
        "{% for h in s.header %}<th>{{ h }}</th>{% endfor %}</tr>{% for r in s.rows %}<tr>"
        "{% for c in r %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table>{% endfor %}"
    )
    return render_pdf(template.render(title=title, sheets=sheets))
