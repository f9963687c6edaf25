"""Read JSON Lines from outside safely: strict JSON, bounded line length and line count, one error per bad line.

Decisions on odd input (tests pin them):

- a UTF-8 byte-order mark at the very start is dropped (editors on Windows add it); anywhere else it is invalid;
- blank (whitespace-only) lines carry nothing and are skipped, counted in `stats.blank`;
- `NaN`/`Infinity` and duplicate keys are rejected, since JSON has neither;
- a line longer than `max_line_bytes` is read through without being held in memory and reported;
- after `max_lines` lines, reading stops with one error.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

DEFAULT_MAX_LINE_BYTES = 1 << 20
DEFAULT_MAX_LINES = 50_000_000
_BOM = b"\xef\xbb\xbf"
_DRAIN_CHUNK = 64 * 1024


class _DuplicateKey(ValueError):
    pass


class _BadConstant(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise _BadConstant(name)


def parse_json_strict(text: str) -> Any:
    """Parse `text` as strict JSON; ValueError says what is wrong (syntax and column, duplicate key, NaN...)."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_reject_constant)
    except _DuplicateKey as exc:
        raise ValueError(f"{exc.args[0]}: field given twice") from None
    except _BadConstant as exc:
        raise ValueError(f"not valid JSON: {exc.args[0]} is not a JSON number") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc.msg} (column {exc.pos + 1})") from None
    except RecursionError:
        raise ValueError("not valid JSON: nested too deeply") from None


def parse_json_object(text: str) -> dict[str, Any]:
    """One strict JSON object from `text`; ValueError otherwise."""
    value = parse_json_strict(text)
    if not isinstance(value, dict):
        raise ValueError(f"expected a JSON object (got {type(value).__name__})")
    return value


@dataclass(frozen=True, slots=True)
class JsonLine:
    """One parsed line (`value`, a JSON object) or why it could not be parsed (`error`)."""

    source: str
    line: int
    value: dict[str, Any] | None = None
    error: str | None = None


@dataclass(slots=True)
class ReadStats:
    """What one read saw."""

    lines: int = 0
    blank: int = 0
    errors: int = 0
    truncated: bool = False


class JsonLinesReader:
    """Yields each non-blank line of a byte stream as a JSON object or an error, never raising on content."""

    def __init__(
        self, source: str, *, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES, max_lines: int = DEFAULT_MAX_LINES
    ) -> None:
        if max_line_bytes < 1 or max_lines < 1:
            raise ValueError(f"limits must be >= 1 (got {max_line_bytes=}, {max_lines=})")
        self.source = source
        self.max_line_bytes = max_line_bytes
        self.max_lines = max_lines
        self.stats = ReadStats()

    def _error(self, line: int, message: str) -> JsonLine:
        self.stats.errors += 1
        return JsonLine(self.source, line, error=message)

    def read(self, stream: IO[bytes]) -> Iterator[JsonLine]:
        """Every non-blank line of `stream`, parsed, in order."""
        number = 0
        while True:
            raw = stream.readline(self.max_line_bytes + 1)
            if not raw:
                return
            number += 1
            if number > self.max_lines:
                self.stats.truncated = True
                yield self._error(number, f"input has more than {self.max_lines} lines; stopped reading here")
                return
            self.stats.lines += 1
            if len(raw) > self.max_line_bytes and not raw.endswith(b"\n"):
                size = len(raw) + _drain(stream)
                yield self._error(number, f"line too long: {size} bytes (limit {self.max_line_bytes})")
                continue
            if number == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM) :]
            try:
                text = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as exc:
                yield self._error(number, f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at column {exc.start + 1}")
                continue
            if not text.strip():
                self.stats.blank += 1
                continue
            try:
                yield JsonLine(self.source, number, value=parse_json_object(text))
            except ValueError as exc:
                yield self._error(number, str(exc))


def _drain(stream: IO[bytes]) -> int:
    """Skip the rest of an over-long line without keeping it; returns the bytes skipped."""
    skipped = 0
    while True:
        chunk = stream.readline(_DRAIN_CHUNK)
        skipped += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return skipped


def read_json_lines(path: Path, **limits: int) -> Iterator[JsonLine]:
    """Read a JSON Lines file; an unreadable file becomes one error line."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield JsonLine(str(path), 0, error=f"cannot open: {exc.strerror or exc}")
        return
    with handle:
        yield from JsonLinesReader(str(path), **limits).read(handle)
