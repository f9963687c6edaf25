from __future__ import annotations

import io
from pathlib import Path

import pytest

from ganzhi.collect.jsonl import JsonLinesReader, parse_json_strict, read_json_lines


def _read(data: bytes, **limits: int) -> tuple[list[tuple[int, object, object]], JsonLinesReader]:
    reader = JsonLinesReader("in.jsonl", **limits)
    return [(line.line, line.value, line.error) for line in reader.read(io.BytesIO(data))], reader


def test_good_bad_blank_and_bom() -> None:
    rows, reader = _read(b'\xef\xbb\xbf{"a": 1}\n\n   \n{"a": \n[1]\n{"a": 1, "a": 2}\n{"x": NaN}\n\xff\xfe\n')
    assert rows[0] == (1, {"a": 1}, None)
    errors = {line: error for line, _, error in rows[1:]}
    assert "not valid JSON" in str(errors[4])
    assert "expected a JSON object" in str(errors[5])
    assert "a: field given twice" in str(errors[6])
    assert "NaN is not a JSON number" in str(errors[7])
    assert "not valid UTF-8" in str(errors[8])
    assert reader.stats.blank == 2
    assert reader.stats.errors == 5


def test_long_lines_are_skipped_without_being_held() -> None:
    rows, _ = _read(b'{"a": "' + b"x" * 5000 + b'"}\n{"b": 2}\n', max_line_bytes=100)
    assert rows[0][2] == "line too long: 5010 bytes (limit 100)"
    assert rows[1] == (2, {"b": 2}, None)


def test_line_limit_stops_reading() -> None:
    rows, reader = _read(b'{"a": 1}\n' * 5, max_lines=3)
    assert len(rows) == 4
    assert "more than 3 lines" in str(rows[-1][2])
    assert reader.stats.truncated


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(ValueError, match="nested too deeply"):
        parse_json_strict("[" * 100_000 + "]" * 100_000)


def test_missing_file_is_one_error(tmp_path: Path) -> None:
    (line,) = list(read_json_lines(tmp_path / "absent.jsonl"))
    assert line.error is not None and "cannot open" in line.error
