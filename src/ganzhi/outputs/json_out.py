"""Native JSON: the source-of-truth format every other output can be rebuilt from.

Document (`results_to_json`), keys sorted at every level, UTF-8 text kept as is::

    {
      "format":  "ganzhi.results",      constant, identifies the document
      "version": 1,                      bumped on any incompatible change
      "meta":    {...},                  caller's run facts (run id, campaign, generated_at, ...)
      "summary": [{"task", "counts"}],   counts per status for each task, tasks in notice order
      "results": [Result, ...],          every result, in the stable output order
      "issues":  [Issue, ...] | null     tracked issues when supplied, ordered by fingerprint
    }

JSON Lines (`write_jsonl`) streams the same models one per line, each with a ``"record"`` key
(``result``, ``issue`` or ``transition``) so large runs never need one document in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO, TypeVar

from pydantic import BaseModel, ValidationError

from ganzhi.errors import InputError
from ganzhi.findings.models import Issue, Result, Transition
from ganzhi.outputs.labels import sorted_results
from ganzhi.outputs.summary import status_counts

M = TypeVar("M", bound=BaseModel)

FORMAT = "ganzhi.results"
VERSION = 1
TOP_LEVEL_KEYS = ("format", "issues", "meta", "results", "summary", "version")

_RECORDS: Mapping[str, type[BaseModel]] = {"result": Result, "issue": Issue, "transition": Transition}
#: Longest JSON line `read_jsonl` accepts (bounded outside input).
MAX_LINE_CHARS = 4_000_000


def _dumps(value: Any, *, indent: int | None) -> str:
    separators = (",", ": ") if indent else (",", ":")
    return json.dumps(value, sort_keys=True, ensure_ascii=False, indent=indent, separators=separators)


def results_document(
    results: Iterable[Result],
    issues: Iterable[Issue] | None = None,
    meta: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The document as plain JSON values (see the module docstring for its keys)."""
    ordered = sorted_results(results)
    return {
        "format": FORMAT,
        "version": VERSION,
        "meta": dict(meta or {}),
        "summary": [{"task": task, "counts": counts} for task, counts in status_counts(ordered).items()],
        "results": [r.model_dump(mode="json") for r in ordered],
        "issues": None
        if issues is None
        else [i.model_dump(mode="json") for i in sorted(issues, key=lambda i: i.fingerprint)],
    }


def results_to_json(
    results: Iterable[Result],
    issues: Iterable[Issue] | None = None,
    meta: Mapping[str, Any] | None = None,
) -> str:
    """The results document as indented JSON with a stable key order."""
    return _dumps(results_document(results, issues, meta), indent=2) + "\n"


@dataclass(frozen=True, slots=True)
class ResultsDocument:
    """A parsed results document."""

    meta: dict[str, Any]
    results: list[Result]
    issues: list[Issue] | None


def load_results_json(text: str, source: str = "<results json>") -> ResultsDocument:
    """Parse a `results_to_json` document; `InputError` names the source and the bad entry."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(source, f"not JSON: line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        got = doc.get("format") if isinstance(doc, dict) else type(doc).__name__
        raise InputError(source, f"expected format {FORMAT!r}, got {got!r}")
    if doc.get("version") != VERSION:
        raise InputError(source, f"expected version {VERSION}, got {doc.get('version')!r}")
    raw_results = doc.get("results") or []
    results = [_parse(Result, item, f"{source}: results[{n}]") for n, item in enumerate(raw_results)]
    raw_issues = doc.get("issues")
    issues = (
        None
        if raw_issues is None
        else [_parse(Issue, item, f"{source}: issues[{n}]") for n, item in enumerate(raw_issues)]
    )
    meta = doc.get("meta") or {}
    if not isinstance(meta, dict):
        raise InputError(source, f"meta must be an object, got {type(meta).__name__}")
    return ResultsDocument(meta=meta, results=results, issues=issues)


def _parse(model: type[M], item: Any, where: str) -> M:
    try:
        return model.model_validate(item)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors()
        )
        raise InputError(where, problems) from None


def _records(
    results: Iterable[Result], issues: Iterable[Issue], transitions: Iterable[Transition]
) -> Iterator[dict[str, Any]]:
    for kind, items in (("result", results), ("issue", issues), ("transition", transitions)):
        for item in items:
            yield {"record": kind, **item.model_dump(mode="json")}


def write_jsonl(
    target: Path | TextIO,
    results: Iterable[Result] = (),
    issues: Iterable[Issue] = (),
    transitions: Iterable[Transition] = (),
) -> int:
    """Write one JSON object per line (results, then issues, then transitions); returns the line count."""
    if isinstance(target, Path):
        with target.open("w", encoding="utf-8", newline="\n") as stream:
            return write_jsonl(stream, results, issues, transitions)
    count = 0
    for record in _records(results, issues, transitions):
        target.write(_dumps(record, indent=None) + "\n")
        count += 1
    return count


@dataclass(slots=True)
class JsonlRead:
    """What `read_jsonl` recovered: the records, and one error per unreadable line."""

    results: list[Result] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)


def read_jsonl(lines: Iterable[str], source: str = "<jsonl>") -> JsonlRead:
    """Read `write_jsonl` output; a bad line becomes an `InputError` naming it and reading goes on."""
    out = JsonlRead()
    for number, line in enumerate(lines, start=1):
        where = f"{source}:{number}"
        if not line.strip():
            continue
        if len(line) > MAX_LINE_CHARS:
            problem = f"line longer than {MAX_LINE_CHARS} characters ({len(line)})"
            out.errors.append(InputError(where, problem))
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            out.errors.append(InputError(where, f"not JSON: column {exc.colno}: {exc.msg}"))
            continue
        kind = obj.pop("record", None) if isinstance(obj, dict) else None
        model = _RECORDS.get(kind) if isinstance(kind, str) else None
        if model is None:
            out.errors.append(InputError(where, f"expected record one of {sorted(_RECORDS)}, got {kind!r}"))
            continue
        try:
            parsed = _parse(model, obj, where)
        except InputError as exc:
            out.errors.append(exc)
            continue
        if isinstance(parsed, Result):
            out.results.append(parsed)
        elif isinstance(parsed, Issue):
            out.issues.append(parsed)
        elif isinstance(parsed, Transition):
            out.transitions.append(parsed)
    return out
