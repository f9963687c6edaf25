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

A bad row or line of an outside input is not raised: every importer returns it as a `RowProblem`
record and goes on with the other rows (an input that cannot be read at all raises `InputError`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal


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


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One rejected (or doubtful) row of an outside input: file, sheet, row or line, field, and what is wrong.

    The one bad-row record of every importer, so the CLI, reports and the web show them alike. `row` is
    None when the problem concerns the whole file or sheet, `field` None when it concerns the whole row;
    `unit` says whether the input counts rows (tables) or lines (JSON Lines). `record_id` names the
    record when its id was readable; `level` "warning" marks a row kept with a doubt.
    """

    source: str
    row: int | None
    field: str | None
    problem: str
    unit: Literal["row", "line"] = "row"
    sheet: str | None = None
    record_id: str | None = None
    level: Literal["error", "warning"] = "error"

    @property
    def where(self) -> str:
        """`file, sheet S, row N` for a table, `file:N` for a line (as editors and compilers write it)."""
        if self.row is None:
            return f"{self.source}, sheet {self.sheet}" if self.sheet else self.source
        if self.unit == "line":
            return f"{self.source}:{self.row}"
        sheet = f", sheet {self.sheet}" if self.sheet else ""
        return f"{self.source}{sheet}, row {self.row}"

    @property
    def detail(self) -> str:
        """The problem without its place: `field: problem`, or the problem alone."""
        return f"{self.field}: {self.problem}" if self.field else self.problem

    def __str__(self) -> str:
        flag = "warning: " if self.level == "warning" else ""
        field = f", field {self.field}" if self.field else ""
        return f"{flag}{self.where}{field}: {self.problem}"

    def to_json(self) -> dict[str, Any]:
        """`{"source", "row", "field", "error"}`, plus `unit`, `sheet`, `id` and `level` when they say more."""
        record: dict[str, Any] = {"source": self.source, "row": self.row, "field": self.field, "error": self.problem}
        if self.unit != "row":
            record["unit"] = self.unit
        if self.sheet:
            record["sheet"] = self.sheet
        if self.record_id is not None:
            record["id"] = self.record_id
        if self.level != "error":
            record["level"] = self.level
        return record
