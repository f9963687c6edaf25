"""The answer pipeline: input order kept, errors interleaved, chunking invisible, run errors reported."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from checks.t9.t9_support import BASE_CASE, run_checks
from ganzhi.collect.portability.cases import PortabilityCollector
from ganzhi.engine.runner import ItemError, RunOutcome
from ganzhi.evidence.base import Evidence
from ganzhi.usecases.portability.answer import AnswerStats, answer


def _jsonl(*rows: dict[str, Any] | str) -> bytes:
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows).encode("utf-8") + b"\n"


def _answer(data: bytes, **options: Any) -> tuple[list[dict[str, Any]], AnswerStats, list[int]]:
    out: list[dict[str, Any]] = []
    calls: list[int] = []

    def run_chunk(evidence: list[Evidence]) -> RunOutcome:
        calls.append(len(evidence))
        return run_checks(evidence)

    items = PortabilityCollector(source="t.jsonl").read(io.BytesIO(data))
    stats = answer(items, run_chunk, out.append, **options)
    return out, stats, calls


INPUT = _jsonl(
    {**BASE_CASE, "id": "a"},
    {**BASE_CASE, "id": "b", "status": "lost", "unpaid_billed_fees": 1},
    "{broken",
    {**BASE_CASE, "id": "d", "joined_on": "2024/13/01"},
    {**BASE_CASE, "id": "e", "number": "17012345678"},
)
EXPECTED = [
    {"id": "a", "eligible": True, "reasons": []},
    {"id": "b", "eligible": False, "reasons": ["ABNORMAL_STATUS", "UNPAID_FEES"]},
    {
        "line": 3,
        "id": None,
        "error": "not valid JSON: Expecting property name enclosed in double quotes (column 2)",
    },
    {"line": 4, "id": "d", "error": "joined_on: expected YYYY-MM-DD (got '2024/13/01')"},
    {"id": "e", "eligible": False, "reasons": ["NON_PORTABLE_RANGE"]},
]


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 10_000])
def test_output_keeps_input_order_whatever_the_chunking(chunk_size: int) -> None:
    out, stats, calls = _answer(INPUT, chunk_size=chunk_size)
    assert out == EXPECTED
    assert (stats.answered, stats.malformed, stats.undecided, stats.complete) == (3, 2, 0, False)
    assert sum(calls) == 3
    assert max(calls) <= chunk_size


def test_chunks_of_only_errors_do_not_call_the_runner() -> None:
    out, stats, calls = _answer(_jsonl("x", "y"), chunk_size=1)
    assert len(out) == 2
    assert calls == []
    assert stats.malformed == 2


def test_progress_reports_every_line() -> None:
    seen: list[int] = []
    items = PortabilityCollector(source="t").read(io.BytesIO(INPUT))
    answer(items, run_checks, lambda _line: None, chunk_size=2, on_progress=seen.append)
    assert seen == [2, 2, 1]


def test_run_errors_become_error_lines_naming_the_check() -> None:
    def failing(evidence: list[Evidence]) -> RunOutcome:
        outcome = run_checks(evidence, prefixes=["not digits"])
        assert outcome.errors
        return outcome

    out: list[dict[str, Any]] = []
    items = PortabilityCollector(source="t").read(io.BytesIO(_jsonl({**BASE_CASE, "id": "z"})))
    stats = answer(items, failing, out.append)
    assert stats.undecided == 1
    assert out[0]["line"] == 1
    assert out[0]["id"] == "z"
    assert out[0]["error"].startswith("checks could not decide: t9_port_number_range: ValueError: param")


def test_a_subject_the_runner_skipped_is_undecided() -> None:
    def silent(evidence: list[Evidence]) -> RunOutcome:
        outcome = run_checks(evidence)
        outcome.results.clear()
        outcome.errors.append(ItemError("phone_number:other", None, "unrelated"))
        return outcome

    out: list[dict[str, Any]] = []
    items = PortabilityCollector(source="t").read(io.BytesIO(_jsonl({**BASE_CASE, "id": "q"})))
    answer(items, silent, out.append)
    assert len(out) == 1
    assert (out[0]["line"], out[0]["id"]) == (1, "q")
    expected = "checks could not decide: eligibility undecided: t9_port_real_name: no result"
    assert out[0]["error"].startswith(expected)


def test_chunk_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="chunk_size"):
        answer([], run_checks, print, chunk_size=0)
