"""Helpers every command group shares: the consoles, errors, output formats, optional extras, progress, the store.

Nothing heavy is imported here at module level (the store, SQLAlchemy, openpyxl …): every group module
imports this one, and `ganzhi <group> --help` must stay fast.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from ganzhi.outputs.formats import BINARY_FORMATS, OutputFormat, UnsupportedFormat, require

if TYPE_CHECKING:
    from rich.progress import Progress
    from sqlalchemy.orm import Session, sessionmaker

    from ganzhi.engine.executors import Executor

__all__ = [
    "EXTRAS",
    "FORMAT_HELP",
    "OUTPUT_HELP",
    "OutputFormat",
    "check_format",
    "console",
    "err_console",
    "fail",
    "make_pool",
    "missing_extra",
    "needs_extra",
    "open_store",
    "print_problems",
    "progress_bar",
    "require_extra",
    "write_bytes",
    "write_text",
]

console = Console()
# messages name files and URLs: never break them across lines (a copied path must work)
err_console = Console(stderr=True, soft_wrap=True)

FORMAT_HELP = "输出格式 / output format"
OUTPUT_HELP = "输出文件（默认标准输出；xlsx/pdf 必填）/ output file (default: stdout; required for xlsx and pdf)"

#: Optional extras (pyproject `[project.optional-dependencies]`) and the import names of their packages.
EXTRAS: dict[str, tuple[str, ...]] = {
    "web": ("fastapi", "starlette", "uvicorn", "itsdangerous", "multipart", "python_multipart", "httpx"),
    "pdf": ("weasyprint",),
    "dask": ("dask", "distributed"),
    "postgres": ("psycopg",),
    "ocr": ("rapidocr_onnxruntime", "onnxruntime"),
    "policy": ("jieba", "charset_normalizer", "pypdf", "docx", "httpx"),
    "crawl": ("scrapy", "twisted", "playwright"),
}
#: The packages whose absence `require_extra` detects up front (the others come with these).
_REQUIRED: dict[str, tuple[str, ...]] = {
    "web": ("fastapi", "uvicorn", "itsdangerous", "multipart", "httpx"),
    "pdf": ("weasyprint",),
    "dask": ("distributed",),
    "postgres": ("psycopg",),
    "ocr": ("rapidocr_onnxruntime",),
    "policy": ("jieba", "charset_normalizer", "pypdf", "docx", "httpx"),
    "crawl": ("scrapy", "playwright"),
}


def fail(message: object) -> typer.Exit:
    """Print `message` to stderr (no markup, so file names and user text show as they are); `raise fail(...)`.

    The one error exit of the command line: exit code 1, the message after `错误 / error:`.
    """
    err_console.print(f"错误 / error: {message}", style="red", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(code=1)


def missing_extra(extra: str, package: str | None = None) -> typer.Exit:
    """Say which extra to install (Chinese first) and return the exit (code 2) to raise."""
    what = f"（缺少 {package}）" if package else ""
    what_en = f" ({package} is missing)" if package else ""
    err_console.print(
        f"此命令需要可选依赖 {extra}{what}，请安装：pip install 'ganzhi[{extra}]'\n"
        f"this command needs the optional extra '{extra}'{what_en}: pip install 'ganzhi[{extra}]'",
        style="red",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    return typer.Exit(code=2)


def _importable(package: str) -> bool:
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):
        return False


def require_extra(extra: str) -> None:
    """Exit 2 naming the extra when one of its packages cannot be imported (checked without importing)."""
    for package in _REQUIRED[extra]:
        if not _importable(package):
            raise missing_extra(extra, package)


def _missing_module(exc: BaseException) -> str | None:
    """The top-level name of a module whose import failed somewhere in `exc`'s chain, if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ImportError) and current.name:
            return current.name.split(".")[0]
        current = current.__cause__ or current.__context__
    return None


@contextmanager
def needs_extra(*extras: str) -> Iterator[None]:
    """Turn an import failure of one of the `extras`' packages (raised anywhere inside) into `missing_extra`."""
    try:
        yield
    except Exception as exc:
        name = _missing_module(exc)
        for extra in extras:
            if name is not None and name in EXTRAS[extra]:
                raise missing_extra(extra, name) from None
        raise


def check_format(
    fmt: OutputFormat, allowed: Iterable[OutputFormat], *, command: str, output: Path | None = None
) -> OutputFormat:
    """`fmt` when `command` can write it to `output`; otherwise a usage error (exit 2) naming the choices.

    A table prints to the terminal (no `--output`); xlsx and pdf are bytes and need `--output`.
    """
    try:
        require(fmt, allowed, command=command)
    except UnsupportedFormat as exc:
        raise typer.BadParameter(str(exc), param_hint="'-f' / '--format'") from None
    if fmt is OutputFormat.table and output is not None:
        raise typer.BadParameter(
            "表格只输出到终端 / a table prints to the terminal; choose another --format to write a file",
            param_hint="'-o' / '--output'",
        )
    if fmt in BINARY_FORMATS and output is None:
        raise typer.BadParameter(
            f"--format {fmt.value} 需要 --output 文件 / needs --output FILE.{fmt.value}", param_hint="'-o' / '--output'"
        )
    if fmt is OutputFormat.pdf:
        require_extra("pdf")
    return fmt


def print_problems(problems: Iterable[str]) -> None:
    """Input problems (file, row, field) to stderr, one per line, shown as they are."""
    for problem in problems:
        err_console.print(problem, markup=False, highlight=False, soft_wrap=True)


def open_store() -> sessionmaker[Session]:
    """Sessions on the configured database, migrated to the current schema first."""
    from ganzhi.settings import load_settings

    with needs_extra("postgres"):
        from ganzhi.store.db import make_engine, session_factory
        from ganzhi.store.migrate import current_revision, head_revision, upgrade

        url = load_settings().database_url
        if current_revision(url) != head_revision():
            upgrade(url)
        return session_factory(make_engine(url))


@contextmanager
def progress_bar(description: str, total: int | None) -> Iterator[Progress]:
    """A Rich progress bar on stderr (hidden when stderr is not a terminal)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

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
    err_console.print(f"wrote {path}", markup=False, highlight=False)


def write_bytes(path: Path, data: bytes) -> None:
    """Write a binary report (xlsx, pdf) and say where it went."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    err_console.print(f"wrote {path}", markup=False, highlight=False)


def make_pool(executor: str, **options: Any) -> Executor:
    """The engine executor named `executor` (serial, local, dask); `dask` without its extra exits 2 naming it."""
    from ganzhi.engine.executors import make_executor

    if executor == "dask":
        require_extra("dask")
    return make_executor(executor, **options)
