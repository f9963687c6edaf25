"""`ganzhi app audit APP.apk`: one app through scan → policy → lists → every T3/T6/T7/T11 check, one report.

The module is `apps`, not `app`: a submodule named `app` would replace the `ganzhi.cli.app` Typer object
the entry point and every CLI test import (Python binds an imported submodule as its package's attribute).

Writes JSON, SARIF, a readable HTML page (and PDF with the `pdf` extra) per app with `-o DIR`, or prints the
chosen format. Exit codes: 0 done; 1 unusable input (the APK cannot be read); 2 a missing optional extra.
Heavy libraries are imported inside the command so `ganzhi app --help` stays quick.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from ganzhi.cli._common import check_format, console, err_console, fail, needs_extra, write_text
from ganzhi.outputs.formats import OutputFormat

app = typer.Typer(
    help="应用审计：扫描、隐私政策、双清单与全部T3/T6/T7/T11检查 / app audit: scan, policy, lists and all checks.",
    no_args_is_help=True,
)


@app.callback()
def _group() -> None:
    """APP审计 / app audit (a group, so that `ganzhi app audit` keeps its sub-command name)."""


FORMATS = (OutputFormat.table, OutputFormat.json, OutputFormat.sarif, OutputFormat.html, OutputFormat.pdf)


@app.command("audit")
def audit_cmd(
    apk: Annotated[Path, typer.Argument(help="安装包文件 / the APK file")],
    policy: Annotated[
        str | None, typer.Option("--policy", help="隐私政策文件或 URL / privacy policy file or URL")
    ] = None,
    lists: Annotated[
        list[Path] | None,
        typer.Option("--lists", help="个人信息清单文件（可多次）/ PI list file (repeatable)"),
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="报告格式 / format: table | json | sarif | html | pdf")
    ] = OutputFormat.table,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="输出目录（写 JSON、SARIF、HTML）或文件 / output directory or file"),
    ] = None,
    lang: Annotated[str, typer.Option(help="报告语言（SARIF）/ SARIF language: zh | en")] = "zh",
) -> None:
    """审计一个APP并输出一份报告 / audit one app and write one report (JSON, SARIF, HTML/PDF)."""
    to_dir = output is not None and (output.is_dir() or output.suffix == "")
    check_format(fmt, FORMATS, command="app audit", output=output if fmt is OutputFormat.pdf or not to_dir else None)
    if not apk.is_file():
        raise fail(f"{apk}: 文件不存在 / no such file")
    from ganzhi.errors import GanzhiError
    from ganzhi.usecases.app_audit import audit_app

    try:
        report = audit_app(apk, policy=policy, lists=lists or [])
    except GanzhiError as exc:
        raise fail(exc) from None
    for problem in report.problems[:20]:
        err_console.print(problem, style="yellow", markup=False, highlight=False, soft_wrap=True)
    _write(report, fmt, output, to_dir=to_dir, lang=lang)
    if fmt is OutputFormat.table:
        table = Table(title=f"APP 审计 / app audit — {report.static.package}")
        for column in ("check", "status", "message"):
            table.add_column(column, overflow="fold")
        for r in report.results:
            table.add_row(r.check_id, r.status.value, r.message.zh)
        console.print(table)


def _write(report: Any, fmt: OutputFormat, output: Path | None, *, to_dir: bool, lang: str) -> None:
    """Write the report: every file into a directory, or the one chosen format to a file or stdout."""
    from ganzhi.supervision.render.pdf import PdfUnavailable, render_pdf
    from ganzhi.usecases.app_audit import write_audit

    try:
        if output is not None and to_dir:
            with needs_extra("pdf"):
                paths = write_audit(report, output, lang=lang, pdf=fmt is OutputFormat.pdf)
            err_console.print("已写出 / written: " + ", ".join(str(p) for p in paths), markup=False, highlight=False)
        elif fmt is OutputFormat.pdf and output is not None:
            with needs_extra("pdf"):
                output.write_bytes(render_pdf(report.to_html()))
        elif fmt is OutputFormat.json:
            write_text(output, json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
        elif fmt is OutputFormat.sarif:
            write_text(output, report.to_sarif(lang))
        elif fmt is OutputFormat.html:
            write_text(output, report.to_html())
    except PdfUnavailable as exc:
        err_console.print(f"无法生成PDF / cannot render PDF: {exc}", style="red", markup=False, highlight=False)
        raise typer.Exit(code=2) from None
