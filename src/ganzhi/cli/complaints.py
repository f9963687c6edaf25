"""`ganzhi complaints`: import and classify complaints by task, trends, link to scores, model F1. 投诉。"""

from __future__ import annotations

import datetime as dt
import json
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
    open_store,
    progress_bar,
)
from ganzhi.cli._report import SHEET_FORMATS, emit_sheets
from ganzhi.errors import GanzhiError

app = typer.Typer(
    help="投诉：导入、按任务分类、趋势、关联得分 / complaints: import, classify by task, trends, link to scores.",
    no_args_is_help=True,
)

BATCH = 500


@app.command("import")
def import_(
    files: Annotated[
        list[Path],
        typer.Argument(help="投诉文件（CSV/XLSX：省份、企业、投诉内容、日期）/ CSV, XLSX or JSONL files"),
    ],
) -> None:
    """导入投诉，按任务分类并保存 / import complaints, classify each by task (T1–T11 or other) and store them.

    报告错误行 / bad rows are reported.
    """
    from ganzhi.errors import RowProblem
    from ganzhi.store import complaint_repo as crepo
    from ganzhi.store import supervision_repo as srepo
    from ganzhi.store.db import session_scope
    from ganzhi.supervision.complaints.classifier import MODEL_NAME, default_classifier
    from ganzhi.supervision.complaints.intake import ComplaintIn, read_complaints

    good: list[ComplaintIn] = []
    bad = 0
    try:
        for path in files:
            for item in read_complaints(path):
                if isinstance(item, RowProblem):
                    bad += 1
                    err_console.print(f"[red]skipped[/red] {item}")
                else:
                    good.append(item)
        classifier = default_classifier()
        sessions = open_store()
        with session_scope(sessions) as session:
            enterprises = srepo.list_enterprises(session)
        inserted = skipped = 0
        now = dt.datetime.now(dt.UTC)
        with progress_bar("分类 classifying", len(good)) as bar:
            for start in range(0, len(good), BATCH):
                chunk = good[start : start + BATCH]
                predictions = classifier.predict([c.text for c in chunk])
                rows = crepo.complaint_rows(chunk, predictions, enterprises, model=MODEL_NAME, at=now)
                with session_scope(sessions) as session:
                    added, dupes = crepo.save_complaints(session, rows)
                inserted, skipped = inserted + added, skipped + dupes
                bar.advance(bar.task_ids[0], len(chunk))
    except (GanzhiError, ValueError, OSError) as exc:
        raise fail(exc) from None
    console.print(f"imported {inserted} complaints ({skipped} already imported, {bad} bad rows)")


@app.command("classify")
def classify(text: Annotated[str, typer.Argument(help="投诉文本 / a complaint text")]) -> None:
    """对一条文本分类，输出任务与置信度 / classify one text and print the task and confidence."""
    from ganzhi.supervision.complaints.classifier import default_classifier

    (prediction,) = default_classifier().predict([text])
    console.print(f"{prediction.label}\t{prediction.confidence:.3f}")


@app.command("trends")
def trends(
    campaign: Annotated[
        str | None, typer.Option("--campaign", "-c", help="关联此专项行动的得分 / link to this campaign's scores")
    ] = None,
    enterprise: Annotated[str | None, typer.Option(help="只看此企业 / only this enterprise id")] = None,
    since: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="起始日期 / from this date")] = None,
    until: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="截止日期 / up to this date")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
    out: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
) -> None:
    """按企业 × 任务 × 月统计投诉 / complaints per enterprise × task × month.

    使用 --campaign 时与各任务得分并列 / with --campaign, next to each task score.
    """
    check_format(fmt, (*SHEET_FORMATS, OutputFormat.pdf), command="complaints trends", output=out)
    from ganzhi.outputs.sheets import Sheet
    from ganzhi.store import complaint_repo as crepo
    from ganzhi.store.db import session_scope
    from ganzhi.supervision.complaints.trends import monthly, with_scores
    from ganzhi.usecases.standings import compute_standings

    try:
        with session_scope(open_store()) as session:
            items = crepo.list_complaints(
                session,
                enterprise_id=enterprise,
                since=since.date() if since else None,
                until=until.date() if until else None,
            )
            header = ("企业 enterprise", "任务 task", "月份 month", "投诉 complaints")
            sheets = [Sheet("monthly", header, monthly(items))]
            if campaign is not None:
                scores = compute_standings(session, campaign, None).scores
                linked = ("企业 enterprise", "任务 task", "得分 score", "投诉 complaints", "投诉占比 share")
                sheets.append(Sheet("score_vs_complaints", linked, with_scores(items, scores)))
    except (GanzhiError, ValueError, KeyError) as exc:
        raise fail(exc) from None
    emit_sheets(sheets, fmt, out, {"campaign": campaign, "complaints": len(items)}, title="投诉趋势 complaint trends")


@app.command("evaluate")
def evaluate() -> None:
    """评估投诉分类器 / train on the training templates of the labelled set and print F1 on the held-out templates."""
    from ganzhi.supervision.complaints.classifier import evaluate_heldout

    console.print_json(json.dumps(evaluate_heldout(), ensure_ascii=False))
