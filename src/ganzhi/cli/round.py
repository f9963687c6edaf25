"""`ganzhi round`: attach check runs to a campaign round, and list a campaign's rounds. 检查轮次。"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ganzhi.cli._common import FORMAT_HELP, OUTPUT_HELP, OutputFormat, check_format, console, fail, open_store
from ganzhi.cli._report import SHEET_FORMATS, emit_sheets
from ganzhi.errors import GanzhiError

app = typer.Typer(help="检查轮次 / inspection rounds of a campaign.", no_args_is_help=True)


@app.command("attach")
def attach(
    run_id: Annotated[
        str, typer.Argument(help="运行编号（见 `ganzhi check` 输出）/ id of a stored run (see `ganzhi check` output)")
    ],
    campaign: Annotated[str, typer.Option("--campaign", "-c", help="专项行动编号 / campaign id")],
    round_number: Annotated[int, typer.Option("--round", "-r", min=1, help="轮次号 / round number")],
    actor: Annotated[str, typer.Option(help="操作人 / who attaches the run")] = "cli",
) -> None:
    """将运行归入第 N 轮 / attach a run to round N of a campaign; a run belongs to one round only."""
    from ganzhi.store import supervision_repo as srepo
    from ganzhi.store.db import session_scope

    try:
        with session_scope(open_store()) as session:
            found = srepo.attach_run(session, campaign, round_number, run_id, actor=actor)
    except GanzhiError as exc:
        raise fail(exc) from None
    console.print(f"round {found.key}: {len(found.run_ids)} runs attached")


@app.command("list")
def list_(
    campaign: Annotated[str, typer.Option("--campaign", "-c", help="专项行动编号 / campaign id")],
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
    out: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
) -> None:
    """专项行动的轮次及其运行 / the campaign's rounds and their runs."""
    check_format(fmt, SHEET_FORMATS, command="round list", output=out)
    from ganzhi.outputs.sheets import Sheet
    from ganzhi.store import supervision_repo as srepo
    from ganzhi.store.db import session_scope

    try:
        with session_scope(open_store()) as session:
            srepo.require_campaign(session, campaign)
            rounds = srepo.list_rounds(session, campaign)
    except GanzhiError as exc:
        raise fail(exc) from None
    rows = [(r.key, r.name, r.kind.value, r.starts.isoformat(), len(r.run_ids), " ".join(r.run_ids)) for r in rounds]
    header = ("轮次 round", "名称 name", "类型 kind", "开始 starts", "运行数 runs", "运行 run_ids")
    emit_sheets([Sheet("rounds", header, rows)], fmt, out, {"campaign": campaign})
