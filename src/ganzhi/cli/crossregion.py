"""`ganzhi crossregion check`: 亲情网 / 固移融合 cross-region handling (T8) with a province heatmap.

Each input file's line `接受 N 行，拒绝 M 行，警告 K 条 / accepted N, rejected M, warnings K` goes to stderr (a
row set aside for a word ganzhi cannot read is a warning naming the value, not a rejected row). Exit codes:
0 checked; 1 a file cannot be read at all; 2 checked, but rows were rejected. Warnings alone never exit 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ganzhi.cli._common import FORMAT_HELP, OUTPUT_HELP, OutputFormat, check_format, err_console, fail, progress_bar
from ganzhi.cli._report import RESULT_FORMATS
from ganzhi.errors import GanzhiError

app = typer.Typer(help="跨区域通办 / cross-region handling (T8).", no_args_is_help=True, pretty_exceptions_enable=False)


@app.callback()
def crossregion() -> None:
    """跨区域通办 / cross-region handling (T8)."""


@app.command("check")
def check(
    *,
    matrix: Annotated[Path, typer.Option("--matrix", "-m", help="能力矩阵 / capability matrix (xlsx, csv, json)")],
    tests: Annotated[Path | None, typer.Option("--tests", "-t", help="测试记录 / test records")] = None,
    heatmap: Annotated[Path | None, typer.Option("--heatmap", help="省份热力图 HTML / province heatmap file")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
) -> None:
    """按运营商×省份×业务×渠道检查跨区域办理 / check the matrix and write a heatmap."""
    from ganzhi.cli._counts import has_errors, print_counts
    from ganzhi.cli._report import emit_results
    from ganzhi.collect.crossregion.matrix import import_matrix
    from ganzhi.engine.runner import evaluate
    from ganzhi.evidence.crossregion import CrossRegionMatrix
    from ganzhi.usecases.crossregion_heatmap import heatmap_html

    for path in (matrix, tests):
        if path is not None and not path.is_file():
            raise fail(f"{path}: file not found (or not a regular file)")
    check_format(fmt, RESULT_FORMATS, command="crossregion check", output=output)
    try:
        with progress_bar("读取并评估 / reading and evaluating", None):
            imported = import_matrix(matrix, tests)
            evidence = imported.evidence(str(matrix))
            outcome = evaluate(evidence, tasks=("T8",))
    except GanzhiError as exc:
        raise fail(str(exc)) from None
    for error in imported.errors[:20]:
        err_console.print(str(error), markup=False, highlight=False, soft_wrap=True)
    for counts in imported.files:
        print_counts(counts.source, counts.accepted, counts.rejected, counts.warnings)
    if heatmap is not None:
        heatmap.write_text(heatmap_html([item.payload(CrossRegionMatrix) for item in evidence]), encoding="utf-8")
        err_console.print(f"wrote {heatmap}", markup=False, highlight=False)
    emit_results(outcome.results, fmt, output, meta={"rejected_rows": [e.to_json() for e in imported.errors]})
    if has_errors(imported.errors):  # rows with errors; warnings alone never fail the command
        raise typer.Exit(code=2)
