"""Loader of the `portability` corpus: eligibility queries in JSONL (`ganzhi portability check`).

The same collector as the command: `PortabilityCollector.read` over the first input; every valid line is one
`portability_case` evidence (subject: the case id); malformed lines give no evidence, as the command answers
them with an error line.
"""

from __future__ import annotations

from pathlib import Path

from ganzhi.collect.portability.cases import CaseLine, PortabilityCollector
from ganzhi.evidence.base import Evidence
from ganzhi.usecases.accuracy.corpus import Case

DOMAIN = "portability"


def load(folder: Path, case: Case) -> list[Evidence]:
    """One evidence item per valid query line."""
    path = folder / case.inputs[0]
    collector = PortabilityCollector(source=str(path))
    with path.open("rb") as stream:
        return [item.evidence for item in collector.read(stream) if isinstance(item, CaseLine)]
