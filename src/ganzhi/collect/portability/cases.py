"""Read 携号转网 eligibility queries from JSONL into `portability_case` evidence, one line at a time.

Bad input never raises: every line becomes either a `CaseLine` (valid evidence) or a `RowProblem`
(`ganzhi.errors`) naming the line number, the case id when it can be read, and the field at fault.
Reading is bounded: a line longer than `max_line_bytes` is skipped without being held in memory, and
reading stops with one error after `max_lines` lines. Decisions on odd input (documented because tests pin them):

- a UTF-8 byte-order mark at the very start of the file is dropped (editors on Windows add it);
  one anywhere else is not valid JSON and is reported;
- blank (whitespace-only) lines carry no query and are skipped, counted in `stats.blank`;
- `NaN`/`Infinity` and duplicate keys are rejected, since JSON has neither;
- a repeated case id is an error on the later line (answers are keyed by id);
- `operator_answer` (the operator's reply as written, e.g. the CXXZ SMS) is read by
  `answers.read_answer` into `operator_decision` (eligible, reason codes, unmapped reason clauses);
  giving both is an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from pydantic import ValidationError

from ganzhi.collect.jsonl import JsonLine, JsonLinesReader
from ganzhi.collect.portability.answers import MAX_ANSWER_CHARS, read_answer
from ganzhi.errors import RowProblem
from ganzhi.evidence.base import Evidence
from ganzhi.evidence.portability import FIELD_EXPECTATIONS, MAX_ID_LENGTH, PortabilityCase, describe_errors

MAX_LINE_BYTES = 64 * 1024
DEFAULT_MAX_LINES = 1_000_000


@dataclass(frozen=True, slots=True)
class CaseLine:
    """A valid line: its number, the parsed case and the evidence wrapping it."""

    line: int
    case: PortabilityCase
    evidence: Evidence


def error_record(problem: RowProblem) -> dict[str, Any]:
    """The error line of the answers output for a bad input line: `{"line", "id", "error"}`."""
    return {"line": problem.row, "id": problem.record_id, "error": problem.detail}


@dataclass(slots=True)
class CollectStats:
    """What one read saw: lines read, valid cases, errors, blank lines, and whether it stopped early."""

    lines: int = 0
    cases: int = 0
    errors: int = 0
    blank: int = 0
    truncated: bool = False


def _readable_id(obj: dict[str, Any]) -> str | None:
    """The case id, when it is a usable string, so that errors can name the case."""
    value = obj.get("id")
    if isinstance(value, str) and value.strip() and len(value) <= MAX_ID_LENGTH and value.isprintable():
        return value
    return None


class PortabilityCollector:
    """Turns a JSONL byte stream into `CaseLine`s and `RowProblem`s, in input order."""

    def __init__(
        self,
        *,
        source: str,
        max_line_bytes: int = MAX_LINE_BYTES,
        max_lines: int = DEFAULT_MAX_LINES,
        collected_at: dt.datetime | None = None,
    ) -> None:
        if max_line_bytes < 1 or max_lines < 1:
            raise ValueError(f"limits must be >= 1 (got {max_line_bytes=}, {max_lines=})")
        self.source = source
        self.max_line_bytes = max_line_bytes
        self.max_lines = max_lines
        self.collected_at = collected_at or dt.datetime.now(dt.UTC)
        self.stats = CollectStats()
        self._seen: dict[str, int] = {}

    def read(self, stream: IO[bytes]) -> Iterator[CaseLine | RowProblem]:
        """Every non-blank line of `stream` as a case or an error; never raises on bad content."""
        reader = JsonLinesReader(self.source, max_line_bytes=self.max_line_bytes, max_lines=self.max_lines)
        try:
            for line in reader.read(stream):
                yield self._case(line)
        finally:
            self.stats.lines = reader.stats.lines
            self.stats.blank = reader.stats.blank
            self.stats.truncated = reader.stats.truncated

    def _error(self, line: int, case_id: str | None, message: str, field: str | None = None) -> RowProblem:
        self.stats.errors += 1
        return RowProblem(self.source, line, field, message, unit="line", record_id=case_id)

    def _case(self, line: JsonLine) -> CaseLine | RowProblem:
        number = line.line
        if line.value is None:
            return self._error(number, None, line.error or "unreadable line")
        obj = line.value
        case_id = _readable_id(obj)
        if "operator_answer" in obj:
            answer = obj["operator_answer"]
            if "operator_decision" in obj:
                message = "expected operator_decision or operator_answer, not both"
                return self._error(number, case_id, message, field="operator_answer")
            if not isinstance(answer, str) or not answer.strip():
                message = f"expected {FIELD_EXPECTATIONS['operator_answer']} (got {answer!r:.80})"
                return self._error(number, case_id, message, field="operator_answer")
            read = read_answer(answer)
            obj = {k: v for k, v in obj.items() if k != "operator_answer"}
            obj["operator_decision"] = {
                "eligible": read.eligible,
                "reasons": [code.value for code in read.reasons],
                "text": answer[:MAX_ANSWER_CHARS],
                "unread": read.unread[:50],
            }
        try:
            case = PortabilityCase.model_validate(obj)
        except ValidationError as exc:
            return self._error(number, case_id, describe_errors(exc))
        first = self._seen.get(case.id)
        if first is not None:
            message = f"expected a unique id (got {case.id!r}, already on line {first})"
            return self._error(number, case.id, message, field="id")
        self._seen[case.id] = number
        source = f"{self.source}:{number}"
        evidence = Evidence.of(case, case.subject, source=source, collected_at=self.collected_at)
        self.stats.cases += 1
        return CaseLine(line=number, case=case, evidence=evidence)
