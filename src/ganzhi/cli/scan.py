"""`ganzhi scan apk PATH...`: static APK analysis and the T11/T3 APK checks, one app or a whole catalogue.

A directory is scanned in batch through the engine's executors (`--workers N` process pool, or a Dask
scheduler) and the job ledger: with `--resume`, APKs already done under the same inputs are skipped.
With `--out DIR` each app gets `<name>.json` and `<name>.sarif` (a bad APK gets `<name>.error.json`).
Exit codes: 0 every APK scanned; 2 some APKs could not be read (named on stderr); 1 unusable arguments.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from ganzhi.cli._common import console, err_console, open_store, progress_bar, write_text

app = typer.Typer(help="扫描 / scanning: APK static analysis (T11, T3).", no_args_is_help=True)


class ScanFormat(StrEnum):
    """Output formats of `scan apk`."""

    table = "table"
    json = "json"
    sarif = "sarif"


def _job_key(paths: list[Path]) -> str:
    """Same files (path, size, mtime) → same ledger job, so `--resume` finds it."""
    body = "\n".join(f"{p}\t{p.stat().st_size}\t{p.stat().st_mtime_ns}" for p in paths)
    return "scan-apk:" + hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]


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
    paths: Annotated[list[Path], typer.Argument(help="APK 文件或目录 / APK files or directories")],
    fmt: Annotated[ScanFormat, typer.Option("--format", "-f", help="table | json | sarif")] = ScanFormat.table,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="每个APK写 JSON 与 SARIF 的目录 / per-app output dir")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="进程数 / worker processes")] = 1,
    scheduler: Annotated[str | None, typer.Option(help="Dask 调度器 / Dask scheduler, tcp://HOST:PORT")] = None,
    resume: Annotated[bool, typer.Option(help="跳过已完成的APK / skip APKs done in an earlier run")] = False,
    lang: Annotated[str, typer.Option(help="SARIF 语言 zh | en")] = "zh",
) -> None:
    """扫描APK：权限、SDK、自启动、关联启动、同意前调用、加固，并运行T11/T3检查。"""
    from ganzhi.engine.executors import make_executor
    from ganzhi.store.ledger import JobLedger
    from ganzhi.usecases.apk_scan import ScanJob, discover_apks, output_names, scan_one

    apks, problems = discover_apks(paths)
    for problem in problems:
        err_console.print(problem, style="red", markup=False)
    if not apks:
        err_console.print("没有可扫描的APK / no APK to scan", style="red")
        raise typer.Exit(code=1)
    names = output_names(apks)
    ledger = JobLedger(open_store())
    job_id = ledger.open_job(
        "scan-apk", _job_key(apks), [str(p) for p in apks], meta={"out": str(out) if out else None}
    )
    todo = set(ledger.pending(job_id)) if resume else {str(p) for p in apks}
    skipped = len(apks) - len(todo)
    if skipped:
        err_console.print(f"--resume：跳过已完成的 {skipped} 个APK / skipped {skipped} APKs already done")
    jobs = [ScanJob(str(p), str(out) if out else None, names[p], lang) for p in apks if str(p) in todo]
    try:
        pool = make_executor("local" if workers > 1 else "serial", workers=workers, scheduler=scheduler)
    except (ValueError, RuntimeError) as exc:
        err_console.print(f"--workers/--scheduler: {exc}", style="red", markup=False)
        raise typer.Exit(code=1) from None
    records = []
    try:
        with progress_bar("扫描APK / scanning APKs", len(jobs)) as progress:
            for record in pool.map_unordered(scan_one, jobs):
                records.append(record)
                if record.ok:
                    ledger.finish(job_id, record.path, {"package": record.package, "counts": record.counts})
                else:
                    ledger.fail(job_id, record.path, record.error or "unknown error")
                progress.advance(progress.task_ids[0])
    finally:
        pool.close()
    if all(r.ok for r in records) and not problems:
        ledger.close_job(job_id)
    _emit(records, fmt, out)
    failed = [r for r in records if not r.ok]
    for r in failed:
        err_console.print(f"{r.path}: {r.error}", style="red", markup=False, highlight=False, soft_wrap=True)
    if failed or problems:
        raise typer.Exit(code=2)


def _emit(records: list[Any], fmt: ScanFormat, out: Path | None) -> None:
    if out is not None or fmt is ScanFormat.table:
        if fmt is ScanFormat.json:
            summary = [
                {k: getattr(r, k) for k in ("path", "ok", "package", "version_name", "counts", "error", "files")}
                for r in sorted(records, key=lambda r: r.path)
            ]
            write_text(None, json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
        else:
            console.print(_summary_table(records))
        return
    if fmt is ScanFormat.json:
        reports = [
            r.report if r.ok else {"file": r.path, "error": r.error} for r in sorted(records, key=lambda r: r.path)
        ]
        write_text(None, json.dumps(reports, ensure_ascii=False, indent=2) + "\n")
    else:
        write_text(None, _merge_sarif(records))


class TraceFormat(StrEnum):
    """Output formats of `scan trace`."""

    table = "table"
    json = "json"


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
    package: Annotated[str, typer.Option("--package", "-p", help="APP 包名 / app package")],
    version: Annotated[str | None, typer.Option(help="APP 版本 / app version")] = None,
    apk: Annotated[Path | None, typer.Option(help="同时静态分析此APK / also analyze this APK")] = None,
    fmt: Annotated[TraceFormat, typer.Option("--format", "-f", help="table | json")] = TraceFormat.table,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="JSON 输出文件 / write the JSON here")] = None,
) -> None:
    """导入动态轨迹（时间、API、调用栈、同意时间），判定同意前的个人信息调用。"""
    from ganzhi.errors import InputError
    from ganzhi.usecases.trace_scan import scan_trace

    try:
        scan = scan_trace(trace, package, version=version, apk_path=apk)
    except InputError as exc:
        err_console.print(str(exc), style="red", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=1) from None
    for problem in scan.trace.problems[:20]:
        err_console.print(problem, style="yellow", markup=False, highlight=False, soft_wrap=True)
    if fmt is TraceFormat.json or out is not None:
        write_text(out, json.dumps(scan.report(), ensure_ascii=False, indent=2) + "\n")
    if fmt is TraceFormat.table:
        for table in _trace_tables(scan):
            console.print(table)
    if scan.trace.problems:
        raise typer.Exit(code=2)
