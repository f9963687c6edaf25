"""The JSONL collector: every line becomes evidence or an error naming line, id and field; never raises."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checks.t9.t9_support import BASE_CASE
from ganzhi.collect.jsonl import parse_json_object
from ganzhi.collect.portability.cases import CaseLine, PortabilityCollector, error_record
from ganzhi.errors import RowProblem

BASE: dict[str, Any] = BASE_CASE


def line(**changes: Any) -> bytes:
    return json.dumps({**BASE, **changes}, ensure_ascii=False).encode("utf-8")


def read(data: bytes, **limits: Any) -> tuple[list[CaseLine | RowProblem], PortabilityCollector]:
    collector = PortabilityCollector(source="cases.jsonl", **limits)
    return list(collector.read(io.BytesIO(data))), collector


def number(item: CaseLine | RowProblem) -> int | None:
    """The input line of a case or of a bad line."""
    return item.line if isinstance(item, CaseLine) else item.row


def errors(data: bytes, **limits: Any) -> list[dict[str, Any]]:
    items, _ = read(data, **limits)
    return [error_record(item) for item in items if isinstance(item, RowProblem)]


def test_valid_lines_become_evidence_in_order() -> None:
    items, collector = read(line(id="a") + b"\n" + line(id="b", status="lost") + b"\n")
    assert [type(i) for i in items] == [CaseLine, CaseLine]
    first, second = items
    assert isinstance(first, CaseLine)
    assert isinstance(second, CaseLine)
    assert (first.line, first.case.id, second.line, second.case.status) == (1, "a", 2, "lost")
    assert first.evidence.kind == "portability_case"
    assert first.evidence.subject.key == "phone_number:a"
    assert first.evidence.source == "cases.jsonl:1"
    assert (collector.stats.lines, collector.stats.cases, collector.stats.errors) == (2, 2, 0)


def test_last_line_without_newline_and_crlf_endings() -> None:
    items, _ = read(line(id="a") + b"\r\n" + line(id="b"))
    assert [i.case.id for i in items if isinstance(i, CaseLine)] == ["a", "b"]


def test_bad_json() -> None:
    assert errors(b'{"id": "c1", \n') == [
        {
            "line": 1,
            "id": None,
            "error": "not valid JSON: Expecting property name enclosed in double quotes (column 14)",
        }
    ]


def test_missing_field_names_the_line_id_and_field() -> None:
    data = {k: v for k, v in BASE.items() if k != "status"}
    assert errors(line() + b"\n" + json.dumps(data).encode()) == [
        {"line": 2, "id": "c1", "error": "status: missing (expected one of 'normal', 'lost', 'suspended')"}
    ]


def test_wrong_type() -> None:
    assert errors(line(id="c3", real_name_registered="yes")) == [
        {"line": 1, "id": "c3", "error": "real_name_registered: expected true or false (got 'yes')"}
    ]


def test_bad_date_matches_the_documented_example() -> None:
    lines = [line(id=f"c{i}") for i in range(1, 7)] + [line(id="c7", joined_on="2024/13/01")]
    assert errors(b"\n".join(lines)) == [
        {"line": 7, "id": "c7", "error": "joined_on: expected YYYY-MM-DD (got '2024/13/01')"}
    ]


def test_unknown_status() -> None:
    assert errors(line(status="frozen")) == [
        {
            "line": 1,
            "id": "c1",
            "error": "status: expected one of 'normal', 'lost', 'suspended' (got 'frozen')",
        }
    ]


def test_over_long_line_is_skipped_without_stopping_the_rest() -> None:
    huge = line(id="big", status="x" * 5000)
    items, collector = read(huge + b"\n" + line(id="ok") + b"\n", max_line_bytes=1024)
    assert isinstance(items[0], RowProblem)
    assert items[0].row == 1
    assert items[0].problem == f"line too long: {len(huge) + 1} bytes (limit 1024)"
    assert isinstance(items[1], CaseLine)
    assert (items[1].line, items[1].case.id) == (2, "ok")
    assert collector.stats.errors == 1


def test_line_of_exactly_the_limit_is_accepted() -> None:
    raw = line()
    items, _ = read(raw + b"\n", max_line_bytes=len(raw) + 1)
    assert isinstance(items[0], CaseLine)
    items, _ = read(raw + b"\n", max_line_bytes=len(raw) - 1)
    assert isinstance(items[0], RowProblem)


def test_empty_lines_are_skipped_and_counted() -> None:
    items, collector = read(b"\n" + line(id="a") + b"\n   \n\t\n" + line(id="b") + b"\n\n")
    assert [(i.line, i.case.id) for i in items if isinstance(i, CaseLine)] == [(2, "a"), (5, "b")]
    assert len(items) == 2
    assert collector.stats.blank == 4


def test_bom_at_the_start_is_dropped() -> None:
    items, _ = read(b"\xef\xbb\xbf" + line() + b"\n")
    assert isinstance(items[0], CaseLine)


def test_bom_later_in_the_file_is_an_error() -> None:
    found = errors(line(id="a") + b"\n\xef\xbb\xbf" + line(id="b"))
    assert len(found) == 1
    assert found[0]["line"] == 2
    assert found[0]["error"].startswith("not valid JSON")


def test_invalid_utf8() -> None:
    expected = [{"line": 1, "id": None, "error": "not valid UTF-8: byte 0xff at column 9"}]
    assert errors(b'{"id": "\xff"}') == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"[1, 2]", "expected a JSON object (got list)"),
        (b'"c1"', "expected a JSON object (got str)"),
        (b'{"id": "c1", "id": "c2"}', "id: field given twice"),
        (b'{"unpaid_billed_fees": NaN}', "not valid JSON: NaN is not a JSON number"),
        (b"[" * 40000 + b"]" * 40000, "not valid JSON: nested too deeply"),
    ],
)
def test_non_case_json(raw: bytes, message: str) -> None:
    found = errors(raw, max_line_bytes=100_000)
    assert len(found) == 1
    assert found[0]["error"] == message


def test_error_names_the_id_only_when_readable() -> None:
    assert errors(line(id=5))[0]["id"] is None
    assert errors(line(id="c9", status=None))[0]["id"] == "c9"


def test_duplicate_ids_are_errors_on_the_later_line() -> None:
    assert errors(line(id="a") + b"\n" + line(id="b") + b"\n" + line(id="a")) == [
        {"line": 3, "id": "a", "error": "id: expected a unique id (got 'a', already on line 1)"}
    ]


def test_max_lines_stops_with_one_error() -> None:
    data = b"\n".join(line(id=f"c{i}") for i in range(10))
    items, collector = read(data, max_lines=3)
    assert [number(i) for i in items] == [1, 2, 3, 4]
    assert isinstance(items[-1], RowProblem)
    assert items[-1].problem == "input has more than 3 lines; stopped reading here"
    assert collector.stats.truncated


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_lines"):
        PortabilityCollector(source="x", max_lines=0)


def test_parse_json_object_rejects_infinity() -> None:
    with pytest.raises(ValueError, match="Infinity"):
        parse_json_object('{"a": -Infinity}')


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=300), max_size=8))
def test_arbitrary_bytes_never_raise_and_every_line_is_accounted_for(chunks: list[bytes]) -> None:
    data = b"\n".join(chunk.replace(b"\n", b" ") for chunk in chunks)
    items, collector = read(data, max_line_bytes=256)
    stats = collector.stats
    assert stats.cases + stats.errors + stats.blank == stats.lines
    assert len(items) == stats.cases + stats.errors
    assert all((number(item) or 0) >= 1 for item in items)
