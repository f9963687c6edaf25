"""Checks: one folder per check under `checks/<task>/<check_id>/` with `check.py`,
`metadata.yaml` and `cases/*.pass.json|*.fail.json`.

`check.py` defines one pure function::

    def evaluate(evidence: EvidenceSet, params: Params) -> list[Outcome]: ...

No I/O, no globals: the same evidence and params always give the same outcomes.
"""

from __future__ import annotations

from ganzhi.checks.metadata import CheckMetadata
from ganzhi.checks.outcome import Outcome
from ganzhi.evidence.status import Severity, Status

__all__ = ["CheckMetadata", "Outcome", "Severity", "Status"]
