"""One inspection: evaluate evidence, store the run, and move tracked issues through the recheck.

This is the spine every domain shares: evidence is stored once (content-addressed), results belong to
the run, and issues are opened, kept, fixed or reopened by fingerprint with audited transitions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from ganzhi.catalog.params import Overrides
from ganzhi.engine.executors import Executor
from ganzhi.engine.registry import Registry, default_registry
from ganzhi.engine.runner import RunOutcome, SubjectOutput, evaluate, new_run_id
from ganzhi.evidence.base import Evidence
from ganzhi.findings.models import Issue, Result
from ganzhi.findings.recheck import RecheckDiff, apply
from ganzhi.store import repositories as repo
from ganzhi.store.db import session_scope
from ganzhi.supervision.deadlines import add_working_days


@dataclass(slots=True)
class Inspection:
    """What an inspection did: the run's results and how the tracked issues moved."""

    run: RunOutcome
    diff: RecheckDiff
    issues: list[Issue]


def rectification_deadline(registry: Registry) -> Callable[[Result], dt.date]:
    """Deadline rule from the catalog: N working days (configurable default 5) after today."""
    days = registry.catalog.supervision.rectification_working_days.value
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError(f"supervision.rectification_working_days must be an integer (got {days!r})")
    today = dt.datetime.now(dt.UTC).date()

    def deadline(_result: Result) -> dt.date:
        return add_working_days(today, days)

    return deadline


def inspect(
    evidence: Sequence[Evidence],
    sessions: sessionmaker[Session],
    *,
    tasks: Sequence[str] | None = None,
    check_ids: Sequence[str] | None = None,
    overrides: Overrides | None = None,
    executor: Executor | None = None,
    registry: Registry | None = None,
    run_id: str | None = None,
    note: str | None = None,
    on_subject: Callable[[SubjectOutput], None] | None = None,
) -> Inspection:
    """Store `evidence`, run the selected checks, store the results and apply the recheck to issues."""
    registry = registry or default_registry()
    run_id = run_id or new_run_id()
    selection = {"tasks": list(tasks or []), "check_ids": list(check_ids or [])}
    with session_scope(sessions) as session:
        repo.save_evidence(session, evidence)
        if repo.get_run(session, run_id) is None:
            repo.create_run(session, run_id=run_id, selection=selection, overrides=dict(overrides or {}), note=note)
    outcome = evaluate(
        evidence,
        tasks=tasks,
        check_ids=check_ids,
        overrides=overrides,
        executor=executor,
        run_id=run_id,
        registry=registry,
        on_subject=on_subject,
    )
    now = dt.datetime.now(dt.UTC)
    with session_scope(sessions) as session:
        repo.save_results(session, outcome.results)
        subjects = {r.subject.key for r in outcome.results}
        previous = {i.fingerprint: i for i in repo.get_issues(session, subject_keys=subjects)}
        recheck = apply(previous, outcome.results, run_id=run_id, at=now, deadline_for=rectification_deadline(registry))
        repo.upsert_issues(session, recheck.issues)
        repo.add_transitions(session, recheck.transitions)
        stats = {"subjects": outcome.subjects, "errors": len(outcome.errors), **outcome.counts()}
        stats.update({name: len(fps) for name, fps in recheck.diff.fingerprints().items()})
        repo.finish_run(session, run_id, stats=stats)
    return Inspection(run=outcome, diff=recheck.diff, issues=recheck.issues)
