"""One exception hierarchy for ganzhi.

Every message names the input (file, id, row or field), the expected value and the actual value,
so a user can fix the input without reading code::

    GanzhiError
    ├── CatalogError            the 524 catalog (YAML) is malformed or inconsistent
    │   └── OverrideError       a campaign's param override is unknown, mistyped or out of range
    ├── CheckDefinitionError    a check folder (metadata.yaml, check.py, cases/) is broken
    ├── EvidenceError           evidence is malformed or of an unknown kind
    │   └── InputError          an outside input (file, line, row) cannot be read; names it
    ├── StoreError              the database or blob store refused an operation
    └── TransitionError         an issue state transition is not allowed
"""

from __future__ import annotations


class GanzhiError(Exception):
    """Base of every error ganzhi raises on purpose."""


class CatalogError(GanzhiError):
    """The catalog data is malformed or inconsistent."""


class OverrideError(CatalogError):
    """A campaign param override is invalid."""


class CheckDefinitionError(GanzhiError):
    """A check definition (folder, metadata, cases) is broken."""


class EvidenceError(GanzhiError):
    """Evidence is malformed or of an unknown kind."""


class InputError(EvidenceError):
    """An outside input cannot be read; the message names the input and the problem."""

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")


class StoreError(GanzhiError):
    """The database or the blob store refused an operation."""


class TransitionError(GanzhiError):
    """An issue state transition is not allowed by the lifecycle."""
