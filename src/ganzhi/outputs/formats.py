"""One vocabulary of output formats for every command and API: a command offers a subset of it.

Commands declare the formats they can write with `require` so a wrong choice is an error naming the
command's choices, and every command spells the option the same way (`-f/--format`, `-o/--output`).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class OutputFormat(StrEnum):
    """Every format ganzhi writes; each command accepts the ones it can render."""

    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"
    sarif = "sarif"
    html = "html"
    pdf = "pdf"
    md = "md"
    txt = "txt"
    parquet = "parquet"


#: Formats whose output is bytes rather than text (they need a file, never the terminal).
BINARY_FORMATS = frozenset({OutputFormat.xlsx, OutputFormat.pdf, OutputFormat.parquet})


class UnsupportedFormat(ValueError):
    """A command was asked for a format it cannot write."""


def require(fmt: OutputFormat, allowed: Iterable[OutputFormat], *, command: str) -> OutputFormat:
    """`fmt` when `command` can write it; otherwise UnsupportedFormat naming the allowed choices."""
    choices = tuple(allowed)
    if fmt not in choices:
        names = ", ".join(choice.value for choice in choices)
        raise UnsupportedFormat(f"{command}: format {fmt.value!r} is not available; choose one of: {names}")
    return fmt
