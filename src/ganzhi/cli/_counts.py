"""The one line every import prints per input file: rows accepted, rows rejected, warnings (issue 15).

`接受 N 行，拒绝 M 行，警告 K 条 / accepted N, rejected M, warnings K`, on stderr after the file's name, so
nothing an importer drops goes unsaid. Rejected rows are the rows not kept because of an error; warnings are
problems of level "warning" (a row kept with a doubt, or set aside for a word ganzhi cannot read, which the
warning says).
"""

from __future__ import annotations

from collections.abc import Iterable

from ganzhi.cli._common import err_console
from ganzhi.errors import RowProblem


def count_line(source: str, accepted: int, rejected: int, warnings: int) -> str:
    """`source: 接受 N 行，拒绝 M 行，警告 K 条 / accepted N, rejected M, warnings K`."""
    return (
        f"{source}: 接受 {accepted} 行，拒绝 {rejected} 行，警告 {warnings} 条 / "
        f"accepted {accepted}, rejected {rejected}, warnings {warnings}"
    )


def print_counts(source: str, accepted: int, rejected: int, warnings: int) -> None:
    """Print the count line of one input file to stderr (as it is: no markup)."""
    err_console.print(count_line(source, accepted, rejected, warnings), markup=False, highlight=False, soft_wrap=True)


def warnings_in(problems: Iterable[RowProblem], source: str | None = None) -> int:
    """Problems of level "warning" (of `source` only, when given)."""
    return sum(1 for p in problems if p.level == "warning" and (source is None or p.source == source))


def has_errors(problems: Iterable[RowProblem]) -> bool:
    """Whether any problem is an error (warnings alone never make a command fail)."""
    return any(p.level == "error" for p in problems)
