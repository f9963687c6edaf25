"""`ganzhi tariff`: import a tariff catalogue (XLSX/CSV/JSON) and run the T1 tariff checks over it.

Exit codes: 0 the catalogue was checked (import problems are reported, not fatal); 1 nothing could be
imported or an option is invalid; with `--fail-on fail`, 1 also when a check FAILs. After the import, each
input file's line `接受 N 行，拒绝 M 行，警告 K 条 / accepted N, rejected M, warnings K` goes to stderr.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from ganzhi.cli._common import OUTPUT_HELP, OutputFormat, check_format, console, err_console, progress_bar, write_text
from ganzhi.i18n import Lang

app = typer.Typer(
    help="资费目录检查 / tariff catalogue checks (T1).", no_args_is_help=True, pretty_exceptions_enable=False
)


@app.callback()
def tariff() -> None:
    """资费目录检查 / tariff catalogue checks (T1)."""


def _as_of(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"expected YYYY-MM-DD, got {value!r}", param_hint="--as-of") from None


@app.command("check")
def check(
    catalogue: Annotated[Path, typer.Argument(help="资费目录文件 / catalogue file (.xlsx, .csv, .json)")],
    channels: Annotated[
        list[Path] | None, typer.Option("--channels", help="渠道展示清单 / channel listing file(s)")
    ] = None,
    operator: Annotated[str | None, typer.Option(help="运营商 / operator code, e.g. china_telecom")] = None,
    region: Annotated[str | None, typer.Option(help="适用地区 / region, e.g. 上海")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="核查日期 / date plans are judged on sale")] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="输出格式 / output format: table | json | xlsx")
    ] = OutputFormat.table,
    out: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
    lang: Annotated[str, typer.Option(help="语言 / language: zh or en")] = "zh",
    fail_on_fail: Annotated[bool, typer.Option("--fail-on-fail", help="有FAIL时退出码为1 / exit 1 on FAIL")] = False,
) -> None:
    """导入资费目录并检查T1要求 / import a tariff catalogue and check the T1 requirements."""
    from ganzhi.cli._counts import print_counts
    from ganzhi.collect.tariff.importer import import_catalogue
    from ganzhi.engine.runner import evaluate
    from ganzhi.outputs.table import results_table, summary_table
    from ganzhi.usecases.tariff_report import report_document, write_xlsx_report

    language: Lang = "en" if lang == "en" else "zh"
    check_format(fmt, (OutputFormat.table, OutputFormat.json, OutputFormat.xlsx), command="tariff check", output=out)
    paths = [catalogue, *(channels or [])]
    with progress_bar("导入资费目录 / importing", total=len(paths)):
        imported = import_catalogue(paths, operator=operator, region=region, as_of=_as_of(as_of))
    if not imported.catalogue.plans:
        for problem in imported.problems:
            err_console.print(str(problem), markup=False, highlight=False)
    for read in imported.files:
        print_counts(read.source, read.accepted, read.rejected, read.warnings)
    if not imported.catalogue.plans:
        raise typer.Exit(1)
    evidence = imported.evidence()
    with progress_bar("检查 / checking", total=None):
        run = evaluate([evidence], tasks=("T1",))  # the T1 checks that judge a tariff catalogue
    errors = len(imported.errors)
    meta = {"run_id": run.run_id, "catalogue": str(catalogue), "subject": evidence.subject.key,
            "plans": len(imported.catalogue.plans), "channels": len(imported.catalogue.channels),
            "import_errors": errors, "import_warnings": len(imported.problems) - errors}  # fmt: skip
    if fmt is OutputFormat.table:
        console.print(results_table(run.results, lang=language))
        console.print(summary_table(run.results, lang=language))
        for problem in imported.problems:
            err_console.print(str(problem), markup=False, highlight=False)
    elif fmt is OutputFormat.json:
        document = report_document(run.results, imported.problems, meta)
        write_text(out, json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    else:
        assert out is not None  # checked above
        write_xlsx_report(out, run.results, imported.problems, lang=language, meta=meta)
        err_console.print(f"wrote {out}")
    counts = run.counts()
    err_console.print(
        f"资费目录：{meta['plans']}个方案，导入错误{meta['import_errors']}条、警告{meta['import_warnings']}条；"
        f"结果 PASS {counts['PASS']} / FAIL {counts['FAIL']} / WARN {counts['WARN']} / MANUAL {counts['MANUAL']}",
        markup=False,
        highlight=False,
    )
    if fail_on_fail and counts["FAIL"]:
        raise typer.Exit(1)
