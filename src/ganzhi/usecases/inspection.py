"""One inspection: evaluate evidence, store the run, and move tracked issues through the recheck.

This is the spine every domain shares: evidence is stored once (content-addressed), results belong to
the run, and issues are opened, kept, fixed or reopened by fingerprint with audited transitions.

With a `job_key` the inspection is resumable: a job ledger row per subject records what is done, results
are saved in batches in the same transaction as their ledger rows, and re-running the same key evaluates
only what is left — a crashed 100,000-app scan picks up where it stopped, and nothing is stored twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from ganzhi.catalog.params import Overrides
from ganzhi.engine.executors import Executor
from ganzhi.engine.registry import Registry, default_registry
from ganzhi.engine.runner import ItemError, SubjectOutput, count_statuses, evaluate, new_run_id
from ganzhi.evidence.base import Evidence, canonical_json
from ganzhi.findings.models import Issue, Result
from ganzhi.findings.recheck import RecheckDiff, apply
from ganzhi.store import repositories as repo
from ganzhi.store.db import session_scope
from ganzhi.store.ledger import JobLedger
from ganzhi.workdays.rectification import deadline_from

FLUSH_EVERY = 256


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


@dataclass(slots=True)
class _Flusher:
    """Buffers subject outputs and stores them (with their ledger rows) every FLUSH_EVERY subjects."""

    sessions: sessionmaker[Session]
    ledger: JobLedger | None
    job_id: str | None
    forward: Callable[[SubjectOutput], None] | None
    buffer: list[SubjectOutput] = field(default_factory=list)

    def __call__(self, output: SubjectOutput) -> None:
        self.buffer.append(output)
        if self.forward is not None:
            self.forward(output)
        if len(self.buffer) >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        with session_scope(self.sessions) as session:
            repo.save_results(session, [r for out in self.buffer for r in out.results])
            if self.ledger is not None and self.job_id is not None:
                self.ledger.finish_many(session, self.job_id, [out.subject_key for out in self.buffer])
        self.buffer.clear()


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
    ledger: JobLedger | None = None
    job_id: str | None = None
    todo = list(evidence)
    if job_key is not None:
        ledger = JobLedger(sessions)
        job_id = ledger.open_job("inspection", job_key, sorted({item.subject.key for item in evidence}))
        run_id = f"job-{job_id[:24]}"
        pending = set(ledger.pending(job_id))
        todo = [item for item in evidence if item.subject.key in pending]
    run_id = run_id or new_run_id()
    with session_scope(sessions) as session:
        repo.save_evidence(session, todo)
        if repo.get_run(session, run_id) is None:
            repo.create_run(session, run_id=run_id, selection=selection, overrides=dict(overrides or {}), note=note)
    flusher = _Flusher(sessions, ledger, job_id, on_subject)
    outcome = evaluate(
        todo,
        tasks=tasks,
        check_ids=check_ids,
        requirement_ids=requirement_ids,
        severities=severities,
        subjects=subjects,
        overrides=overrides,
        executor=executor,
        run_id=run_id,
        registry=registry,
        on_subject=flusher,
    )
    flusher.flush()
    now = dt.datetime.now(dt.UTC)
    with session_scope(sessions) as session:
        results = repo.results_for_run(session, run_id) if job_key is not None else outcome.results
        inspected = {r.subject.key for r in results}
        previous = {i.fingerprint: i for i in repo.get_issues(session, subject_keys=inspected)}
        recheck = apply(previous, results, run_id=run_id, at=now, deadline_for=deadline_rule(registry))
        repo.upsert_issues(session, recheck.issues)
        repo.add_transitions(session, recheck.transitions)
        stats = {"subjects": len(inspected), "errors": len(outcome.errors), **count_statuses(results)}
        stats.update({name: len(fps) for name, fps in recheck.diff.fingerprints().items()})
        repo.finish_run(session, run_id, stats=stats)
    if ledger is not None and job_id is not None:
        ledger.close_job(job_id)
    return Inspection(
        run_id=run_id,
        results=results,
        errors=outcome.errors,
        subjects=len(inspected),
        diff=recheck.diff,
        issues=recheck.issues,
        resumed_skipped=len(evidence) - len(todo),
    )
