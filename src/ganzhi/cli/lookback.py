"""`ganzhi lookback`: re-test closed issues (回头看) through the engine, report, and feed the ladder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ganzhi.cli._common import (
    FORMAT_HELP,
    OUTPUT_HELP,
    OutputFormat,
    check_format,
    err_console,
    fail,
    make_pool,
    open_store,
    progress_bar,
)
from ganzhi.cli._report import SHEET_FORMATS, emit_sheets
from ganzhi.errors import GanzhiError
from ganzhi.evidence.base import Evidence

if TYPE_CHECKING:
    from ganzhi.outputs.sheets import Sheet
    from ganzhi.supervision.ladder import Ladder
    from ganzhi.supervision.triggers import Proposal

app = typer.Typer(help="回头看：复测已整改问题 / look-back: re-test fixed or verified issues.", no_args_is_help=True)


def _sheets(report: dict[str, Any], proposals: list[Proposal], ladder: Ladder) -> list[Sheet]:
    from ganzhi.outputs.sheets import Sheet
    from ganzhi.supervision.lookback import VERDICT_ZH, Verdict

    lines = [
        (
            line["enterprise_id"] or "",
            line["task"],
            line["check_id"],
            line["subject_key"],
            f"{VERDICT_ZH[Verdict(line['verdict'])]} {line['verdict']}",
            line["deadline"] or "",
            line["fingerprint"][:16],
        )
        for line in report["lines"]
    ]
    header = ("企业 enterprise", "任务 task", "检查 check", "对象 subject", "结论 verdict", "新期限 deadline", "fp")
    per = [(eid or "未登记", *counts.values()) for eid, counts in report["per_enterprise"].items()]
    per_header = ("企业 enterprise", *(f"{VERDICT_ZH[v]} {v.value}" for v in Verdict))
    ladder_rows = [
        (p.enterprise_id, ladder.title(p.current_step), ladder.title(p.proposed_step), hit.reason.get())
        for p in proposals
        for hit in p.hits
    ]
    ladder_header = ("企业 enterprise", "当前 current", "建议 proposed", "原因 reason")
    return [
        Sheet("lookback", header, lines),
        Sheet("per_enterprise", per_header, per),
        Sheet("ladder", ladder_header, ladder_rows),
    ]


def _read(paths: list[Path]) -> list[Evidence]:
    from ganzhi.collect.evidence_file import read_evidence
    from ganzhi.errors import RowProblem

    items: list[Evidence] = []
    for path in paths:
        for item in read_evidence(path):
            if isinstance(item, RowProblem):
                err_console.print(f"[red]skipped[/red] {item}")
            else:
                items.append(item)
    return items


@app.command("run")
def run(
    lookback_id: Annotated[str, typer.Argument(help="回头看编号 / slug naming this look-back, e.g. lb-2022-06")],
    actor: Annotated[str, typer.Option(help="执行人（记入 VERIFIED 变更）/ who runs it (recorded on VERIFIED moves)")],
    evidence: Annotated[
        list[Path] | None,
        typer.Option("--evidence", "-e", help="新证据（默认已存证据）/ new evidence JSONL (default: stored evidence)"),
    ] = None,
    task: Annotated[
        list[str] | None, typer.Option(help="只含此任务的问题（可重复）/ only issues of this task (repeat)")
    ] = None,
    enterprise: Annotated[
        list[str] | None, typer.Option(help="只含此企业的问题（可重复）/ only issues of this enterprise (repeat)")
    ] = None,
    closed_from: Annotated[
        dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="关闭日期不早于 / closed on or after")
    ] = None,
    closed_to: Annotated[
        dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="关闭日期不晚于 / closed on or before")
    ] = None,
    campaign: Annotated[
        str | None, typer.Option("--campaign", "-c", help="记为专项行动的回头看轮次 / record as a look-back round")
    ] = None,
    verify_passed: Annotated[
        bool, typer.Option(help="将确认已整改（FIXED）的问题改为 VERIFIED / move confirmed FIXED issues to VERIFIED")
    ] = True,
    executor: Annotated[str, typer.Option(help="执行器 / executor: serial, local or dask")] = "serial",
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
    out: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
) -> None:
    """复测已关闭问题 / select closed issues, re-run their checks, reopen what fails, verify what holds, report."""
    check_format(fmt, (*SHEET_FORMATS, OutputFormat.pdf), command="lookback run", output=out)
    from ganzhi.catalog.loader import default_catalog
    from ganzhi.store.db import session_scope
    from ganzhi.supervision.ladder import Ladder
    from ganzhi.supervision.lookback import LookbackSelection
    from ganzhi.supervision.triggers import load_rules
    from ganzhi.usecases.lookback_run import ladder_proposals, run_lookback

    selection = LookbackSelection(
        tasks=task or [],
        enterprise_ids=enterprise or [],
        closed_from=closed_from.date() if closed_from else None,
        closed_to=closed_to.date() if closed_to else None,
    )
    ladder = Ladder.from_catalog(default_catalog())
    pool = make_pool(executor)
    try:
        items = _read(evidence) if evidence else None
        sessions = open_store()
        with progress_bar("回头看 look-back", len({e.subject.key for e in items}) if items else None) as bar:
            outcome = run_lookback(
                sessions,
                lookback_id,
                selection,
                actor=actor,
                evidence=items,
                campaign_id=campaign,
                verify_passed=verify_passed,
                executor=pool,
                on_subject=lambda _o: bar.advance(bar.task_ids[0]),
            )
        with session_scope(sessions) as session:
            proposals = ladder_proposals(session, load_rules(), ladder, dt.datetime.now(dt.UTC).date())
    except (GanzhiError, ValueError) as exc:
        raise fail(exc) from None
    finally:
        pool.close()
    report: dict[str, Any] = outcome.report.to_dict()
    meta = {"lookback_id": lookback_id, "run_id": outcome.report.run_id, "round": outcome.round_key, **report["counts"]}
    emit_sheets(_sheets(report, proposals, ladder), fmt, out, meta, title=f"回头看报告 {lookback_id}")
    err_console.print(
        f"look-back {lookback_id}: run {outcome.report.run_id}"
        + (f", round {outcome.round_key}" if outcome.round_key else "")
        + ", "
        + ", ".join(f"{k} {v}" for k, v in report["counts"].items())
    )


@app.command("show")
def show(
    lookback_id: Annotated[str, typer.Argument(help="回头看编号 / look-back id")],
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
    out: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
) -> None:
    """已存回头看的报告 / a stored look-back's report.

    附重新打开问题的当日处置阶梯建议 / with today's ladder proposals from reopened issues.
    """
    check_format(fmt, (*SHEET_FORMATS, OutputFormat.pdf), command="lookback show", output=out)
    from ganzhi.catalog.loader import default_catalog
    from ganzhi.store import publication_repo as prepo
    from ganzhi.store.db import session_scope
    from ganzhi.supervision.ladder import Ladder
    from ganzhi.supervision.triggers import load_rules
    from ganzhi.usecases.lookback_run import ladder_proposals

    ladder = Ladder.from_catalog(default_catalog())
    try:
        with session_scope(open_store()) as session:
            stored = prepo.get_lookback(session, lookback_id)
            proposals = ladder_proposals(session, load_rules(), ladder, dt.datetime.now(dt.UTC).date())
    except (GanzhiError, ValueError) as exc:
        raise fail(exc) from None
    meta = {k: stored[k] for k in ("id", "run_id", "campaign_id", "round_number", "actor", "created_at")}
    emit_sheets(_sheets(stored["report"], proposals, ladder), fmt, out, meta, title=f"回头看报告 {lookback_id}")
