"""Helpers every command group shares: the store, the console, output formats, progress."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session, sessionmaker

from ganzhi.settings import load_settings
from ganzhi.store.db import make_engine, session_factory
from ganzhi.store.migrate import current_revision, head_revision, upgrade

console = Console()
# messages name files and URLs: never break them across lines (a copied path must work)
err_console = Console(stderr=True, soft_wrap=True)


class OutputFormat(StrEnum):
    """Report formats of result-producing commands."""

    table = "table"
    json = "json"
    csv = "csv"
    sarif = "sarif"


def fail(message: str) -> typer.Exit:
    """Print `message` to stderr (no markup, so file names and user text show as they are); `raise fail(...)`."""
    err_console.print(message, style="red", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(code=1)


def print_problems(problems: Iterable[str]) -> None:
    """Input problems (file, row, field) to stderr, one per line, shown as they are."""
    for problem in problems:
        err_console.print(problem, markup=False, highlight=False, soft_wrap=True)


def open_store() -> sessionmaker[Session]:
    """Sessions on the configured database, migrated to the current schema first."""
    url = load_settings().database_url
    if current_revision(url) != head_revision():
        upgrade(url)
    return session_factory(make_engine(url))


@contextmanager
def progress_bar(description: str, total: int | None) -> Iterator[Progress]:
    """A Rich progress bar on stderr (hidden when stderr is not a terminal)."""
    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
    with progress:
        progress.add_task(description, total=total)
        yield progress


def write_text(path: Path | None, text: str) -> None:
    """Write to `path`, or to stdout when no path is given."""
    if path is None:
        console.out(text, end="", highlight=False)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    err_console.print(f"wrote {path}")
