"""Import evidence envelopes from JSON Lines files (the interchange format of `ganzhi check run`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from ganzhi.collect.jsonl import read_json_lines
from ganzhi.evidence.base import Evidence, EvidenceKindError, kind_model
from ganzhi.evidence.kinds import import_all_kinds


@dataclass(frozen=True, slots=True)
class EvidenceLineError:
    """A line that is not valid evidence, named by file and line number."""

    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


def read_evidence(path: Path) -> Iterator[Evidence | EvidenceLineError]:
    """Each line as `Evidence` (kind known, payload valid) or as an error naming the line and field."""
    import_all_kinds()
    for line in read_json_lines(path):
        if line.error is not None:
            yield EvidenceLineError(line.source, line.line, line.error)
            continue
        try:
            evidence = Evidence.model_validate(line.value)
            evidence.payload(kind_model(evidence.kind))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors()
            )
            yield EvidenceLineError(line.source, line.line, problems)
        except EvidenceKindError as exc:
            yield EvidenceLineError(line.source, line.line, str(exc))
        else:
            yield evidence
