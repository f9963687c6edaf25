"""Import evidence envelopes from JSON Lines files (the interchange format of `ganzhi check run`).

A line that is not valid evidence becomes a `RowProblem` (`ganzhi.errors`) naming the file, the line and
the fields at fault; the other lines are still read.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from ganzhi.collect.jsonl import read_json_lines
from ganzhi.errors import RowProblem
from ganzhi.evidence.base import Evidence, EvidenceKindError, kind_model
from ganzhi.evidence.kinds import import_all_kinds


def _line_problem(source: str, line: int, problem: str) -> RowProblem:
    return RowProblem(source, line, None, problem, unit="line")


def read_evidence(path: Path) -> Iterator[Evidence | RowProblem]:
    """Each line as `Evidence` (kind known, payload valid) or as a problem naming the line and field."""
    import_all_kinds()
    for line in read_json_lines(path):
        if line.error is not None:
            yield _line_problem(line.source, line.line, line.error)
            continue
        try:
            evidence = Evidence.model_validate(line.value)
            evidence.payload(kind_model(evidence.kind))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors()
            )
            yield _line_problem(line.source, line.line, problems)
        except EvidenceKindError as exc:
            yield _line_problem(line.source, line.line, str(exc))
        else:
            yield evidence
