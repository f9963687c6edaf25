"""`ganzhi publish`: draft, approve (second person), render and verify published snapshots. 社会公示。"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from ganzhi.cli._common import (
    FORMAT_HELP,
    OUTPUT_HELP,
    OutputFormat,
    check_format,
    console,
    err_console,
    fail,
    open_store,
    write_text,
)
from ganzhi.cli._report import SHEET_FORMATS, emit_sheets
from ganzhi.errors import GanzhiError
from ganzhi.supervision.publications import DEFAULT_ISSUER, PublicationKind
from ganzhi.supervision.render.columns import ListName

if TYPE_CHECKING:
    from ganzhi.outputs.sheets import Sheet
    from ganzhi.supervision.chain import ChainProblem
    from ganzhi.supervision.publications import Publication

app = typer.Typer(
    help="社会公示：通报、下架、排名；哈希链 / published snapshots: notices, removals, rankings; hash chain.",
    no_args_is_help=True,
)


#: What a snapshot renders to.
RENDER_FORMATS = (OutputFormat.html, OutputFormat.pdf, OutputFormat.xlsx, OutputFormat.csv, OutputFormat.json)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _default_rectify_by(today: dt.date) -> dt.date:
    from ganzhi.catalog.loader import default_catalog
    from ganzhi.workdays.rectification import deadline_from

    return deadline_from(default_catalog(), today)


@app.command("create")
def create(
    publication_id: Annotated[str, typer.Argument(help="新快照编号 / slug of the new snapshot, e.g. pub-2022-01")],
    created_by: Annotated[
        str, typer.Option(help="起草人（须由他人审批）/ who drafts it (approval needs someone else)")
    ],
    kind: Annotated[
        PublicationKind, typer.Option(help="公示类型 / kind: notice, removal, lookback, ranking")
    ] = PublicationKind.NOTICE,
    campaign: Annotated[
        str | None, typer.Option("--campaign", "-c", help="专项行动（排名时必填）/ campaign (needed for rankings)")
    ] = None,
    task: Annotated[
        list[str] | None, typer.Option(help="只含此任务的问题（可重复）/ only issues of this task (repeat)")
    ] = None,
    issue: Annotated[
        list[str] | None, typer.Option(help="只含此问题指纹（可重复）/ only this issue fingerprint (repeat)")
    ] = None,
    based_on: Annotated[
        str | None,
        typer.Option(help="下架所依据的已发布通报 / removal: the published notice whose apps were re-tested"),
    ] = None,
    with_ranking: Annotated[
        bool, typer.Option("--with-ranking", help="附上专项行动当前排名 / add the campaign's current ranking")
    ] = False,
    rectify_by: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="整改期限（默认 N 个工作日）/ deadline (default: N working days)"),
    ] = None,
    issuer: Annotated[str, typer.Option(help="发文机关 / issuing authority")] = DEFAULT_ISSUER,
) -> None:
    """根据当前问题起草公示快照 / draft a snapshot from the current issues.

    须第二人审批后才公示 / nothing is published until a second person approves it.
    """
    from ganzhi.store import publication_repo as prepo
    from ganzhi.store import repositories as repo
    from ganzhi.store import supervision_repo as srepo
    from ganzhi.store.db import session_scope
    from ganzhi.supervision.publications import (
        PublicationKind,
        RankingRow,
        build_body,
        new_draft,
        ranking_rows,
        select_issues,
    )
    from ganzhi.supervision.render.columns import present, rows
    from ganzhi.usecases.standings import compute_standings

    now = _now()
    try:
        with session_scope(open_store()) as session:
            enterprises = srepo.list_enterprises(session)
            if campaign is not None:
                srepo.require_campaign(session, campaign)
            rankings: list[RankingRow] = []
            if with_ranking or kind is PublicationKind.RANKING:
                if campaign is None:
                    raise GanzhiError("rankings need --campaign")
                rankings = ranking_rows(compute_standings(session, campaign, None))
            base = prepo.get_publication(session, based_on) if based_on else None
            current = {i.fingerprint: i for i in repo.get_issues(session)}
            chosen = select_issues(current.values(), tasks=task, fingerprints=issue)
            deadline = rectify_by.date() if rectify_by else _default_rectify_by(now.date())
            body = build_body(
                kind,
                issues=chosen,
                enterprises=enterprises,
                base=base,
                current=current,
                rankings=rankings,
                rectify_by=None if kind in (PublicationKind.RANKING, PublicationKind.REMOVAL) else deadline,
                issuer=issuer,
            )
            draft = new_draft(publication_id, body, created_by=created_by, at=now, campaign_id=campaign)
            prepo.save_draft(session, draft)
    except (GanzhiError, ValueError) as exc:
        raise fail(exc) from None
    counts = ", ".join(f"{name.value} {len(rows(body, name))}" for name in present(body))
    console.print(f"drafted {publication_id} ({kind.value}: {counts}); approve with `ganzhi publish approve`")


@app.command("approve")
def approve(
    publication_id: Annotated[str, typer.Argument(help="快照编号 / snapshot id")],
    approver: Annotated[str, typer.Option(help="审批人，须不同于起草人 / second person; must differ from the creator")],
    first_total: Annotated[
        int | None,
        typer.Option(
            help="仅限首个快照：从总第M批续接旧编号 / first snapshot only: continue an older numbering at 总第M批"
        ),
    ] = None,
) -> None:
    """审批草稿：封入哈希链并编定批次号 / approve a draft: seal it into the hash chain and give it its batch number."""
    from ganzhi.store import publication_repo as prepo
    from ganzhi.store.db import session_scope

    try:
        with session_scope(open_store()) as session:
            sealed = prepo.approve(session, publication_id, approver=approver, at=_now(), first_total=first_total)
    except (GanzhiError, ValueError) as exc:
        raise fail(exc) from None
    console.print(f"approved {sealed.title}\nsha256 {sealed.hash}\nprevious {sealed.prev_hash}")


def _summary_sheet(items: list[Publication]) -> Sheet:
    from ganzhi.outputs.sheets import Sheet

    header = ("编号 id", "类型 kind", "状态 status", "批次 batch", "起草 created_by", "审核 approved_by", "哈希 hash")
    return Sheet(
        "publications",
        header,
        [
            (p.id, p.kind.value, p.status.value, p.numbering, p.created_by, p.approved_by, (p.hash or "")[:16])
            for p in items
        ],
    )


@app.command("list")
def list_(
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
    out: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
) -> None:
    """公示快照：按链顺序，然后是草稿 / snapshots: the chain in order, then drafts."""
    check_format(fmt, SHEET_FORMATS, command="publish list", output=out)
    from ganzhi.store import publication_repo as prepo
    from ganzhi.store.db import session_scope

    with session_scope(open_store()) as session:
        items = prepo.list_publications(session)
    emit_sheets([_summary_sheet(items)], fmt, out)


@app.command("show")
def show(
    publication_id: Annotated[str, typer.Argument(help="快照编号 / snapshot id")],
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
    out: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
) -> None:
    """一个快照的标题与名单 / one snapshot's title and lists."""
    check_format(fmt, SHEET_FORMATS, command="publish show", output=out)
    from ganzhi.outputs.sheets import Sheet
    from ganzhi.store import publication_repo as prepo
    from ganzhi.store.db import session_scope
    from ganzhi.supervision.render.columns import HEADERS, present, rows

    try:
        with session_scope(open_store()) as session:
            pub = prepo.get_publication(session, publication_id)
        body = pub.content()
    except (GanzhiError, ValueError) as exc:
        raise fail(exc) from None
    sheets = [Sheet(name.value, HEADERS[name], rows(body, name)) for name in present(body)]
    if fmt is OutputFormat.table:
        console.print(pub.title)
    emit_sheets(sheets, fmt, out, {"id": pub.id, "title": pub.title, "hash": pub.hash, "status": pub.status.value})


@app.command("render")
def render(
    publication_id: Annotated[str, typer.Argument(help="快照编号 / snapshot id")],
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="输出格式 / output format: html | pdf | xlsx | csv | json")
    ] = OutputFormat.html,
    out: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
    list_name: Annotated[
        ListName | None,
        typer.Option("--list", help="输出哪个名单（csv；默认第一个）/ csv: which list (default: the first)"),
    ] = None,
) -> None:
    """将公示快照输出为 HTML、PDF、XLSX、CSV 或 JSON / render a snapshot as HTML, PDF, XLSX, CSV or JSON."""
    check_format(fmt, RENDER_FORMATS, command="publish render", output=out)
    from ganzhi.store import publication_repo as prepo
    from ganzhi.store.db import session_scope
    from ganzhi.supervision.render.columns import present
    from ganzhi.supervision.render.html import to_html
    from ganzhi.supervision.render.pdf import to_pdf
    from ganzhi.supervision.render.tabular import to_csv, to_json, to_xlsx

    try:
        with session_scope(open_store()) as session:
            pub = prepo.get_publication(session, publication_id)
        if fmt in (OutputFormat.pdf, OutputFormat.xlsx):
            if out is None:
                raise GanzhiError(f"--format {fmt.value} needs --out FILE.{fmt.value}")
            data = to_pdf(pub) if fmt is OutputFormat.pdf else to_xlsx(pub)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
            err_console.print(f"wrote {out}")
            return
        if fmt is OutputFormat.csv:
            lists = present(pub.content())
            name = list_name or (lists[0] if lists else ListName.notice)
            write_text(out, to_csv(pub, name))
        else:
            write_text(out, to_html(pub) if fmt is OutputFormat.html else to_json(pub))
    except (GanzhiError, ValueError) as exc:
        raise fail(exc) from None


def _print_broken(problems: list[ChainProblem]) -> None:
    for problem in problems:
        err_console.print(f"[red]BROKEN[/red] {escape(str(problem))}")


@app.command("verify")
def verify_(
    anchors: Annotated[
        Path | None,
        typer.Option(
            "--anchors", help="保存在数据库之外的锚点文件 / anchor file kept outside the database (`publish anchor`)"
        ),
    ] = None,
) -> None:
    """校验整条哈希链 / check the whole hash chain.

    完好时退出码为0，否则为1并列出每个损坏的快照 / exit 0 when intact, 1 naming every broken snapshot otherwise.
    """
    from ganzhi.store import publication_repo as prepo
    from ganzhi.store.db import session_scope
    from ganzhi.supervision.anchors import check_anchors, read_anchors
    from ganzhi.supervision.chain import verify

    with session_scope(open_store()) as session:
        chain = prepo.chain(session)
        windows = prepo.campaign_windows(session)
    problems = verify(chain, windows)
    anchored = 0
    if anchors is not None:
        try:
            known = read_anchors(anchors)
        except GanzhiError as exc:
            raise fail(exc) from None
        problems += check_anchors(chain, known)
        anchored = len(known)
    if problems:
        _print_broken(problems)
        err_console.print(f"hash chain broken: {len(problems)} problems in {len(chain)} snapshots")
        raise typer.Exit(1)
    head = chain[-1].hash if chain else "(empty)"
    against = f", matches {anchored} anchors" if anchors is not None else ""
    console.print(f"hash chain intact: {len(chain)} snapshots, head {head}{against}")


@app.command("anchor")
def anchor(
    file: Annotated[
        Path,
        typer.Option("--file", help="要追加的锚点文件（不存在则创建）/ anchor file to append to (created if missing)"),
    ],
) -> None:
    """追加上次锚定后审批的快照到 FILE 并打印 / append the snapshots approved since the last anchor to FILE
    and print them.

    请将其复制到数据库写入者无法修改之处；FILE 已与链矛盾时拒绝执行 / copy them somewhere the database's
    writers cannot change. Refuses when FILE already contradicts the chain.
    """
    from ganzhi.store import publication_repo as prepo
    from ganzhi.store.db import session_scope
    from ganzhi.supervision.anchors import anchor_line, check_anchors, read_anchors, unanchored
    from ganzhi.supervision.chain import verify

    with session_scope(open_store()) as session:
        chain = prepo.chain(session)
        windows = prepo.campaign_windows(session)
    try:
        known = read_anchors(file) if file.exists() else []
    except GanzhiError as exc:
        raise fail(exc) from None
    problems = verify(chain, windows) + check_anchors(chain, known)
    if problems:
        _print_broken(problems)
        raise fail(f"{file}: not anchoring a chain that fails verification ({len(problems)} problems)")
    new = unanchored(chain, known)
    lines = "".join(anchor_line(pub) for pub in new)
    with file.open("a", encoding="utf-8") as handle:
        handle.write(lines)
    console.print(lines.rstrip("\n") or "nothing new to anchor", markup=False, highlight=False)
    err_console.print(f"{file}: {len(new)} anchors appended, {len(known) + len(new)} in all")
