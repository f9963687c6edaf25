"""Render results in the format a command was asked for; every format reads the same models."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ganzhi.cli._common import OutputFormat, console, write_text
from ganzhi.engine.registry import default_registry
from ganzhi.findings.models import Issue, Result
from ganzhi.findings.recheck import RecheckDiff
from ganzhi.i18n import Lang
from ganzhi.outputs.csv_out import results_to_csv
from ganzhi.outputs.json_out import results_to_json
from ganzhi.outputs.sarif import sarif_json
from ganzhi.outputs.table import results_table, summary_table


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
    """Print or write `results` as a table, JSON, CSV or SARIF."""
    if fmt is OutputFormat.table:
        if out is not None:
            raise ValueError("--out is for json, csv and sarif; a table prints to the terminal")
        console.print(results_table(results, lang=lang))
        console.print(summary_table(results, lang=lang))
        return
    if fmt is OutputFormat.json:
        write_text(out, results_to_json(results, issues, meta))
    elif fmt is OutputFormat.csv:
        write_text(out, results_to_csv(results, header_lang=lang))
    else:
        checks = {spec.id: spec.metadata for spec in default_registry().all()}
        run_id = str((meta or {}).get("run_id") or "") or None
        write_text(out, sarif_json(results, checks, diff=diff, run_id=run_id, lang=lang))
