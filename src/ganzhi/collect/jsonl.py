"""Read JSON Lines from outside safely: bounded line length and line count, one error per bad line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

DEFAULT_MAX_LINE_BYTES = 1 << 20
DEFAULT_MAX_LINES = 50_000_000


@dataclass(frozen=True, slots=True)
class JsonLine:
    """One parsed line (`value`) or why it could not be parsed (`error`)."""

    source: str
    line: int
    value: Any = None
    error: str | None = None


def iter_json_lines(
    stream: IO[bytes],
    source: str,
    *,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    max_lines: int = DEFAULT_MAX_LINES,
) -> Iterator[JsonLine]:
    """Yield each non-blank line of `stream` parsed as JSON, never raising for bad content.

    A line longer than `max_line_bytes` is skipped (read through without being held in memory) and reported;
    after `max_lines` lines the rest is refused with one error.
    """
    number = 0
    while True:
        raw = stream.readline(max_line_bytes + 1)
        if not raw:
            return
        number += 1
        if number > max_lines:
            yield JsonLine(source, number, error=f"more than {max_lines} lines; the rest was not read")
            return
        if len(raw) > max_line_bytes and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):
                raw = stream.readline(max_line_bytes + 1)
            yield JsonLine(source, number, error=f"line longer than {max_line_bytes} bytes")
            continue
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        text = raw.strip()
        if not text:
            continue
        try:
            yield JsonLine(source, number, value=json.loads(text.decode("utf-8")))
        except UnicodeDecodeError as exc:
            yield JsonLine(source, number, error=f"not UTF-8 text ({exc.reason} at byte {exc.start})")
        except json.JSONDecodeError as exc:
            yield JsonLine(source, number, error=f"not valid JSON: {exc.msg} (column {exc.colno})")


def read_json_lines(path: Path, **limits: int) -> Iterator[JsonLine]:
    """`iter_json_lines` over a file; an unreadable file becomes one error line."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield JsonLine(str(path), 0, error=f"cannot open: {exc.strerror or exc}")
        return
    with handle:
        yield from iter_json_lines(handle, str(path), **limits)
