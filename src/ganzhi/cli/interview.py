"""`ganzhi interview`: propose interviews from trigger rules, record them, list them. 约谈。"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from ganzhi.cli._common import FORMAT_HELP, OUTPUT_HELP, OutputFormat, check_format, console, fail, open_store
from ganzhi.cli._report import SHEET_FORMATS, emit_sheets
from ganzhi.errors import GanzhiError
from ganzhi.supervision.models import Commitment, Interview

app = typer.Typer(help="约谈：建议、记录、列表 / interviews: proposals, records, list.", no_args_is_help=True)


@app.command("propose")
def propose_(
    campaign: Annotated[
        str, typer.Option("--campaign", "-c", help="规则所读排名的专项行动 / campaign whose ranking the rules read")
    ],
    today: Annotated[
        dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="基准日期（默认今天，UTC）/ default: today (UTC)")
    ] = None,
    rules_file: Annotated[
        Path | None,
        typer.Option("--rules", help="触发规则（YAML，默认随包规则）/ trigger rules YAML (default: shipped)"),
    ] = None,
    round_number: Annotated[
        int | None, typer.Option("--round", help="按此轮次排名（默认当前）/ rank by this round (default: now)")
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
    out: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
) -> None:
    """评估触发规则，为每家企业建议处置阶梯的下一级 / evaluate the trigger rules and propose the next ladder rung
    per enterprise.

    只建议，不记录 / nothing is recorded.
    """
    check_format(fmt, SHEET_FORMATS, command="interview propose", output=out)
    from ganzhi.catalog.loader import default_catalog
    from ganzhi.outputs.sheets import Sheet
    from ganzhi.store import repositories as repo
    from ganzhi.store import supervision_repo as srepo
    from ganzhi.store.db import session_scope
    from ganzhi.supervision.ladder import Ladder
    from ganzhi.supervision.ownership import Ownership
    from ganzhi.supervision.triggers import RuleKind, TriggerInput, load_rules, propose
    from ganzhi.usecases.standings import compute_standings
    from ganzhi.workdays.calendar import default_calendar

    day = today.date() if today else dt.datetime.now(dt.UTC).date()
    ladder = Ladder.from_catalog(default_catalog())
    try:
        rules = load_rules(rules_file)
        lookback = max((r.number("lookback_days") for r in rules if r.kind is RuleKind.REOPENED), default=0)
        since = dt.datetime.combine(day - dt.timedelta(days=lookback), dt.time(), tzinfo=dt.UTC)
        with session_scope(open_store()) as session:
            enterprises = srepo.list_enterprises(session)
            ownership = Ownership.build(enterprises)
            found = compute_standings(session, campaign, round_number)
            data = TriggerInput(
                issues=repo.get_issues(session),
                transitions=srepo.reopenings_since(session, since),
                enterprise_of=lambda i: ownership.operator_of(i.subject),
                today=day,
                calendar=default_calendar(),
                rankings=found.rankings,
            )
            current = srepo.ladder_states(session, ladder, [e.id for e in enterprises])
            proposals = propose(rules, data, ladder, current)
    except (GanzhiError, KeyError, ValueError) as exc:
        raise fail(exc) from None
    rows = [
        (
            p.enterprise_id,
            ladder.title(p.current_step),
            ladder.title(p.proposed_step),
            hit.rule_id,
            hit.reason.get(),
            " ".join(fp[:12] for fp in hit.fingerprints),
        )
        for p in proposals
        for hit in p.hits
    ]
    header = ("企业 enterprise", "当前 current", "建议 proposed", "规则 rule", "原因 reason", "问题 issues")
    emit_sheets([Sheet("proposals", header, rows)], fmt, out, {"campaign": campaign, "today": day.isoformat()})


def _commitment(text: str) -> Commitment:
    body, sep, due = text.rpartition("|")
    if not sep:
        raise ValueError(f"commitment {text!r}: expected 'what was promised|YYYY-MM-DD'")
    try:
        day = dt.date.fromisoformat(due.strip())
    except ValueError:
        raise ValueError(f"commitment {text!r}: due date {due.strip()!r} is not YYYY-MM-DD") from None
    return Commitment(text=body.strip(), due=day)


@app.command("record")
def record(
    enterprise: Annotated[str, typer.Argument(help="企业编号 / enterprise id")],
    interview_id: Annotated[str, typer.Option("--id", help="约谈编号 / slug for this interview")],
    held_on: Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="约谈日期 / date held")],
    attendee: Annotated[list[str], typer.Option("--attendee", help="参加人，每人一次 / repeat for each attendee")],
    minutes: Annotated[
        str, typer.Option(help="约谈纪要，或 @文件 从文件读取 / minutes text, or @FILE to read them from a file")
    ],
    recorded_by: Annotated[str, typer.Option(help="记录人 / who records it")],
    commitment: Annotated[list[str] | None, typer.Option(help="整改承诺（可重复）/ 'text|YYYY-MM-DD' (repeat)")] = None,
    campaign: Annotated[str | None, typer.Option(help="专项行动编号 / campaign id")] = None,
    issue: Annotated[
        list[str] | None, typer.Option(help="涉及的问题指纹（可重复）/ fingerprint discussed (repeat)")
    ] = None,
    rule: Annotated[
        list[str] | None, typer.Option(help="依据的触发规则编号（可重复）/ trigger rule id behind it (repeat)")
    ] = None,
) -> None:
    """记录已举行的约谈及其纪要与承诺 / record a held interview with its minutes and commitments."""
    from ganzhi.store import supervision_repo as srepo
    from ganzhi.store.db import session_scope

    try:
        text = Path(minutes[1:]).read_text(encoding="utf-8") if minutes.startswith("@") else minutes
        item = Interview(
            id=interview_id,
            enterprise_id=enterprise,
            held_on=held_on.date(),
            attendees=attendee,
            minutes=text,
            commitments=[_commitment(c) for c in commitment or []],
            campaign_id=campaign,
            fingerprints=issue or [],
            rule_ids=rule or [],
            recorded_by=recorded_by,
            recorded_at=dt.datetime.now(dt.UTC),
        )
        with session_scope(open_store()) as session:
            srepo.save_interview(session, item)
    except (GanzhiError, ValidationError, ValueError, OSError) as exc:
        raise fail(exc) from None
    console.print(f"interview {item.id} recorded for {enterprise} ({len(item.commitments)} commitments)")


@app.command("list")
def list_(
    enterprise: Annotated[str | None, typer.Option(help="只看此企业 / only this enterprise")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
    out: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
) -> None:
    """约谈及其承诺，最新在前 / interviews and their commitments, most recent first."""
    check_format(fmt, SHEET_FORMATS, command="interview list", output=out)
    from ganzhi.outputs.sheets import Sheet
    from ganzhi.store import supervision_repo as srepo
    from ganzhi.store.db import session_scope

    with session_scope(open_store()) as session:
        found = srepo.list_interviews(session, enterprise_id=enterprise)
    interviews = Sheet(
        "interviews",
        ("编号 id", "企业 enterprise", "日期 held_on", "参会 attendees", "纪要 minutes", "承诺 commitments"),
        [
            (i.id, i.enterprise_id, i.held_on.isoformat(), "、".join(i.attendees), i.minutes[:80], len(i.commitments))
            for i in found
        ],
    )
    commitments = Sheet(
        "commitments",
        ("约谈 interview", "企业 enterprise", "承诺 text", "期限 due"),
        [(i.id, i.enterprise_id, c.text, c.due.isoformat()) for i in found for c in i.commitments],
    )
    emit_sheets([interviews, commitments], fmt, out)
