"""`ganzhi ladder`: the enforcement ladder per enterprise, with its audit trail. 处置阶梯。"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from ganzhi.cli._common import FORMAT_HELP, OUTPUT_HELP, OutputFormat, check_format, console, fail, open_store
from ganzhi.cli._report import SHEET_FORMATS, emit_sheets
from ganzhi.errors import GanzhiError
from ganzhi.supervision.models import LadderEvent

app = typer.Typer(
    help="处置阶梯：约谈提醒 → 通报批评 → 行政处罚 → 不良名单 / enforcement ladder.", no_args_is_help=True
)

#: `--to none` takes an enterprise off the ladder.
OFF = "none"


@app.command("show")
def show(
    enterprise: Annotated[
        str | None, typer.Argument(help="企业编号，省略则为全部企业 / enterprise id; omit for every enterprise")
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
    out: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
) -> None:
    """各企业当前阶梯与审计记录 / current rung of each enterprise and the audit trail (who, when, why)."""
    check_format(fmt, SHEET_FORMATS, command="ladder show", output=out)
    from ganzhi.catalog.loader import default_catalog
    from ganzhi.outputs.sheets import Sheet
    from ganzhi.store import supervision_repo as srepo
    from ganzhi.store.db import session_scope
    from ganzhi.supervision.ladder import Ladder

    ladder = Ladder.from_catalog(default_catalog())
    try:
        with session_scope(open_store()) as session:
            ids = [enterprise] if enterprise else [e.id for e in srepo.list_enterprises(session)]
            states = srepo.ladder_states(session, ladder, ids)
            events = srepo.ladder_events(session, enterprise)
    except GanzhiError as exc:
        raise fail(exc) from None
    state_rows = [(eid, step or "", ladder.title(step)) for eid, step in states.items()]
    trail_rows = [
        (
            e.enterprise_id,
            e.at.isoformat(timespec="seconds"),
            e.from_step or "",
            e.to_step or "",
            e.actor,
            e.reason,
            e.skip_reason or "",
            e.interview_id or "",
        )
        for e in events
    ]
    emit_sheets(
        [
            Sheet("ladder", ("企业 enterprise", "阶梯 step", "名称 title"), state_rows),
            Sheet(
                "trail",
                (
                    "企业 enterprise",
                    "时间 at",
                    "从 from",
                    "到 to",
                    "操作人 actor",
                    "原因 reason",
                    "越级原因 skip_reason",
                    "约谈 interview",
                ),
                trail_rows,
            ),
        ],
        fmt,
        out,
    )


@app.command("advance")
def advance(
    enterprise: Annotated[str, typer.Argument(help="企业编号 / enterprise id")],
    actor: Annotated[str, typer.Option(help="决定人 / who decides")],
    reason: Annotated[str, typer.Option(help="原因（记入审计记录）/ why (kept in the audit trail)")],
    to: Annotated[
        str | None,
        typer.Option(help="目标级别；'none' 退出阶梯 / target rung (default: the next one); 'none' leaves the ladder"),
    ] = None,
    skip_reason: Annotated[str | None, typer.Option(help="跳级时必填 / required when the move skips rungs")] = None,
    interview: Annotated[
        str | None, typer.Option(help="决定所依据的约谈编号 / interview id behind the decision")
    ] = None,
    campaign: Annotated[str | None, typer.Option(help="专项行动编号 / campaign id")] = None,
) -> None:
    """调整企业所处阶梯；跳级需 --skip-reason / move an enterprise on the ladder; skipping rungs needs --skip-reason."""
    from ganzhi.catalog.loader import default_catalog
    from ganzhi.store import supervision_repo as srepo
    from ganzhi.store.db import session_scope
    from ganzhi.supervision.ladder import Ladder

    ladder = Ladder.from_catalog(default_catalog())
    try:
        with session_scope(open_store()) as session:
            current = srepo.ladder_state(session, ladder, enterprise)
            target = ladder.next_step(current) if to is None else (None if to == OFF else to)
            if to is None and target is None:
                raise GanzhiError(f"enterprise {enterprise!r} is at the top rung {current}; nothing to advance to")
            event = LadderEvent(
                enterprise_id=enterprise,
                from_step=current,
                to_step=target,
                actor=actor,
                reason=reason,
                at=dt.datetime.now(dt.UTC),
                skip_reason=skip_reason,
                interview_id=interview,
                campaign_id=campaign,
            )
            srepo.record_ladder_event(session, ladder, event)
    except (GanzhiError, ValueError) as exc:
        raise fail(exc) from None
    console.print(f"{enterprise}: {ladder.title(current)} → {ladder.title(target)}")
