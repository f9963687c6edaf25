"""`ganzhi lookback`: re-test closed issues (回头看) through the engine, report, and feed the ladder."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from ganzhi.catalog.loader import default_catalog
from ganzhi.cli._common import console, err_console, open_store, progress_bar, write_text
from ganzhi.cli.rank import fail
from ganzhi.collect.evidence_file import EvidenceLineError, read_evidence
from ganzhi.engine.executors import make_executor
from ganzhi.errors import GanzhiError
from ganzhi.evidence.base import Evidence
from ganzhi.outputs.sheets import Sheet, to_json, to_rich, to_xlsx
from ganzhi.store import publication_repo as prepo
from ganzhi.store.db import session_scope
from ganzhi.supervision.ladder import Ladder
from ganzhi.supervision.lookback import VERDICT_ZH, LookbackSelection, Verdict
from ganzhi.supervision.triggers import Proposal, load_rules
from ganzhi.usecases.lookback_run import ladder_proposals, run_lookback

app = typer.Typer(help="Look-back (回头看): re-test fixed or verified issues.", no_args_is_help=True)


class LookbackFormat(StrEnum):
    """Report formats of a look-back."""

    table = "table"
    json = "json"
    xlsx = "xlsx"
    pdf = "pdf"


def _sheets(report: dict[str, Any], proposals: list[Proposal], ladder: Ladder) -> list[Sheet]:
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


def _pdf(sheets: list[Sheet], title: str) -> bytes:
    """A simple PDF of the report tables (same renderer and font as the publications)."""
    from jinja2 import Environment, select_autoescape

    from ganzhi.supervision.render.pdf import render_pdf

    template = Environment(autoescape=select_autoescape(default=True)).from_string(
        "<h1>{{ title }}</h1>{% for s in sheets %}<table><caption>{{ s.title }}</caption><tr>"
        "{% for h in s.header %}<th>{{ h }}</th>{% endfor %}</tr>{% for r in s.rows %}<tr>"
        "{% for c in r %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table>{% endfor %}"
    )
    return render_pdf(template.render(title=title, sheets=sheets))


def emit_report(sheets: list[Sheet], fmt: LookbackFormat, out: Path | None, meta: dict[str, Any], title: str) -> None:
    """Print or write a report as a table, JSON, xlsx or PDF."""
    if fmt is LookbackFormat.table:
        for sheet in sheets:
            console.print(to_rich(sheet))
        return
    if fmt is LookbackFormat.json:
        write_text(out, to_json(sheets, meta))
        return
    if out is None:
        raise typer.BadParameter(f"--format {fmt.value} needs --out FILE.{fmt.value}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(to_xlsx(sheets) if fmt is LookbackFormat.xlsx else _pdf(sheets, title))
    err_console.print(f"wrote {out}")


def _read(paths: list[Path]) -> list[Evidence]:
    items: list[Evidence] = []
    for path in paths:
        for item in read_evidence(path):
            if isinstance(item, EvidenceLineError):
                err_console.print(f"[red]skipped[/red] {item}")
            else:
                items.append(item)
    return items


@app.command("run")
def run(
    lookback_id: Annotated[str, typer.Argument(help="Slug naming this look-back, e.g. lb-2022-06.")],
    actor: Annotated[str, typer.Option(help="Who runs it (recorded on VERIFIED moves).")],
    evidence: Annotated[
        list[Path] | None, typer.Option("--evidence", "-e", help="New evidence JSONL (default: stored evidence).")
    ] = None,
    task: Annotated[list[str] | None, typer.Option(help="Only issues of this task (repeat).")] = None,
    enterprise: Annotated[list[str] | None, typer.Option(help="Only issues of this enterprise (repeat).")] = None,
    closed_from: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Closed on or after.")] = None,
    closed_to: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Closed on or before.")] = None,
    campaign: Annotated[str | None, typer.Option("--campaign", "-c", help="Record as a look-back round.")] = None,
    verify_passed: Annotated[bool, typer.Option(help="Move confirmed FIXED issues to VERIFIED.")] = True,
    executor: Annotated[str, typer.Option(help="serial, local or dask.")] = "serial",
    fmt: Annotated[LookbackFormat, typer.Option("--format", "-f")] = LookbackFormat.table,
    out: Annotated[Path | None, typer.Option("--out", "-o")] = None,
) -> None:
    """Select closed issues, re-run their checks, reopen what fails, verify what holds, report."""
    selection = LookbackSelection(
        tasks=task or [],
        enterprise_ids=enterprise or [],
        closed_from=closed_from.date() if closed_from else None,
        closed_to=closed_to.date() if closed_to else None,
    )
    ladder = Ladder.from_catalog(default_catalog())
    pool = make_executor(executor)
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
    emit_report(_sheets(report, proposals, ladder), fmt, out, meta, f"回头看报告 {lookback_id}")
    err_console.print(
        f"look-back {lookback_id}: run {outcome.report.run_id}"
        + (f", round {outcome.round_key}" if outcome.round_key else "")
        + ", "
        + ", ".join(f"{k} {v}" for k, v in report["counts"].items())
    )


@app.command("show")
def show(
    lookback_id: Annotated[str, typer.Argument()],
    fmt: Annotated[LookbackFormat, typer.Option("--format", "-f")] = LookbackFormat.table,
    out: Annotated[Path | None, typer.Option("--out", "-o")] = None,
) -> None:
    """A stored look-back's report (with today's ladder proposals from reopened issues)."""
    ladder = Ladder.from_catalog(default_catalog())
    try:
        with session_scope(open_store()) as session:
            stored = prepo.get_lookback(session, lookback_id)
            proposals = ladder_proposals(session, load_rules(), ladder, dt.datetime.now(dt.UTC).date())
    except (GanzhiError, ValueError) as exc:
        raise fail(exc) from None
    meta = {k: stored[k] for k in ("id", "run_id", "campaign_id", "round_number", "actor", "created_at")}
    emit_report(_sheets(stored["report"], proposals, ladder), fmt, out, meta, f"回头看报告 {lookback_id}")
