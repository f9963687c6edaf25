"""`ganzhi lists …`: parse the two personal-information lists and show their rows and problems."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ganzhi.cli._common import OutputFormat, console, err_console, write_text
from ganzhi.errors import GanzhiError

app = typer.Typer(help="双清单解析 / The two personal-information lists.", no_args_is_help=True)


@app.command("parse")
def parse_cmd(
    files: Annotated[list[Path], typer.Argument(help="HTML, XLSX, CSV or JSON list files")],
    format: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
    output: Annotated[Path | None, typer.Option(help="write here instead of stdout")] = None,
) -> None:
    """Parse lists with tolerant header matching; problems are reported per file, the rest goes on."""
    from ganzhi.lists.parse import parse_list_file

    parsed = []
    failed = 0
    for path in files:
        try:
            parsed.extend(parse_list_file(path))
        except GanzhiError as exc:
            failed += 1
            err_console.print(f"[red]{escape(str(exc))}[/red]")
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
    if failed and not parsed:
        raise typer.Exit(1)
