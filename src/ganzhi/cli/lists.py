"""`ganzhi lists …`: parse the two personal-information lists and show their rows and problems.

`parse` prints each file's line `接受 N 行，拒绝 M 行，警告 K 条 / accepted N, rejected M, warnings K` to
stderr; it exits 1 only when no file could be read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

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
    write_text,
)
from ganzhi.errors import GanzhiError

app = typer.Typer(
    help="双清单：个人信息收集清单与第三方共享清单 / the two personal-information lists.", no_args_is_help=True
)


@app.command("parse")
def parse_cmd(
    files: Annotated[list[Path], typer.Argument(help="清单文件 / HTML, XLSX, CSV or JSON list files")],
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
) -> None:
    """解析清单（表头容错匹配）/ parse lists with tolerant header matching.

    按文件报告问题，其余照常解析 / problems are reported per file, the rest goes on.
    """
    from rich.table import Table

    from ganzhi.cli._counts import print_counts
    from ganzhi.collect.lists.parse import parse_list_file, row_counts

    check_format(format, (OutputFormat.table, OutputFormat.json), command="lists parse")

    parsed = []
    failed = 0
    counted: list[tuple[str, tuple[int, int, int]]] = []
    for path in files:
        try:
            lists = parse_list_file(path)
        except GanzhiError as exc:
            failed += 1
            err_console.print(f"[red]{escape(str(exc))}[/red]")
            lists = []
        parsed.extend(lists)
        counted.append((str(path), row_counts(lists)))
    if format == OutputFormat.json:
        write_text(output, json.dumps([p.model_dump(mode="json") for p in parsed], ensure_ascii=False, indent=2) + "\n")
    else:
        for item in parsed:
            table = Table(title=escape(f"{item.source} ({item.kind}, {len(item.rows)} rows)"))
            roles = list(item.headers)
            for role in roles:
                table.add_column(escape(item.headers[role]))
            for row in item.rows[:200]:
                table.add_row(*(escape(row.cells.get(role, "")) for role in roles))
            console.print(table)
            for problem in item.problems:
                err_console.print(f"[yellow]{escape(problem)}[/yellow]")
    for source, (accepted, rejected, warnings) in counted:
        print_counts(source, accepted, rejected, warnings)
    if failed and not parsed:
        raise typer.Exit(1)


@app.command("draft")
def draft_cmd(
    apk: Annotated[Path, typer.Argument(help="安装包文件 / the APK file")],
    out: Annotated[
        Path, typer.Option("--output", "-o", help="草稿 XLSX 与 HTML 的目录 / folder for the draft XLSX and HTML")
    ],
    policy: Annotated[
        str | None,
        typer.Option(help="隐私政策（文件或 URL），用于预填目的 / privacy policy (file or URL) to prefill purposes"),
    ] = None,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help=FORMAT_HELP)] = OutputFormat.table,
) -> None:
    """根据安装包起草双清单 / draft both lists from the APK's PI facts and SDK inventory.

    草稿由企业补全 / a draft for the company to complete.
    """
    from rich.table import Table

    from ganzhi.collect.apk.reader import read_apk
    from ganzhi.collect.policy.analyze import analyze_document
    from ganzhi.collect.policy.ingest import read_policy
    from ganzhi.usecases.lists_draft import draft_lists, write_drafts

    check_format(format, (OutputFormat.table, OutputFormat.json), command="lists draft")
    try:
        static = read_apk(apk).static
        analysis = analyze_document(read_policy(policy)) if policy else None
    except GanzhiError as exc:
        raise fail(exc) from None
    draft = draft_lists(static, analysis)
    paths = write_drafts(draft, out)
    summary = {
        "package": draft.package,
        "collected_rows": len(draft.collected),
        "shared_rows": len(draft.shared),
        "files": [str(p) for p in paths],
    }
    if format == OutputFormat.json:
        console.print_json(json.dumps(summary, ensure_ascii=False))
        return
    table = Table(title=escape(f"{draft.package}: draft lists (须人工核对)"))
    for column in ("list", "rows", "file"):
        table.add_column(column)
    table.add_row("已收集个人信息清单", str(len(draft.collected)), escape(str(paths[0])))
    table.add_row("与第三方共享个人信息清单", str(len(draft.shared)), escape(str(paths[1])))
    console.print(table)
