"""`ganzhi broadband check`: broadband contracts and speed tests through the T2 contract checks.

Reads the contract CSV (stated 上行/下行 rates, speed-factor disclosure) and, optionally, speed-test
results; runs `t2_contract_rates_stated`, `t2_contract_speed_factors` and `t2_contract_delivered_share`
through the engine (campaign overrides apply) and prints a table or a JSON results document.
Exit codes: 0 checked (bad rows are reported on stderr, not fatal); 1 an input cannot be used at all;
with `--fail-on-fail`, 1 also when a check FAILs. Each input file's line `接受 N 行，拒绝 M 行，警告 K 条 /
accepted N, rejected M, warnings K` goes to stderr after it is read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ganzhi.cli._common import OUTPUT_HELP, OutputFormat, check_format, err_console, fail, print_problems, progress_bar
from ganzhi.cli._report import emit_results
from ganzhi.i18n import Lang

app = typer.Typer(help="宽带合同与测速检查 / broadband contracts and speed (T2).", no_args_is_help=True,
                  pretty_exceptions_enable=False)  # fmt: skip

#: Every check this command runs needs the contract evidence (a line with speed tests alone is judged by
#: `ganzhi check run`, not here).
CONTRACT_KIND = "broadband_contract"


@app.callback()
def broadband() -> None:
    """宽带合同与测速检查 / broadband contracts and speed (T2)."""


def contract_checks() -> list[str]:
    """The checks that judge a contract (with its speed tests): every registered check needing contract evidence."""
    from ganzhi.engine.registry import default_registry

    return [spec.id for spec in default_registry().all() if CONTRACT_KIND in spec.metadata.evidence_kinds]


@app.command("check")
def check(
    contracts: Annotated[Path, typer.Option("--contracts", "-c", help="宽带合同CSV / contracts CSV")],
    speedtests: Annotated[
        Path | None, typer.Option("--speedtests", "-s", help="测速结果CSV / speed-test results CSV")
    ] = None,
    campaign: Annotated[
        Path | None, typer.Option(help="活动参数覆盖文件 / campaign file whose `params:` override the catalog")
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="输出格式 / output format: table | json")
    ] = OutputFormat.table,
    out: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
    lang: Annotated[str, typer.Option(help="语言 / language: zh or en")] = "zh",
    fail_on_fail: Annotated[bool, typer.Option("--fail-on-fail", help="有FAIL时退出码为1 / exit 1 on FAIL")] = False,
) -> None:
    """检查宽带合同速率告知与测速达标 / check contract rates, speed factors and delivered share."""
    from ganzhi.catalog.loader import default_catalog
    from ganzhi.catalog.overrides import load_overrides
    from ganzhi.cli._counts import print_counts
    from ganzhi.collect.broadband.contracts import load_contracts, load_speedtests
    from ganzhi.engine.runner import evaluate
    from ganzhi.errors import GanzhiError

    language: Lang = "en" if lang == "en" else "zh"
    check_format(fmt, (OutputFormat.table, OutputFormat.json), command="broadband check", output=out)
    try:
        overrides = load_overrides(default_catalog(), campaign) if campaign is not None else None
        with progress_bar("读取合同与测速 / reading", total=2 if speedtests else 1):
            loaded = load_contracts(contracts)
            tests = load_speedtests(speedtests) if speedtests is not None else None
    except GanzhiError as exc:
        raise fail(str(exc)) from None
    problems = [str(p) for p in [*loaded.problems, *(tests.problems if tests else [])]]
    for read in (loaded, tests):
        if read is not None:
            print_counts(read.source, read.accepted, read.rejected, read.warnings)
    if not loaded.evidence:
        print_problems(problems)
        raise fail(f"{contracts}: no usable contract row")
    lines = {e.subject.id for e in loaded.evidence}
    test_evidence = [e for e in (tests.evidence if tests else []) if e.subject.id in lines]
    unmatched = len(tests.evidence) - len(test_evidence) if tests else 0
    if unmatched:
        problems.append(f"{speedtests}: {unmatched} speed tests name a line_id with no contract; not judged")
    with progress_bar("检查 / checking", total=len(lines)):
        run = evaluate([*loaded.evidence, *test_evidence], check_ids=contract_checks(), overrides=overrides)
    meta = {"run_id": run.run_id, "contracts": str(contracts), "speedtests": None if speedtests is None else
            str(speedtests), "lines": len(lines), "speed_tests": len(test_evidence), "problems": problems}  # fmt: skip
    emit_results(run.results, fmt, out, lang=language, meta=meta)
    print_problems(problems)
    counts = run.counts()
    err_console.print(
        f"宽带：{len(lines)}条线路，{len(test_evidence)}次测速，输入问题{len(problems)}条；"
        f"结果 PASS {counts['PASS']} / FAIL {counts['FAIL']} / WARN {counts['WARN']} / MANUAL {counts['MANUAL']}",
        markup=False,
        highlight=False,
    )
    if fail_on_fail and counts["FAIL"]:
        raise typer.Exit(1)
