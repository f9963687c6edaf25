"""`ganzhi rank`: scores and rankings of a campaign's enterprises, now or for one round.

Also home of the report emitter the other supervision commands share (table | json | xlsx).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from ganzhi.catalog.schema import EnterpriseType
from ganzhi.cli._common import console, err_console, open_store, write_text
from ganzhi.cli._common import fail as fail_with_message
from ganzhi.errors import GanzhiError
from ganzhi.outputs.sheets import Sheet, to_json, to_rich, to_xlsx
from ganzhi.store import supervision_repo as srepo
from ganzhi.store.db import session_scope
from ganzhi.supervision.scoring import EnterpriseScore
from ganzhi.supervision.standings import Standings, round_trends
from ganzhi.usecases.standings import compute_standings

app = typer.Typer(
    help="Scores and rankings of a campaign. 得分与排名。",
    invoke_without_command=True,
    no_args_is_help=False,
)


class ReportFormat(StrEnum):
    """Formats of supervision reports."""

    table = "table"
    json = "json"
    xlsx = "xlsx"


def emit(sheets: Sequence[Sheet], fmt: ReportFormat, out: Path | None, meta: dict[str, Any] | None = None) -> None:
    """Print tables, or write JSON (stdout or file) or xlsx (file required)."""
    if fmt is ReportFormat.table:
        for sheet in sheets:
            console.print(to_rich(sheet))
        return
    if fmt is ReportFormat.json:
        write_text(out, to_json(sheets, meta))
        return
    if out is None:
        raise typer.BadParameter("--format xlsx needs --out FILE.xlsx")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(to_xlsx(sheets))
    err_console.print(f"wrote {out}")


def fail(exc: Exception | str) -> typer.Exit:
    """Print an error (its text shown as is, never read as markup) and return the exit to raise."""
    return fail_with_message(f"error: {exc}")


def _ranking_sheet(found: Standings, kind: EnterpriseType | None) -> Sheet:
    rows = [
        (e.type.value, e.rank, e.enterprise_id, e.name, e.score, e.findings)
        for t, entries in found.rankings.items()
        if kind is None or t is kind
        for e in entries
    ]
    header = ("类型 type", "名次 rank", "企业 enterprise", "名称 name", "得分 score", "问题 findings")
    return Sheet("ranking", header, rows)


def _stores_sheet(found: Standings) -> Sheet:
    header = (
        "名次 rank",
        "应用商店 store",
        "名称 name",
        "应用 apps",
        "问题应用 apps_with_problems",
        "问题率 problem_rate",
        "占全部问题应用 share_of_all_problems",
    )
    rows = [
        (s.rank, s.enterprise_id, s.name, s.apps, s.apps_with_problems, s.problem_rate, s.share_of_all_problems)
        for s in found.stores
    ]
    return Sheet("app_stores", header, rows)


def explanation_sheet(score: EnterpriseScore) -> Sheet:
    """Every line that moved the enterprise's task scores: the breakdown sums to each task score."""
    rows: list[tuple[Any, ...]] = []
    for task in score.tasks:
        rows.append((task.task, "base", "", "", "", "", 100.0, task.score))
        for line in task.lines:
            rows.append(
                (
                    task.task,
                    line.kind.value,
                    line.requirement_id,
                    line.check_id or "",
                    line.severity.value if line.severity else "",
                    line.fingerprint or "",
                    line.points,
                    task.score,
                )
            )
    header = (
        "任务 task",
        "项 line",
        "要求 requirement",
        "检查 check",
        "严重程度 severity",
        "指纹 fingerprint",
        "分值 points",
        "任务得分 task_score",
    )
    return Sheet(f"explain_{score.enterprise_id}", header, rows)


@app.callback()
def rank(
    ctx: typer.Context,
    campaign: Annotated[str, typer.Option("--campaign", "-c", help="Campaign id.")],
    type_: Annotated[EnterpriseType | None, typer.Option("--type", help="Only this enterprise type.")] = None,
    round_number: Annotated[int | None, typer.Option("--round", help="Score this round's runs (default: now).")] = None,
    explain: Annotated[str | None, typer.Option(help="Also show the score breakdown of this enterprise.")] = None,
    trend: Annotated[bool, typer.Option("--trend", help="Also show scores across all rounds.")] = False,
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f")] = ReportFormat.table,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output file (json, xlsx).")] = None,
) -> None:
    """Rank the campaign's enterprises per type, and app stores by the share of their apps with problems."""
    if ctx.invoked_subcommand is not None:
        return
    try:
        with session_scope(open_store()) as session:
            found = compute_standings(session, campaign, round_number)
            sheets = [_ranking_sheet(found, type_)]
            if type_ in (None, EnterpriseType.APP_STORE):
                sheets.append(_stores_sheet(found))
            if explain is not None:
                if explain not in found.scores:
                    raise GanzhiError(f"enterprise {explain!r} has no tasks in campaign {campaign!r}")
                sheets.append(explanation_sheet(found.scores[explain]))
            if trend:
                per_round = [
                    (r.key, compute_standings(session, campaign, r.number))
                    for r in srepo.list_rounds(session, campaign)
                ]
                series = round_trends(per_round)
                rows = [(eid, p.round_key, p.score, p.delta) for eid, pts in sorted(series.items()) for p in pts]
                sheets.append(Sheet("trend", ("企业 enterprise", "轮次 round", "得分 score", "变化 delta"), rows))
    except (GanzhiError, KeyError, ValueError) as exc:
        raise fail(exc) from None
    meta = {"campaign": campaign, "round": round_number, "generated_at": dt.datetime.now(dt.UTC).isoformat()}
    emit(sheets, fmt, out, meta)
    if found.unowned and fmt is ReportFormat.table:
        err_console.print(f"[yellow]{len(found.unowned)} findings belong to no registered enterprise[/yellow]")
