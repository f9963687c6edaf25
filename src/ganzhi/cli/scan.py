"""`ganzhi scan apk PATH...`: static APK analysis and the T11/T3 APK checks, one app or a whole catalogue.

A batch is one inspection (`usecases.apk_scan.scan_apks`): the engine's executors (`--workers N` process
pool, or a Dask scheduler) analyse the APKs, every app's evidence and results are stored with its job
ledger row, and its findings open or update tracked issues. `--resume` continues the latest scan of the
same files, skipping APKs already done. With `-o/--output DIR` each app gets `<name>.json` and
`<name>.sarif` (a bad APK gets `<name>.error.json`).
Exit codes: 0 every APK scanned; 2 some APKs could not be read (named on stderr); 1 unusable arguments.

Heavy libraries (the store, the engine, the APK reader) are imported inside the commands, so
`ganzhi scan --help` stays quick.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from ganzhi.cli._common import check_format, console, err_console, fail, open_store, progress_bar, write_text
from ganzhi.outputs.formats import OutputFormat

app = typer.Typer(
    help="扫描：APK 静态分析（T11、T3）与动态轨迹 / scanning: APK static analysis (T11, T3) and traces.",
    no_args_is_help=True,
)

APK_FORMATS = (OutputFormat.table, OutputFormat.json, OutputFormat.sarif)
TRACE_FORMATS = (OutputFormat.table, OutputFormat.json)


def _summary_table(records: list[Any]) -> Table:
    table = Table(title="APK 扫描结果 / APK scan")
    for column in ("APK", "package", "version", "FAIL", "WARN", "MANUAL", "PASS", "s", "error"):
        table.add_column(column)
    for r in sorted(records, key=lambda r: r.path):
        c = r.counts
        table.add_row(
            Path(r.path).name,
            r.package or "-",
            r.version_name or "-",
            *(str(c.get(k, 0)) for k in ("FAIL", "WARN", "MANUAL", "PASS")),
            f"{r.seconds:.2f}",
            (r.error or "")[:40],
        )
    return table


def _merge_sarif(records: list[Any]) -> str:
    runs: list[Any] = []
    head: dict[str, Any] = {}
    for r in sorted(records, key=lambda r: r.path):
        if r.sarif:
            log = json.loads(r.sarif)
            head = {k: v for k, v in log.items() if k != "runs"}
            runs.extend(log["runs"])
    return json.dumps({**head, "runs": runs}, ensure_ascii=False, indent=2) + "\n"


@app.command("apk")
def scan_apk(
    paths: Annotated[list[Path], typer.Argument(help="安装包文件或目录 / APK files or directories")],
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="报告格式 / report format: table | json | sarif")
    ] = OutputFormat.table,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="每个APK写 JSON 与 SARIF 的目录 / per-app output directory"),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="进程数 / worker processes")] = 1,
    scheduler: Annotated[str | None, typer.Option(help="调度器（Dask）/ Dask scheduler, tcp://HOST:PORT")] = None,
    resume: Annotated[
        bool, typer.Option(help="继续上次中断的扫描，跳过已完成的APK / continue the last scan, skip APKs done")
    ] = False,
    lang: Annotated[str, typer.Option(help="报告语言（SARIF）/ SARIF language: zh | en")] = "zh",
) -> None:
    """扫描APK、运行T11/T3检查并跟踪问题 / scan APKs (SDKs, self-start, pre-consent calls…), track issues."""
    check_format(fmt, APK_FORMATS, command="scan apk")  # --output is a folder here: no file-format rules
    from ganzhi.engine.executors import make_executor
    from ganzhi.usecases.apk_scan import discover_apks, scan_apks

    apks, problems = discover_apks(paths)
    for problem in problems:
        err_console.print(problem, style="red", markup=False)
    if not apks:
        raise fail("没有可扫描的APK / no APK to scan")
    try:
        pool = make_executor("local" if workers > 1 else "serial", workers=workers, scheduler=scheduler)
    except (ValueError, RuntimeError) as exc:
        raise fail(f"--workers/--scheduler: {exc}") from None
    sessions = open_store()
    try:
        with progress_bar("扫描APK / scanning APKs", len(apks)) as progress:
            task = progress.task_ids[0]

            def started(todo: int, skipped: int) -> None:
                progress.update(task, total=todo)
                if skipped:
                    err_console.print(f"--resume：跳过已完成的 {skipped} 个APK / skipped {skipped} APKs already done")

            records, inspection = scan_apks(
                apks,
                sessions,
                out_dir=output,
                lang=lang,
                resume=resume,
                executor=pool,
                on_start=started,
                on_record=lambda _record: progress.advance(task),
            )
    finally:
        pool.close()
    _emit(records, fmt, output)
    diff = inspection.diff
    err_console.print(
        f"运行 {inspection.run_id}：问题 新增 {len(diff.new)}、持续 {len(diff.persisting)}、"
        f"已整改 {len(diff.fixed)}、重新出现 {len(diff.reopened)} / "
        f"run {inspection.run_id}: issues new {len(diff.new)}, persisting {len(diff.persisting)}, "
        f"fixed {len(diff.fixed)}, reopened {len(diff.reopened)}",
        markup=False,
        highlight=False,
    )
    failed = [r for r in records if not r.ok]
    for r in failed:
        err_console.print(f"{r.path}: {r.error}", style="red", markup=False, highlight=False, soft_wrap=True)
    if failed or problems:
        raise typer.Exit(code=2)


def _emit(records: list[Any], fmt: OutputFormat, out: Path | None) -> None:
    if out is not None or fmt is OutputFormat.table:
        if fmt is OutputFormat.json:
            summary = [
                {k: getattr(r, k) for k in ("path", "ok", "package", "version_name", "counts", "error", "files")}
                for r in sorted(records, key=lambda r: r.path)
            ]
            write_text(None, json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
        else:
            console.print(_summary_table(records))
        return
    if fmt is OutputFormat.json:
        reports = [
            r.report if r.ok else {"file": r.path, "error": r.error} for r in sorted(records, key=lambda r: r.path)
        ]
        write_text(None, json.dumps(reports, ensure_ascii=False, indent=2) + "\n")
    else:
        write_text(None, _merge_sarif(records))


def _trace_tables(scan: Any) -> list[Table]:
    trace = scan.trace
    calls = Table(title=f"同意前的个人信息调用 / PI calls before consent — {trace.source}")
    for column in ("时间 / at", "API", "类别 / category", "调用方 / owner", "frame"):
        calls.add_column(column, overflow="fold")
    for row in scan.before_consent():
        calls.add_row(row["at"], row["api"], row["pi_category"] or "-", row["owner"], row["caller"] or "-")
    results = Table(title="检查结果 / check results")
    for column in ("check", "status", "message"):
        results.add_column(column, overflow="fold")
    for r in scan.results:
        results.add_row(r.check_id, r.status.value, r.message.zh)
    return [calls, results]


@app.command("trace")
def scan_trace_cmd(
    trace: Annotated[Path, typer.Argument(help="动态轨迹 JSON Lines 或 CSV / trace file (.jsonl or .csv)")],
    package: Annotated[str, typer.Option("--package", "-p", help="应用包名 / app package")],
    version: Annotated[str | None, typer.Option(help="应用版本 / app version")] = None,
    apk: Annotated[Path | None, typer.Option(help="同时静态分析此APK / also analyze this APK")] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="报告格式 / report format: table | json")
    ] = OutputFormat.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="输出文件（JSON）/ write the JSON here")] = None,
) -> None:
    """导入动态轨迹，判定同意前的个人信息调用 / import a dynamic trace, judge PI calls before consent."""
    check_format(fmt, TRACE_FORMATS, command="scan trace", output=output)
    from ganzhi.errors import InputError
    from ganzhi.usecases.trace_scan import scan_trace

    try:
        scan = scan_trace(trace, package, version=version, apk_path=apk)
    except InputError as exc:
        raise fail(str(exc)) from None
    for problem in scan.trace.problems[:20]:
        err_console.print(problem, style="yellow", markup=False, highlight=False, soft_wrap=True)
    if fmt is OutputFormat.json or output is not None:
        write_text(output, json.dumps(scan.report(), ensure_ascii=False, indent=2) + "\n")
    if fmt is OutputFormat.table:
        for table in _trace_tables(scan):
            console.print(table)
    if scan.trace.problems:
        raise typer.Exit(code=2)
