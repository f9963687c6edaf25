"""One inspection: evaluate evidence, store the run, and move tracked issues through the recheck.

This is the spine every domain shares: evidence is stored once (content-addressed), results belong to
the run, and issues are opened, kept, fixed or reopened by fingerprint with audited transitions.

With a `job_key` the inspection is resumable: a job ledger row per item records what is done, results
(and evidence) are saved in batches in the same transaction as their ledger rows, and re-running the same
key evaluates only what is left — a crashed 100,000-app scan picks up where it stopped, and nothing is
stored twice. `inspect` takes evidence already collected (items are subjects); `inspect_items` runs the
caller's collector per item (an APK file, say) on the executor, so collection is resumed too. Both go
through the same journal, so there is one resume implementation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from ganzhi.catalog.params import Overrides
from ganzhi.engine.executors import Executor, SerialExecutor
from ganzhi.engine.registry import Registry, default_registry
from ganzhi.engine.runner import ItemError, SubjectOutput, count_statuses, evaluate, new_run_id
from ganzhi.evidence.base import Evidence, canonical_json
from ganzhi.findings.models import Issue, Result
from ganzhi.findings.recheck import RecheckDiff, RecheckOutcome, apply
from ganzhi.store import repositories as repo
from ganzhi.store.db import session_scope
from ganzhi.store.ledger import JobLedger
from ganzhi.workdays.rectification import deadline_from

#: Items whose results are committed (with their ledger rows) in one transaction (configurable default).
FLUSH_EVERY = 256

W = TypeVar("W")


@dataclass(slots=True)
class Inspection:
    """What an inspection did: the run's results and how the tracked issues moved."""

    run_id: str
    results: list[Result]
    errors: list[ItemError]
    subjects: int
    diff: RecheckDiff
    issues: list[Issue]
    resumed_skipped: int = 0


class Collected(Protocol):
    """What a collector gave for one item of `inspect_items`: evidence and results, or why it failed."""

    @property
    def item_key(self) -> str: ...

    @property
    def evidence(self) -> Sequence[Evidence]: ...

    @property
    def results(self) -> Sequence[Result]: ...

    @property
    def error(self) -> str | None: ...


C = TypeVar("C", bound=Collected)


def deadline_rule(registry: Registry) -> Callable[[Result], dt.date]:
    """Every issue opened now gets the catalog's rectification deadline, counted from today."""
    deadline = deadline_from(registry.catalog, dt.datetime.now(dt.UTC).date())
    return lambda _result: deadline


def job_key_for(
    evidence: Sequence[Evidence], selection: Mapping[str, Sequence[str] | None], overrides: Overrides | None
) -> str:
    """A key naming this exact inspection (same evidence, selection and overrides → same key)."""
    body = canonical_json(
        {
            "evidence": sorted(item.id for item in evidence),
            "selection": {name: sorted(values or []) for name, values in sorted(selection.items())},
            "overrides": overrides or {},
        }
    )
    return "inspection:" + hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]


def generation_key(sessions: sessionmaker[Session], key: str, *, fresh: bool) -> str:
    """`key#n`: the latest generation of a job (to resume it) or the next one (to start the same inputs over).

    Why: a command that scans the same inputs again from scratch needs a new run, yet `--resume` must find
    the run it interrupted; numbering the ledger jobs gives both without touching finished ones.
    """
    ledger = JobLedger(sessions)
    latest = 0
    while ledger.find_job(f"{key}#{latest + 1}") is not None:
        latest += 1
    return f"{key}#{latest + 1 if fresh or latest == 0 else latest}"


@dataclass(slots=True)
class _Journal:
    """The run and, when resumable, its ledger job: what is left to do, and batched commits.

    A batch stores the items' evidence, their results and their ledger rows in one transaction, so an item
    is either done with everything stored or left pending.
    """

    sessions: sessionmaker[Session]
    run_id: str
    flush_every: int
    ledger: JobLedger | None = None
    job_id: str | None = None
    buffer: list[tuple[str, Sequence[Evidence], Sequence[Result]]] = field(default_factory=list)

    @classmethod
    def open(
        cls,
        sessions: sessionmaker[Session],
        *,
        job: tuple[str, str, Sequence[str]] | None,
        run_id: str | None,
        flush_every: int,
    ) -> _Journal:
        """Open the ledger job `(kind, key, item keys)` (its run id follows from it) or a plain run."""
        if job is None:
            return cls(sessions, run_id or new_run_id(), flush_every)
        kind, key, item_keys = job
        ledger = JobLedger(sessions)
        job_id = ledger.open_job(kind, key, sorted(set(item_keys)))
        return cls(sessions, f"job-{job_id[:24]}", flush_every, ledger, job_id)

    @property
    def resumable(self) -> bool:
        return self.ledger is not None

    def pending(self, item_keys: Sequence[str]) -> set[str]:
        """The item keys still to run (all of them for a plain run)."""
        if self.ledger is None or self.job_id is None:
            return set(item_keys)
        return set(self.ledger.pending(self.job_id))

    def create_run(
        self,
        evidence: Sequence[Evidence],
        selection: Mapping[str, object],
        overrides: Overrides | None,
        note: str | None,
    ) -> None:
        """Store `evidence` and the run row (kept as it is when a resumed run already has one)."""
        with session_scope(self.sessions) as session:
            repo.save_evidence(session, evidence)
            if repo.get_run(session, self.run_id) is None:
                repo.create_run(
                    session, run_id=self.run_id, selection=dict(selection), overrides=dict(overrides or {}), note=note
                )

    def done(self, item_key: str, evidence: Sequence[Evidence], results: Sequence[Result]) -> None:
        self.buffer.append((item_key, evidence, results))
        if len(self.buffer) >= self.flush_every:
            self.flush()

    def failed(self, item_key: str, error: str) -> None:
        """An item that gave nothing to store: the ledger keeps the error and offers it again on resume."""
        if self.ledger is not None and self.job_id is not None:
            self.ledger.fail(self.job_id, item_key, error)

    def flush(self) -> None:
        if not self.buffer:
            return
        with session_scope(self.sessions) as session:
            repo.save_evidence(session, [e for _, evidence, _ in self.buffer for e in evidence])
            repo.save_results(session, [r for _, _, results in self.buffer for r in results])
            if self.ledger is not None and self.job_id is not None:
                self.ledger.finish_many(session, self.job_id, [key for key, _, _ in self.buffer])
        self.buffer.clear()

    def conclude(
        self, registry: Registry, evaluated: list[Result], errors: int, *, close: bool
    ) -> tuple[list[Result], set[str], RecheckOutcome]:
        """Apply the recheck to the issues of every subject the run inspected, and finish the run.

        A resumable run rechecks all its stored results (earlier attempts included), so a resumed run
        opens each issue once.
        """
        self.flush()
        now = dt.datetime.now(dt.UTC)
        with session_scope(self.sessions) as session:
            results = repo.results_for_run(session, self.run_id) if self.resumable else evaluated
            inspected = {r.subject.key for r in results}
            previous = {i.fingerprint: i for i in repo.get_issues(session, subject_keys=inspected)}
            recheck = apply(previous, results, run_id=self.run_id, at=now, deadline_for=deadline_rule(registry))
            repo.upsert_issues(session, recheck.issues)
            repo.add_transitions(session, recheck.transitions)
            stats = {"subjects": len(inspected), "errors": errors, **count_statuses(results)}
            stats.update({name: len(fps) for name, fps in recheck.diff.fingerprints().items()})
            repo.finish_run(session, self.run_id, stats=stats)
        if close and self.ledger is not None and self.job_id is not None:
            self.ledger.close_job(self.job_id)
        return results, inspected, recheck


def inspect(
    evidence: Sequence[Evidence],
    sessions: sessionmaker[Session],
    *,
    tasks: Sequence[str] | None = None,
    check_ids: Sequence[str] | None = None,
    requirement_ids: Sequence[str] | None = None,
    severities: Sequence[str] | None = None,
    subjects: Sequence[str] | None = None,
    overrides: Overrides | None = None,
    executor: Executor | None = None,
    registry: Registry | None = None,
    run_id: str | None = None,
    job_key: str | None = None,
    note: str | None = None,
    on_subject: Callable[[SubjectOutput], None] | None = None,
) -> Inspection:
    """Store `evidence`, run the selected checks, store the results and apply the recheck to issues.

    Args:
        job_key: make the run resumable under this key (see the module docstring); the run id is then derived
            from the job, so a resumed run continues the same run.
    """
    registry = registry or default_registry()
    selection = {
        "tasks": list(tasks or []),
        "check_ids": list(check_ids or []),
        "requirement_ids": list(requirement_ids or []),
        "severities": list(severities or []),
        "subjects": list(subjects or []),
    }
    subject_keys = sorted({item.subject.key for item in evidence})
    job = ("inspection", job_key, subject_keys) if job_key is not None else None
    journal = _Journal.open(sessions, job=job, run_id=run_id, flush_every=FLUSH_EVERY)
    pending = journal.pending(subject_keys)
    todo = [item for item in evidence if item.subject.key in pending]
    journal.create_run(todo, selection, overrides, note)

    def record(output: SubjectOutput) -> None:
        if on_subject is not None:
            on_subject(output)
        journal.done(output.subject_key, (), output.results)

    outcome = evaluate(
        todo,
        tasks=tasks,
        check_ids=check_ids,
        requirement_ids=requirement_ids,
        severities=severities,
        subjects=subjects,
        overrides=overrides,
        executor=executor,
        run_id=journal.run_id,
        registry=registry,
        on_subject=record,
    )
    results, inspected, recheck = journal.conclude(registry, outcome.results, len(outcome.errors), close=True)
    return Inspection(
        run_id=journal.run_id,
        results=results,
        errors=outcome.errors,
        subjects=len(inspected),
        diff=recheck.diff,
        issues=recheck.issues,
        resumed_skipped=len(evidence) - len(todo),
    )


def inspect_items(
    item_keys: Sequence[str],
    work_for: Callable[[str, str], W],
    collect: Callable[[W], C],
    sessions: sessionmaker[Session],
    *,
    job_kind: str,
    job_key: str,
    selection: Mapping[str, Sequence[str]] | None = None,
    executor: Executor | None = None,
    registry: Registry | None = None,
    note: str | None = None,
    flush_every: int | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_item: Callable[[C], None] | None = None,
) -> Inspection:
    """A resumable inspection whose items are collected and checked by `collect` on the executor.

    Why: when collection is the expensive part (analysing an APK), resuming must skip collection too, so
    the ledger tracks the caller's items (file paths), not subjects. `work_for(item_key, run_id)` makes the
    picklable unit `collect` runs; results must carry that run id. An item whose `error` is set is kept in
    the ledger as failed (offered again on resume); the others are stored with their evidence and feed the
    recheck of issues like any inspection. The ledger job stays open while some item failed.

    Args:
        on_start: called once with (items to run now, items skipped as already done).
        on_item: called with every collected item as it arrives.
    """
    registry = registry or default_registry()
    keys = list(dict.fromkeys(item_keys))
    journal = _Journal.open(
        sessions, job=(job_kind, job_key, keys), run_id=None, flush_every=flush_every or FLUSH_EVERY
    )
    pending = journal.pending(keys)
    todo = [key for key in keys if key in pending]
    if on_start is not None:
        on_start(len(todo), len(keys) - len(todo))
    journal.create_run((), selection or {}, None, note)
    pool = executor or SerialExecutor()
    errors: list[ItemError] = []
    for item in pool.map_unordered(collect, [work_for(key, journal.run_id) for key in todo]):
        if on_item is not None:
            on_item(item)
        if item.error is not None:
            errors.append(ItemError(item.item_key, None, item.error))
            journal.failed(item.item_key, item.error)
        else:
            journal.done(item.item_key, item.evidence, item.results)
    # resumable: the recheck reads every stored result of the run, this attempt's and earlier ones
    results, inspected, recheck = journal.conclude(registry, [], len(errors), close=not errors)
    return Inspection(
        run_id=journal.run_id,
        results=results,
        errors=errors,
        subjects=len(inspected),
        diff=recheck.diff,
        issues=recheck.issues,
        resumed_skipped=len(keys) - len(todo),
    )
