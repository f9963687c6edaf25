"""Repositories: plain functions that map pydantic models to rows and back.

Every function takes an open `Session` and leaves committing to the caller (`session_scope`), so
one unit of work can save evidence, results and issues together. Saves are idempotent: evidence by
content id, results by (run, fingerprint), issues by fingerprint.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from ganzhi.errors import StoreError
from ganzhi.evidence.base import ArtefactRef, Evidence, Subject
from ganzhi.evidence.status import Status
from ganzhi.findings.models import Issue, IssueState, Result, Transition
from ganzhi.store._upsert import chunked, insert_ignoring_conflicts
from ganzhi.store.supervision_tables import EnterpriseSubjectRow
from ganzhi.store.tables import Base, EvidenceRow, IssueRow, IssueTransitionRow, ResultRow, RunRow

M = TypeVar("M", bound=BaseModel)
R = TypeVar("R", bound=Base)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _parse(model: type[M], value: Any, where: str) -> M:
    """Validate a stored payload; a row that no longer fits its model is a StoreError naming the row."""
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors()
        )
        raise StoreError(f"{where}: stored data does not match {model.__name__}: {problems}") from None


# --- visibility filters ----------------------------------------------------------------------

#: Subject keys per IN (...) of a visibility filter: one statement (one table scan) for a few thousand
#: keys, still far below SQLite's 32766 and PostgreSQL's 65535 bound parameters.
VISIBLE_CHUNK = 5000


@dataclass(frozen=True, slots=True)
class SubjectFilter:
    """The subjects a scoped reader may see, so lists are filtered (and limited) in SQL.

    A row passes when its unversioned subject key is in `keys`, or when no enterprise operates that key
    and its subject names (`Subject.enterprise`) one of `named`: the rule of `Ownership.operator_of`,
    where the regulator's links win over the name the evidence gives.
    """

    keys: frozenset[str] = frozenset()
    named: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        """Nothing can pass: callers answer without querying."""
        return not self.keys and not self.named


def _dialect(session: Session) -> str:
    name = session.get_bind().dialect.name
    if name not in ("sqlite", "postgresql"):
        raise StoreError(f"visibility filter: expected a sqlite or postgresql database, got {name!r}")
    return name


def _unversioned(session: Session, key: InstrumentedAttribute[str]) -> ColumnElement[str]:
    """SQL for `ownership.unversioned`: the key up to its first '@' (the whole key without one)."""
    if _dialect(session) == "postgresql":
        return func.split_part(key, "@", 1)
    at = func.instr(key, "@")
    return case((at > 0, func.substr(key, 1, at - 1)), else_=key)


def _bytewise(session: Session, column: InstrumentedAttribute[str]) -> ColumnElement[str]:
    """Order strings by code point as Python does (PostgreSQL's default collation may not)."""
    return column.collate("C") if _dialect(session) == "postgresql" else column.expression


def _visible_clauses(
    session: Session,
    key: InstrumentedAttribute[str],
    payload: InstrumentedAttribute[dict[str, Any]],
    visible: SubjectFilter,
) -> list[ColumnElement[bool]]:
    """One WHERE clause per statement: the keys in chunks, the named rule joined to the first one."""
    base = _unversioned(session, key)
    clauses: list[ColumnElement[bool]] = [base.in_(part) for part in chunked(sorted(visible.keys), VISIBLE_CHUNK)]
    if visible.named:
        named = payload[("subject", "enterprise")].as_string().in_(sorted(visible.named))
        operated = select(EnterpriseSubjectRow.subject_key).where(EnterpriseSubjectRow.role != "distributes")
        unlinked_named = and_(base.not_in(operated), named)  # link test first: most rows skip the JSON
        clauses = [or_(clauses[0], unlinked_named), *clauses[1:]] if clauses else [unlinked_named]
    return clauses


def _first_rows(
    session: Session,
    queries: Sequence[Select[R]],
    *,
    identity: Callable[[R], Hashable],
    order: Callable[[R], Any],
    limit: int | None,
    reverse: bool = False,
) -> list[R]:
    """The first `limit` rows of several (each already ordered) statements, merged in `order`, once each."""
    rows: dict[Hashable, R] = {}
    for query in queries:
        for row in session.scalars(query if limit is None else query.limit(limit)):
            rows.setdefault(identity(row), row)
    merged = sorted(rows.values(), key=order, reverse=reverse)
    return merged if limit is None else merged[:limit]


# --- evidence ---------------------------------------------------------------------------------


def save_evidence(session: Session, items: Iterable[Evidence]) -> int:
    """Store evidence once per content id; returns how many items were new."""
    rows: dict[str, dict[str, Any]] = {}
    for item in items:
        rows.setdefault(
            item.id,
            {
                "id": item.id,
                "kind": item.kind,
                "subject_key": item.subject.key,
                "subject": item.subject.model_dump(mode="json"),
                "source": item.source,
                "collected_at": item.collected_at,
                "data": item.data,
                "artefacts": [ref.model_dump(mode="json") for ref in item.artefacts],
            },
        )
    return insert_ignoring_conflicts(session, EvidenceRow, list(rows.values()), ["id"])


def _evidence_from_row(row: EvidenceRow) -> Evidence:
    where = f"evidence row {row.id}"
    return Evidence(
        kind=row.kind,
        subject=_parse(Subject, row.subject, where),
        source=row.source,
        collected_at=row.collected_at,
        data=row.data,
        artefacts=[_parse(ArtefactRef, ref, where) for ref in row.artefacts],
    )


def load_evidence(
    session: Session, *, kinds: Iterable[str] | None = None, subject_keys: Iterable[str] | None = None
) -> list[Evidence]:
    """Evidence filtered by kind and subject key (None = any), ordered by subject, kind, time."""
    base = select(EvidenceRow)
    if kinds is not None:
        base = base.where(EvidenceRow.kind.in_(sorted(set(kinds))))
    queries: list[Select[EvidenceRow]] = [base]
    if subject_keys is not None:
        keys = sorted(set(subject_keys))
        queries = [base.where(EvidenceRow.subject_key.in_(part)) for part in chunked(keys)]
    rows = [row for query in queries for row in session.scalars(query)]
    rows.sort(key=lambda r: (r.subject_key, r.kind, r.collected_at, r.id))
    return [_evidence_from_row(row) for row in rows]


# --- runs ------------------------------------------------------------------------------------


class RunStatus(StrEnum):
    """Lifecycle of a run."""

    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    CANCELLED = "cancelled"


class RunRecord(BaseModel):
    """A stored run, as the engine and reports read it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    status: RunStatus
    selection: dict[str, Any] = Field(default_factory=dict)
    overrides: dict[str, Any] = Field(default_factory=dict)
    stats: dict[str, Any] = Field(default_factory=dict)
    note: str | None = None


def _run_from_row(row: RunRow) -> RunRecord:
    return RunRecord(
        id=row.id,
        started_at=row.started_at,
        finished_at=row.finished_at,
        status=RunStatus(row.status),
        selection=row.selection,
        overrides=row.overrides,
        stats=row.stats,
        note=row.note,
    )


def new_run_id(now: dt.datetime | None = None) -> str:
    """A sortable, unique run id: `run-YYYYmmddTHHMMSSZ-<8 hex>`."""
    stamp = (now or _utcnow()).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"run-{stamp}-{secrets.token_hex(4)}"


def create_run(
    session: Session,
    *,
    run_id: str | None = None,
    selection: dict[str, Any] | None = None,
    overrides: dict[str, Any] | None = None,
    note: str | None = None,
    started_at: dt.datetime | None = None,
) -> RunRecord:
    """Record the start of a run; an explicit `run_id` that already exists is a StoreError."""
    started = started_at or _utcnow()
    run_id = run_id or new_run_id(started)
    if session.get(RunRow, run_id) is not None:
        raise StoreError(f"run {run_id!r} already exists; expected a new run id")
    row = RunRow(
        id=run_id,
        started_at=started,
        finished_at=None,
        status=RunStatus.RUNNING.value,
        selection=selection or {},
        overrides=overrides or {},
        stats={},
        note=note,
    )
    session.add(row)
    session.flush()
    return _run_from_row(row)


def get_run(session: Session, run_id: str) -> RunRecord | None:
    """The run with this id, or None."""
    row = session.get(RunRow, run_id)
    return None if row is None else _run_from_row(row)


def finish_run(
    session: Session,
    run_id: str,
    *,
    status: RunStatus = RunStatus.FINISHED,
    stats: dict[str, Any] | None = None,
    finished_at: dt.datetime | None = None,
) -> RunRecord:
    """Record the end of a run with its statistics."""
    row = session.get(RunRow, run_id)
    if row is None:
        raise StoreError(f"finish_run: run {run_id!r} does not exist")
    row.status = RunStatus(status).value
    row.finished_at = finished_at or _utcnow()
    if stats is not None:
        row.stats = stats
    session.flush()
    return _run_from_row(row)


def list_runs(session: Session, *, limit: int | None = None, visible: SubjectFilter | None = None) -> list[RunRecord]:
    """Runs, newest first; with `visible`, only runs with a result about a visible subject."""
    query = select(RunRow).order_by(RunRow.started_at.desc(), _bytewise(session, RunRow.id).desc())
    queries = [query]
    if visible is not None:
        seen = _visible_clauses(session, ResultRow.subject_key, ResultRow.payload, visible)
        queries = [query.where(exists().where(ResultRow.run_id == RunRow.id, clause)) for clause in seen]
    rows = _first_rows(
        session, queries, identity=lambda r: r.id, order=lambda r: (r.started_at, r.id), limit=limit, reverse=True
    )
    return [_run_from_row(row) for row in rows]


# --- results ---------------------------------------------------------------------------------


def save_results(session: Session, results: Iterable[Result]) -> int:
    """Store results; one already saved for the same (run, fingerprint) is kept. Returns rows added."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for result in results:
        rows.setdefault(
            (result.run_id, result.fingerprint),
            {
                "run_id": result.run_id,
                "check_id": result.check_id,
                "task": result.task,
                "fingerprint": result.fingerprint,
                "subject_key": result.subject.key,
                "status": result.status.value,
                "severity": result.severity.value,
                "payload": result.model_dump(mode="json"),
            },
        )
    missing = sorted({run_id for run_id, _ in rows} - _existing_runs(session, {r for r, _ in rows}))
    if missing:
        raise StoreError(f"save_results: unknown run ids {missing}; create_run must come first")
    return insert_ignoring_conflicts(session, ResultRow, list(rows.values()), ["run_id", "fingerprint"])


def _existing_runs(session: Session, run_ids: set[str]) -> set[str]:
    found: set[str] = set()
    for part in chunked(sorted(run_ids)):
        found.update(session.scalars(select(RunRow.id).where(RunRow.id.in_(part))))
    return found


def results_for_run(
    session: Session,
    run_id: str,
    *,
    statuses: Iterable[Status] | None = None,
    visible: SubjectFilter | None = None,
    limit: int | None = None,
) -> list[Result]:
    """The results of one run in the order they were saved, optionally only some statuses or subjects."""
    query = select(ResultRow).where(ResultRow.run_id == run_id).order_by(ResultRow.id)
    if statuses is not None:
        query = query.where(ResultRow.status.in_(sorted(Status(s).value for s in statuses)))
    queries = [query]
    if visible is not None:
        queries = [query.where(c) for c in _visible_clauses(session, ResultRow.subject_key, ResultRow.payload, visible)]
    rows = _first_rows(session, queries, identity=lambda r: r.id, order=lambda r: r.id, limit=limit)
    return [_parse(Result, row.payload, f"results row {row.id}") for row in rows]


# --- issues ----------------------------------------------------------------------------------


class Upserted(NamedTuple):
    """How many rows an upsert inserted and how many it updated."""

    inserted: int
    updated: int


def _issue_columns(issue: Issue) -> dict[str, Any]:
    return {
        "check_id": issue.check_id,
        "task": issue.task,
        "subject_key": issue.subject.key,
        "state": issue.state.value,
        "severity": issue.severity.value,
        "deadline": issue.deadline,
        "waiver_expires": issue.waiver_expires,
        "opened_at": issue.opened_at,
        "updated_at": issue.updated_at,
        "payload": issue.model_dump(mode="json"),
    }


def upsert_issues(session: Session, issues: Iterable[Issue]) -> Upserted:
    """Insert new issues and overwrite stored ones with the same fingerprint (last one given wins)."""
    latest = {issue.fingerprint: issue for issue in issues}
    inserted = updated = 0
    for part in chunked(sorted(latest)):
        stored = {
            row.fingerprint: row for row in session.scalars(select(IssueRow).where(IssueRow.fingerprint.in_(part)))
        }
        for fingerprint in part:
            columns = _issue_columns(latest[fingerprint])
            row = stored.get(fingerprint)
            if row is None:
                session.add(IssueRow(fingerprint=fingerprint, **columns))
                inserted += 1
            else:
                for name, value in columns.items():
                    setattr(row, name, value)
                updated += 1
    session.flush()
    return Upserted(inserted=inserted, updated=updated)


def get_issues(
    session: Session,
    *,
    fingerprints: Iterable[str] | None = None,
    states: Iterable[IssueState] | None = None,
    task: str | None = None,
    subject_key: str | None = None,
    subject_keys: Iterable[str] | None = None,
    visible: SubjectFilter | None = None,
    limit: int | None = None,
) -> list[Issue]:
    """Issues matching every given filter (None = any), oldest first, at most `limit`.

    `fingerprints`, `subject_keys` and `visible` may be large: they are queried in chunks, each
    ordered and limited in SQL, and the chunks' first rows merged.
    """
    base = select(IssueRow).order_by(IssueRow.opened_at, _bytewise(session, IssueRow.fingerprint))
    if states is not None:
        base = base.where(IssueRow.state.in_(sorted(IssueState(s).value for s in states)))
    if task is not None:
        base = base.where(IssueRow.task == task)
    if subject_key is not None:
        base = base.where(IssueRow.subject_key == subject_key)
    queries: list[Select[IssueRow]] = [base]
    if fingerprints is not None:
        queries = [base.where(IssueRow.fingerprint.in_(part)) for part in chunked(sorted(set(fingerprints)))]
    if subject_keys is not None:
        queries = [
            query.where(IssueRow.subject_key.in_(part))
            for query in queries
            for part in chunked(sorted(set(subject_keys)))
        ]
    if visible is not None:
        seen = _visible_clauses(session, IssueRow.subject_key, IssueRow.payload, visible)
        queries = [query.where(clause) for query in queries for clause in seen]
    rows = _first_rows(
        session, queries, identity=lambda r: r.fingerprint, order=lambda r: (r.opened_at, r.fingerprint), limit=limit
    )
    return [_parse(Issue, row.payload, f"issues row {row.fingerprint}") for row in rows]


def add_transitions(session: Session, transitions: Iterable[Transition]) -> int:
    """Append audited transitions; each must name a stored issue. Returns how many were added."""
    items: Sequence[Transition] = list(transitions)
    wanted = {t.fingerprint for t in items}
    known: set[str] = set()
    for part in chunked(sorted(wanted)):
        known.update(session.scalars(select(IssueRow.fingerprint).where(IssueRow.fingerprint.in_(part))))
    unknown = sorted(wanted - known)
    if unknown:
        raise StoreError(f"add_transitions: no stored issue with fingerprint {unknown}; upsert_issues first")
    session.add_all(
        IssueTransitionRow(
            fingerprint=t.fingerprint,
            from_state=None if t.from_state is None else t.from_state.value,
            to_state=t.to_state.value,
            actor=t.actor,
            at=t.at,
            reason=t.reason,
            run_id=t.run_id,
        )
        for t in items
    )
    session.flush()
    return len(items)


def transition_from_row(row: IssueTransitionRow) -> Transition:
    """The audit record a stored transition row holds."""
    return Transition(
        fingerprint=row.fingerprint,
        from_state=None if row.from_state is None else IssueState(row.from_state),
        to_state=IssueState(row.to_state),
        actor=row.actor,
        at=row.at,
        reason=row.reason,
        run_id=row.run_id,
    )


def transitions_for(session: Session, fingerprint: str) -> list[Transition]:
    """The audit trail of one issue, in the order it happened."""
    query = (
        select(IssueTransitionRow)
        .where(IssueTransitionRow.fingerprint == fingerprint)
        .order_by(IssueTransitionRow.at, IssueTransitionRow.id)
    )
    return [transition_from_row(row) for row in session.scalars(query)]
