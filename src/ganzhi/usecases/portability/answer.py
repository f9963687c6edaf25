"""Answer a stream of eligibility queries: collect → run the T9 checks in chunks → write one line per query.

Output lines keep input order: a verdict `{"id", "eligible", "reasons"}` for a valid line, an error
`{"line", "id", "error"}` for a malformed one or one the checks could not decide. Only one chunk of
evidence and results is held at a time, so memory stays flat however long the input is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ganzhi.collect.portability.cases import CaseLine, error_record
from ganzhi.errors import RowProblem
from ganzhi.evidence.base import Evidence
from ganzhi.findings.models import Result
from ganzhi.usecases.portability.verdict import VerdictError, verdict_for

DEFAULT_CHUNK_SIZE = 10_000


class RunErrorLike(Protocol):
    """The part of the runner's `ItemError` this module reads."""

    @property
    def subject_key(self) -> str: ...

    @property
    def check_id(self) -> str | None: ...

    @property
    def message(self) -> str: ...


class RunLike(Protocol):
    """The part of the runner's `RunOutcome` this module reads."""

    @property
    def results(self) -> Sequence[Result]: ...

    @property
    def errors(self) -> Sequence[RunErrorLike]: ...


#: Runs the T9 checks over one chunk of evidence (the engine runner with its options bound).
RunChunk = Callable[[list[Evidence]], RunLike]


@dataclass(slots=True)
class AnswerStats:
    """Lines answered with a verdict, lines malformed, lines the checks could not decide."""

    answered: int = 0
    malformed: int = 0
    undecided: int = 0

    @property
    def complete(self) -> bool:
        """True when every line got a verdict."""
        return self.malformed == 0 and self.undecided == 0


def _answer_chunk(
    chunk: list[CaseLine | RowProblem],
    run_chunk: RunChunk,
    write: Callable[[dict[str, Any]], None],
    stats: AnswerStats,
) -> None:
    cases = [item for item in chunk if isinstance(item, CaseLine)]
    by_id: dict[str, list[Result]] = {item.case.id: [] for item in cases}
    run_errors: dict[str, list[str]] = {}
    if cases:
        outcome = run_chunk([item.evidence for item in cases])
        for result in outcome.results:
            bucket = by_id.get(result.subject.id)
            if bucket is not None:
                bucket.append(result)
        for error in outcome.errors:
            where = f"{error.check_id}: " if error.check_id else ""
            run_errors.setdefault(error.subject_key, []).append(where + error.message)
    for item in chunk:
        if isinstance(item, RowProblem):
            stats.malformed += 1
            write(error_record(item))
            continue
        try:
            verdict = verdict_for(item.case.id, by_id[item.case.id])
        except VerdictError as exc:
            stats.undecided += 1
            detail = "; ".join(run_errors.get(item.case.subject.key, [])) or str(exc)
            write({"line": item.line, "id": item.case.id, "error": f"checks could not decide: {detail}"})
            continue
        stats.answered += 1
        write(verdict.to_json())


def answer(
    items: Iterable[CaseLine | RowProblem],
    run_chunk: RunChunk,
    write: Callable[[dict[str, Any]], None],
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    on_progress: Callable[[int], None] | None = None,
) -> AnswerStats:
    """Answer every item in input order; `on_progress(n)` is called after each chunk of n lines."""
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be >= 1 (got {chunk_size})")
    stats = AnswerStats()
    chunk: list[CaseLine | RowProblem] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= chunk_size:
            _answer_chunk(chunk, run_chunk, write, stats)
            if on_progress is not None:
                on_progress(len(chunk))
            chunk = []
    if chunk:
        _answer_chunk(chunk, run_chunk, write, stats)
        if on_progress is not None:
            on_progress(len(chunk))
    return stats
