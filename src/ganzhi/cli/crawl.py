"""`ganzhi crawl`: collect what operators, apps and stores publish, per collection spec (采集).

Heavy imports (Scrapy, SQLAlchemy, the use case) load inside the commands, so `ganzhi crawl --help` stays fast.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ganzhi.cli._common import (
    FORMAT_HELP,
    OUTPUT_HELP,
    OutputFormat,
    check_format,
    console,
    err_console,
    fail,
    require_extra,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from ganzhi.collect.crawl.spec import CrawlSpec

app = typer.Typer(
    help="采集：按采集规格抓取运营商、应用和应用市场公开发布的内容 / live collection of published pages by spec.",
    no_args_is_help=True,
)

SPECS_HELP = "采集规格文件或目录（YAML）/ collection spec files or directories (YAML)"
REPORT_FORMATS = (OutputFormat.table, OutputFormat.json)


def _specs(paths: list[Path]) -> list[CrawlSpec]:
    from ganzhi.collect.crawl.spec import load_specs
    from ganzhi.errors import GanzhiError

    try:
        return load_specs(paths)
    except GanzhiError as exc:
        raise fail(exc) from None


def _emit(data: dict[str, Any], fmt: OutputFormat, out: Path | None) -> None:
    from ganzhi.cli._common import write_text

    write_text(out, json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


@app.command("run")
def run(
    specs: Annotated[list[Path], typer.Argument(help=SPECS_HELP)],
    due: Annotated[bool, typer.Option("--due", help="只采集到期的站点 / only sites whose schedule is due")] = False,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="不续跑未完成的采集，重新开始 / start over instead of resuming")
    ] = False,
    check: Annotated[bool, typer.Option("--check", help="采集后运行检查 / run the checks on the evidence")] = False,
    executor: Annotated[
        str, typer.Option(help="执行器：serial、local（进程池）或 dask / serial, local (process pool) or dask")
    ] = "serial",
    workers: Annotated[
        int | None, typer.Option(help="工作进程数（local/dask）/ worker processes for local/dask")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="调度器地址（Dask），如 tcp://host:8786 / Dask scheduler address")
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
    out: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
) -> None:
    """采集（或续跑）站点，证据写入 JSON Lines / collect (or resume) sites; evidence goes to JSON Lines."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ganzhi.cli._common import make_pool, open_store
    from ganzhi.collect.crawl.spec import spec_files
    from ganzhi.errors import GanzhiError
    from ganzhi.settings import load_settings
    from ganzhi.usecases.crawl import collect

    check_format(fmt, REPORT_FORMATS, command="crawl run", output=out)
    require_extra("crawl")
    chosen = _specs(specs)
    settings = load_settings()
    sessions = open_store()
    if due:
        chosen = _due(sessions, chosen)
        if not chosen:
            err_console.print("没有到期的站点 / no site is due")
            return
    try:
        pool = make_pool(executor, workers=workers, scheduler=scheduler)
    except (GanzhiError, ValueError) as exc:
        raise fail(exc) from None
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=err_console, transient=True)  # fmt: skip
    tasks = {spec.name: progress.add_task(f"采集 {spec.name}", total=None) for spec in chosen}

    def show(counts: dict[str, dict[str, int]]) -> None:
        for site, c in counts.items():
            if site in tasks:
                total = c.get("pending", 0) + c.get("done", 0) + c.get("failed", 0)
                progress.update(tasks[site], completed=c.get("done", 0) + c.get("failed", 0), total=total)

    try:
        with progress:
            outcome = collect(chosen, spec_files(specs), sessions, database_url=settings.database_url,
                              home=settings.home, executor=pool, resume=not fresh, on_progress=show)  # fmt: skip
    except GanzhiError as exc:
        raise fail(exc) from None
    finally:
        pool.close()
    report: dict[str, Any] = {
        "run_id": outcome.run_id, "resumed": outcome.resumed, "sites": outcome.sites,
        "evidence_file": str(outcome.evidence_path),
        "errors": outcome.errors,
    }  # fmt: skip
    if check and outcome.evidence:
        from ganzhi.usecases.inspection import inspect

        checkable = [e for e in outcome.evidence if e.kind != "store_listing"]
        inspection = inspect(checkable, sessions, note=f"crawl {outcome.run_id}")
        report["check_run"] = {"run_id": inspection.run_id, "results": len(inspection.results),
                               "new_issues": len(inspection.diff.new)}  # fmt: skip
    if fmt is OutputFormat.json:
        _emit(report, fmt, out)
    else:
        _table(outcome.run_id, outcome.sites)
        err_console.print(f"证据 / evidence: {outcome.evidence_path}", markup=False)
        if "check_run" in report:
            err_console.print(f"检查 / check run: {report['check_run']}", markup=False)
    for error in outcome.errors:
        err_console.print(f"错误 / error: {error}", style="red", markup=False)
    if outcome.errors:
        raise typer.Exit(1)


def _due(sessions: sessionmaker[Session], specs: list[CrawlSpec]) -> list[CrawlSpec]:
    from ganzhi.store.db import session_scope
    from ganzhi.usecases.crawl import last_collected

    with session_scope(sessions) as session:
        last = last_collected(session)
    now = dt.datetime.now(dt.UTC)
    return [s for s in specs if s.schedule.due(last.get(s.name), now)]


def _table(run_id: str, sites: dict[str, dict[str, Any]]) -> None:
    from rich.table import Table

    table = Table(title=f"采集 crawl {run_id}")
    for column in ("站点 site", "完成 done", "失败 failed", "待抓 pending", "证据 evidence"):
        table.add_column(column)
    for site, c in sites.items():
        evidence = ", ".join(f"{k}={v}" for k, v in sorted((c.get("evidence") or {}).items()))
        table.add_row(site, str(c.get("done", 0)), str(c.get("failed", 0)), str(c.get("pending", 0)), evidence)
    console.print(table)


@app.command("status")
def status(
    run_id: Annotated[str | None, typer.Argument(help="采集编号（默认最近一次）/ run id (default: latest)")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
    out: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
) -> None:
    """采集进度与失败原因 / progress and failures of a collection run."""
    from ganzhi.cli._common import open_store
    from ganzhi.store.db import session_scope
    from ganzhi.usecases.crawl import list_runs, run_status

    check_format(fmt, REPORT_FORMATS, command="crawl status", output=out)
    with session_scope(open_store()) as session:
        if run_id is None:
            runs = list_runs(session, limit=1)
            if not runs:
                raise fail("还没有采集记录 / no collection run yet")
            run_id = runs[0].id
        found = run_status(session, run_id)
    if found is None:
        raise fail(f"没有采集 / no run {run_id!r}; see `ganzhi crawl list`")
    data = {"run_id": found.id, "status": found.status, "started_at": found.started_at,
            "finished_at": found.finished_at, "started_by": found.started_by, **found.stats}  # fmt: skip
    if fmt is OutputFormat.json:
        _emit(data, fmt, out)
        return
    console.print(f"{found.id}  {found.status}  {found.started_at:%Y-%m-%d %H:%M}", markup=False)
    sites = {site: {**c, **(found.stats.get("sites", {}).get(site, {}))} for site, c in found.stats["counts"].items()}
    _table(found.id, sites)
    for site, info in sites.items():
        for failure in info.get("failures", [])[:20]:
            console.print(f"  {site}: {failure['url']} — {failure['reason']}", markup=False)


@app.command("diff")
def diff(
    specs: Annotated[list[Path], typer.Argument(help=SPECS_HELP)],
    run_id: Annotated[str | None, typer.Option("--run", help="较新的采集（默认最近）/ newer run")] = None,
    against: Annotated[str | None, typer.Option("--against", help="较早的采集（默认上一次）/ older run")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
    out: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
) -> None:
    """两次采集之间站点发生了什么变化（回头看）/ what changed on each site since the last collection."""
    from rich.table import Table

    from ganzhi.cli._common import open_store
    from ganzhi.store.db import session_scope
    from ganzhi.usecases.crawl import diff_site

    check_format(fmt, REPORT_FORMATS, command="crawl diff", output=out)
    with session_scope(open_store()) as session:
        diffs = [diff_site(session, spec.name, run_id=run_id, against=against) for spec in _specs(specs)]
    if fmt is OutputFormat.json:
        _emit({"sites": [{"site": d.site, "before": d.before, "after": d.after,
                          "changes": [c.as_dict() for c in d.changes]} for d in diffs]}, fmt, out)  # fmt: skip
        return
    for d in diffs:
        if d.before is None:
            console.print(f"{d.site}: 只有一次采集，无可比较 / fewer than two finished runs", markup=False)
            continue
        table = Table(title=f"{d.site}: {d.before} → {d.after}")
        for column in ("类型 kind", "对象 subject", "变化 change", "内容 what", "之前 before", "之后 after"):
            table.add_column(column)
        for c in d.changes:
            table.add_row(c.kind, c.subject, c.change, c.what, c.before or "", c.after or "")
        console.print(table)


@app.command("list")
def list_specs(
    specs: Annotated[list[Path], typer.Argument(help=SPECS_HELP)],
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
    out: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
) -> None:
    """采集规格、上次采集时间与是否到期 / specs, last collection and whether each is due."""
    from rich.table import Table

    from ganzhi.cli._common import open_store
    from ganzhi.store.db import session_scope
    from ganzhi.usecases.crawl import last_collected

    check_format(fmt, REPORT_FORMATS, command="crawl list", output=out)
    chosen = _specs(specs)
    with session_scope(open_store()) as session:
        last = last_collected(session)
    now = dt.datetime.now(dt.UTC)
    rows = [{"name": s.name, "title": s.title, "seeds": len(s.seeds), "rules": len(s.rules), "every": s.schedule.every,
             "last": last.get(s.name), "due": s.schedule.due(last.get(s.name), now)} for s in chosen]  # fmt: skip
    if fmt is OutputFormat.json:
        _emit({"specs": rows}, fmt, out)
        return
    table = Table(title="采集规格 collection specs")
    for column in ("名称 name", "标题 title", "入口 seeds", "规则 rules", "周期 every", "上次 last", "到期 due"):
        table.add_column(column)
    for r in rows:
        last_text = f"{r['last']:%Y-%m-%d %H:%M}" if r["last"] else "—"
        table.add_row(str(r["name"]), str(r["title"]), str(r["seeds"]), str(r["rules"]), str(r["every"]), last_text,
                      "是 yes" if r["due"] else "否 no")  # fmt: skip
    console.print(table)
