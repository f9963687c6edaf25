"""`ganzhi rank`: scores and rankings of a campaign's enterprises, now or for one round."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ganzhi.catalog.schema import EnterpriseType
from ganzhi.cli._common import FORMAT_HELP, OUTPUT_HELP, OutputFormat, check_format, err_console, fail, open_store
from ganzhi.cli._report import SHEET_FORMATS, emit_sheets
from ganzhi.errors import GanzhiError

if TYPE_CHECKING:
    from ganzhi.outputs.sheets import Sheet
    from ganzhi.supervision.scoring import EnterpriseScore
    from ganzhi.supervision.standings import Standings

app = typer.Typer(
    help="得分与排名 / scores and rankings of a campaign.",
    invoke_without_command=True,
    no_args_is_help=False,
)


def _ranking_sheet(found: Standings, kind: EnterpriseType | None) -> Sheet:
    from ganzhi.outputs.sheets import Sheet

    rows = [
        (e.type.value, e.rank, e.enterprise_id, e.name, e.score, e.findings)
        for t, entries in found.rankings.items()
        if kind is None or t is kind
        for e in entries
    ]
    header = ("类型 type", "名次 rank", "企业 enterprise", "名称 name", "得分 score", "问题 findings")
    return Sheet("ranking", header, rows)


def _stores_sheet(found: Standings) -> Sheet:
    from ganzhi.outputs.sheets import Sheet

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
    from ganzhi.outputs.sheets import Sheet

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
    campaign: Annotated[str, typer.Option("--campaign", "-c", help="专项行动编号 / campaign id")],
    type_: Annotated[
        EnterpriseType | None, typer.Option("--type", help="只看此类企业 / only this enterprise type")
    ] = None,
    round_number: Annotated[
        int | None, typer.Option("--round", help="按此轮次计分（默认当前）/ score this round's runs (default: now)")
    ] = None,
    explain: Annotated[
        str | None, typer.Option(help="另列此企业的得分明细 / also show this enterprise's breakdown")
    ] = None,
    trend: Annotated[bool, typer.Option("--trend", help="另列各轮得分 / also show scores across all rounds")] = False,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
    out: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
) -> None:
    """企业与应用商店排名 / rank enterprises and app stores.

    按类型排名企业，按问题应用占比排名应用商店 /
    rank enterprises per type, and app stores by their share of apps with problems.
    """
    if ctx.invoked_subcommand is not None:
        return
    from ganzhi.outputs.sheets import Sheet
    from ganzhi.store import supervision_repo as srepo
    from ganzhi.store.db import session_scope
    from ganzhi.supervision.standings import round_trends
    from ganzhi.usecases.standings import compute_standings

    check_format(fmt, SHEET_FORMATS, command="rank", output=out)
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
    emit_sheets(sheets, fmt, out, meta)
    if found.unowned and fmt is OutputFormat.table:
        err_console.print(f"[yellow]{len(found.unowned)} findings belong to no registered enterprise[/yellow]")
