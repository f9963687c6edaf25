"""`ganzhi portability check`: answer 携号转网 eligibility queries from a JSONL file.

Exit codes: 0 every line answered; 2 some lines malformed or undecided (each has an error line in the
output, and a summary goes to stderr); 1 the input, output or campaign file cannot be used at all.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from ganzhi.cli._common import err_console, fail, make_pool
from ganzhi.collect.portability.cases import DEFAULT_MAX_LINES, MAX_LINE_BYTES
from ganzhi.usecases.portability.answer import DEFAULT_CHUNK_SIZE

if TYPE_CHECKING:
    from ganzhi.catalog.params import Overrides
    from ganzhi.usecases.portability.answer import AnswerStats

app = typer.Typer(
    help="携号转网资格查询 / number portability (T9) eligibility.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def portability() -> None:
    """携号转网资格查询 / number portability (T9) eligibility."""


#: Inputs with more lines than this get a progress bar on stderr.
PROGRESS_MIN_LINES = 5_000
_COUNT_BLOCK = 1 << 20


def count_lines(path: Path) -> int:
    """Lines in `path` (a last line without newline counts), read in 1 MiB blocks."""
    count = 0
    last = b"\n"
    with path.open("rb") as handle:
        while block := handle.read(_COUNT_BLOCK):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (0 if last == b"\n" else 1)


@contextmanager
def _progress(console: Console, total: int, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A Rich progress bar advancing by lines answered, or a no-op when not `enabled`."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    if not enabled:
        yield lambda _n: None
        return
    columns = (
        TextColumn("携号转网资格 / portability"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("answer", total=total)
        yield lambda n: progress.advance(task, n)
        progress.update(task, completed=total)


def _summary(stats: AnswerStats, blank: int, output: Path) -> str:
    return (
        f"携号转网资格：已答复 {stats.answered} 行，格式错误 {stats.malformed} 行，"
        f"无法判定 {stats.undecided} 行，跳过空行 {blank} 行 → {output}\n"
        f"portability: answered {stats.answered}, malformed {stats.malformed}, "
        f"undecided {stats.undecided}, blank lines skipped {blank} → {output}"
    )


def _load_overrides(campaign: Path | None) -> Overrides | None:
    from ganzhi.usecases.portability.campaign import align_rule_overrides

    if campaign is None:
        return None
    from ganzhi.catalog.loader import default_catalog
    from ganzhi.catalog.overrides import load_overrides
    from ganzhi.errors import GanzhiError

    try:
        return align_rule_overrides(load_overrides(default_catalog(), campaign), str(campaign))
    except GanzhiError as exc:
        raise fail(str(exc)) from None


_INPUT_HELP = "查询文件（JSONL，每行一个）/ JSONL queries, one per line"
_CAMPAIGN_HELP = "活动参数覆盖文件 / campaign file whose `params:` override catalog defaults"


@app.command("check")
def check(
    *,
    input_path: Annotated[Path, typer.Option("--input", "-i", help=_INPUT_HELP)],
    output_path: Annotated[Path, typer.Option("--output", "-o", help="答复文件（JSONL）/ JSONL answers")],
    campaign: Annotated[Path | None, typer.Option("--campaign", help=_CAMPAIGN_HELP)] = None,
    max_lines: Annotated[int, typer.Option(min=1, help="最多读取行数 / stop after this many lines")] = (
        DEFAULT_MAX_LINES
    ),
    max_line_bytes: Annotated[int, typer.Option(min=1, help="单行最大字节数 / longest line accepted")] = (
        MAX_LINE_BYTES
    ),
    chunk_size: Annotated[int, typer.Option(min=1, help="每批处理行数 / lines per engine run")] = (DEFAULT_CHUNK_SIZE),
    executor: Annotated[str, typer.Option(help="执行器 / executor: serial | local | dask")] = "serial",
    workers: Annotated[int | None, typer.Option(min=1, help="进程数 / worker processes")] = None,
) -> None:
    """逐行判定携号转网资格 / decide each line's porting eligibility; reasons in a fixed order."""
    from ganzhi.collect.portability.cases import PortabilityCollector
    from ganzhi.usecases.portability.answer import answer

    if not input_path.is_file():
        raise fail(f"{input_path}: input file not found (or not a regular file)")
    overrides = _load_overrides(campaign)
    from ganzhi.engine.runner import evaluate, new_run_id

    try:
        pool = make_pool(executor, workers=workers)
    except ValueError as exc:
        raise fail(f"--executor: {exc}") from None
    run_chunk = functools.partial(evaluate, tasks=("T9",), overrides=overrides, executor=pool, run_id=new_run_id())
    total = min(count_lines(input_path), max_lines)
    collector = PortabilityCollector(source=str(input_path), max_line_bytes=max_line_bytes, max_lines=max_lines)
    partial = output_path.with_name(output_path.name + ".part")
    try:
        with input_path.open("rb") as source, partial.open("w", encoding="utf-8") as sink:

            def write(line: dict[str, Any]) -> None:
                sink.write(json.dumps(line, ensure_ascii=False) + "\n")

            with _progress(err_console, total, total > PROGRESS_MIN_LINES) as advance:
                items = collector.read(source)
                stats = answer(items, run_chunk, write, chunk_size=chunk_size, on_progress=advance)
        os.replace(partial, output_path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise fail(f"{exc.filename or output_path}: {exc.strerror or exc}") from None
    finally:
        pool.close()
    err_console.print(_summary(stats, collector.stats.blank, output_path), highlight=False, soft_wrap=True)
    if not stats.complete:
        raise typer.Exit(code=2)
