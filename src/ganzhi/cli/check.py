"""`ganzhi check`: run checks over stored or imported evidence, and look at runs and results."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ganzhi.cli._common import (
    FORMAT_HELP,
    OUTPUT_HELP,
    OutputFormat,
    check_format,
    console,
    err_console,
    fail,
    make_pool,
    open_store,
    progress_bar,
)
from ganzhi.cli._report import RESULT_FORMATS, emit_results
from ganzhi.errors import GanzhiError
from ganzhi.evidence.base import Evidence
from ganzhi.i18n import Lang

app = typer.Typer(
    help="运行检查；列出检查项、运行记录与结果 / run checks over evidence; list checks, runs and results.",
    no_args_is_help=True,
)


class FailOn(StrEnum):
    """Which results make the command exit non-zero (for CI)."""

    never = "never"
    fail = "fail"
    error = "error"


@app.command("run")
def run(
    evidence_files: Annotated[
        list[Path],
        typer.Argument(help="证据文件（JSON Lines，每行一个信封）/ evidence JSON Lines files (one envelope per line)"),
    ],
    task: Annotated[
        list[str] | None, typer.Option("--task", "-t", help="只运行此任务的检查 / only checks of this task (T1..T11)")
    ] = None,
    check: Annotated[
        list[str] | None, typer.Option("--check", "-c", help="只运行此检查项 / only this check id")
    ] = None,
    requirement: Annotated[
        list[str] | None,
        typer.Option("--requirement", "-r", help="只运行此要求的检查 / only checks of this requirement"),
    ] = None,
    severity: Annotated[
        list[str] | None, typer.Option("--severity", help="只运行此严重程度的检查 / only checks of this severity")
    ] = None,
    subject: Annotated[
        list[str] | None,
        typer.Option(
            "--subject", "-s", help="只检查此主体类型或主体键 / only this subject type (app) or key (app:com.foo@1.0)"
        ),
    ] = None,
    campaign: Annotated[
        Path | None, typer.Option(help="活动参数覆盖文件 / campaign file whose `params:` override catalog params")
    ] = None,
    executor: Annotated[str, typer.Option(help="执行器 / executor: serial, local (process pool) or dask")] = "serial",
    workers: Annotated[int | None, typer.Option(help="进程数（local/dask）/ worker processes for local/dask")] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="调度器地址（Dask）/ Dask scheduler address, e.g. tcp://host:8786")
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
    out: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
    lang: Annotated[str, typer.Option(help="语言 / language: zh or en")] = "zh",
    fail_on: Annotated[
        FailOn, typer.Option(help="有 FAIL（或 ERROR）结果时退出码为1 / exit 1 when a result is FAIL (or ERROR)")
    ] = FailOn.never,
    resumable: Annotated[
        bool,
        typer.Option(
            help="记录进度以便续跑 / record progress in the job ledger; re-running the same command resumes it"
        ),
    ] = False,
) -> None:
    """导入证据并运行检查，更新问题 / import evidence, run the checks, store the run and update tracked issues."""
    from ganzhi.catalog.overrides import load_overrides
    from ganzhi.collect.evidence_file import read_evidence
    from ganzhi.engine.registry import default_registry
    from ganzhi.errors import RowProblem
    from ganzhi.usecases.inspection import inspect, job_key_for

    check_format(fmt, RESULT_FORMATS, command="check run", output=out)
    evidence: list[Evidence] = []
    bad = 0
    for path in evidence_files:
        for item in read_evidence(path):
            if isinstance(item, RowProblem):
                bad += 1
                err_console.print(f"[red]skipped[/red] {item}")
            else:
                evidence.append(item)
    try:
        registry = default_registry()
        overrides = load_overrides(registry.catalog, campaign) if campaign else None
        sessions = open_store()
        pool = make_pool(executor, workers=workers, scheduler=scheduler)
    except (GanzhiError, ValueError) as exc:
        raise fail(exc) from None
    subjects = len({e.subject.key for e in evidence})
    selection = {
        "tasks": task,
        "checks": check,
        "requirements": requirement,
        "severities": severity,
        "subjects": subject,
    }
    try:
        with progress_bar("检查 checking", subjects) as bar:
            inspection = inspect(
                evidence,
                sessions,
                tasks=task,
                check_ids=check,
                requirement_ids=requirement,
                severities=severity,
                subjects=subject,
                overrides=overrides,
                executor=pool,
                registry=registry,
                job_key=job_key_for(evidence, selection, overrides) if resumable else None,
                on_subject=lambda _out: bar.advance(bar.task_ids[0]),
            )
    except KeyError as exc:
        raise fail(exc.args[0]) from None
    finally:
        pool.close()
    run_outcome = inspection
    language: Lang = "en" if lang == "en" else "zh"
    meta = {"run_id": run_outcome.run_id, "subjects": run_outcome.subjects, "skipped_lines": bad}
    emit_results(
        run_outcome.results, fmt, out, lang=language, issues=inspection.issues, diff=inspection.diff, meta=meta
    )
    diff = inspection.diff
    err_console.print(
        f"run {run_outcome.run_id}: {run_outcome.subjects} subjects, {len(run_outcome.results)} results, "
        f"{len(run_outcome.errors)} errors, {bad} bad lines, {inspection.resumed_skipped} already done; "
        f"issues new {len(diff.new)}, "
        f"persisting {len(diff.persisting)}, fixed {len(diff.fixed)}, reopened {len(diff.reopened)}"
    )
    statuses = {r.status.value for r in run_outcome.results}
    if (fail_on is FailOn.fail and statuses & {"FAIL", "ERROR"}) or (fail_on is FailOn.error and "ERROR" in statuses):
        raise typer.Exit(1)


@app.command("list")
def list_checks(
    task: Annotated[
        str | None, typer.Option("--task", "-t", help="只列此任务的检查 / only checks of this task")
    ] = None,
    lang: Annotated[str, typer.Option(help="语言 / language: zh or en")] = "zh",
) -> None:
    """检查项及其任务、要求与严重程度 / the checks ganzhi runs, with their task, requirements and severity."""
    from rich.table import Table

    from ganzhi.engine.registry import default_registry

    language: Lang = "en" if lang == "en" else "zh"
    table = Table(title="检查项 checks")
    for column in ("id", "task", "requirements", "severity", "evidence", "title"):
        table.add_column(column)
    for spec in default_registry().select(tasks=[task] if task else None):
        meta = spec.metadata
        table.add_row(
            meta.id,
            meta.task,
            "\n".join(meta.requirements),
            meta.severity.value,
            ", ".join(meta.evidence_kinds),
            meta.title.get(language),
        )
    console.print(table)


@app.command("runs")
def runs(limit: Annotated[int, typer.Option(help="显示条数，最新在前 / how many runs, newest first")] = 20) -> None:
    """最近的运行记录及其计数 / recent runs with their counts."""
    from rich.table import Table

    from ganzhi.store import repositories as repo
    from ganzhi.store.db import session_scope

    with session_scope(open_store()) as session:
        records = repo.list_runs(session, limit=limit)
    table = Table(title="运行记录 runs")
    for column in ("run", "started", "status", "stats"):
        table.add_column(column)
    for record in records:
        stats = ", ".join(f"{k}={v}" for k, v in (record.stats or {}).items() if v)
        table.add_row(record.id, record.started_at.isoformat(timespec="seconds"), record.status.value, stats)
    console.print(table)


@app.command("results")
def results(
    run_id: Annotated[
        str, typer.Argument(help="运行编号（见 `ganzhi check runs`）/ a run id from `ganzhi check runs`")
    ],
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
    out: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
    lang: Annotated[str, typer.Option(help="语言 / language: zh or en")] = "zh",
) -> None:
    """一次运行的已存结果，可用任一输出格式 / the stored results of one run, in any output format."""
    from ganzhi.store import repositories as repo
    from ganzhi.store.db import session_scope

    check_format(fmt, RESULT_FORMATS, command="check results", output=out)
    with session_scope(open_store()) as session:
        if repo.get_run(session, run_id) is None:
            raise fail(f"no run {run_id!r}; see `ganzhi check runs`")
        found = repo.results_for_run(session, run_id)
    emit_results(found, fmt, out, lang="en" if lang == "en" else "zh", meta={"run_id": run_id})
