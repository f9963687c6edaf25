"""Evaluate selected checks over evidence, one subject at a time, on any executor.

A bad item (malformed evidence, a check that raises or overruns) becomes an ERROR result naming the reason,
and the run goes on. Checks are pure, so the same evidence and params always give the same results.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from ganzhi.catalog.params import Overrides, Params, params_for
from ganzhi.checks.outcome import Outcome
from ganzhi.engine.executors import Executor, SerialExecutor
from ganzhi.engine.registry import CheckSpec, Registry, default_registry
from ganzhi.engine.timeouts import ItemTimeout, TimeLimiter
from ganzhi.evidence.base import Evidence, EvidenceSet, Subject
from ganzhi.evidence.status import Status
from ganzhi.findings.fingerprint import fingerprint
from ganzhi.findings.models import Result
from ganzhi.i18n import Text


@dataclass(frozen=True, slots=True)
class ItemError:
    """Why one subject (or one check on it) could not be evaluated."""

    subject_key: str
    check_id: str | None
    message: str


@dataclass(frozen=True, slots=True)
class SubjectWork:
    """Everything a worker needs to evaluate one subject: picklable, no database, no registry."""

    run_id: str
    subject: Subject
    evidence: tuple[Evidence, ...]
    checks: tuple[tuple[CheckSpec, Params], ...]


@dataclass(slots=True)
class SubjectOutput:
    """Results and errors of one subject."""

    subject_key: str
    results: list[Result] = field(default_factory=list)
    errors: list[ItemError] = field(default_factory=list)


@dataclass(slots=True)
class RunOutcome:
    """What one run produced."""

    run_id: str
    started_at: dt.datetime
    finished_at: dt.datetime
    results: list[Result]
    errors: list[ItemError]
    subjects: int

    def counts(self) -> dict[str, int]:
        """Number of results per status."""
        return count_statuses(self.results)


def count_statuses(results: Iterable[Result]) -> dict[str, int]:
    """Number of results per status, every status present (zero when absent)."""
    counts = {status.value: 0 for status in Status}
    for result in results:
        counts[result.status.value] += 1
    return counts


def _result(
    work: SubjectWork, spec: CheckSpec, params: Params, outcome: Outcome, elapsed_ms: float, evidence_ids: list[str]
) -> Result:
    meta = spec.metadata
    return Result(
        run_id=work.run_id,
        check_id=meta.id,
        task=meta.task,
        requirement_ids=list(meta.requirements),
        subject=work.subject,
        status=outcome.status,
        severity=meta.severity,
        title=meta.title,
        message=outcome.message,
        data=outcome.data,
        location=outcome.location,
        fingerprint=fingerprint(meta.id, work.subject, outcome.data, meta.fingerprint_fields),
        evidence_ids=list(evidence_ids),
        params=params.describe(),
        creates_issues=meta.creates_issues,
        duration_ms=round(elapsed_ms, 3),
    )


def _error_outcome(zh: str, en: str, reason: str) -> Outcome:
    return Outcome(status=Status.ERROR, message=Text(zh=f"{zh}：{reason}", en=f"{en}: {reason}"), data={})


def _missing_outcome(missing: Sequence[str]) -> Outcome:
    names = ", ".join(missing)
    return Outcome(
        status=Status.MANUAL,
        message=Text(zh=f"缺少判定所需证据：{names}", en=f"missing the evidence this check needs: {names}"),
        data={"missing_evidence": list(missing)},
    )


def evaluate_subject(work: SubjectWork) -> SubjectOutput:
    """Run every planned check on one subject; never raises for a bad item."""
    output = SubjectOutput(subject_key=work.subject.key)
    evidence = EvidenceSet(work.subject, work.evidence)
    present = evidence.kinds
    evidence_ids = evidence.evidence_ids()
    with TimeLimiter().installed() as limiter:
        for spec, params in work.checks:
            _run_check(work, spec, params, evidence, present, evidence_ids, limiter, output)
    return output


def _run_check(
    work: SubjectWork,
    spec: CheckSpec,
    params: Params,
    evidence: EvidenceSet,
    present: set[str],
    evidence_ids: list[str],
    limiter: TimeLimiter,
    output: SubjectOutput,
) -> None:
    """Evaluate one check on one subject, turning any failure into an ERROR result."""
    meta = spec.metadata
    started = time.perf_counter()
    missing = [kind for kind in meta.evidence_kinds if kind not in present]
    if missing:
        outcomes = [_missing_outcome(missing)]
    else:
        try:
            with limiter.limit(meta.timeout_seconds) as enforced:
                outcomes = list(spec.evaluate(evidence, params))
            elapsed = time.perf_counter() - started
            if not enforced and elapsed > meta.timeout_seconds:
                raise ItemTimeout(f"took {elapsed:.1f} s, over the limit of {meta.timeout_seconds:g} s")
            if not outcomes:
                raise ValueError("the check returned no outcome")
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"
            if isinstance(exc, ItemTimeout):
                reason += f" ({meta.timeout_seconds:g} s)"
            output.errors.append(ItemError(work.subject.key, meta.id, reason))
            outcomes = [_error_outcome("检查执行出错", "the check failed to run", reason)]
    elapsed_ms = (time.perf_counter() - started) * 1000 / max(1, len(outcomes))
    output.results.extend(_result(work, spec, params, o, elapsed_ms, evidence_ids) for o in outcomes)


def evaluate_batch(batch: Sequence[SubjectWork]) -> list[SubjectOutput]:
    """Evaluate several subjects in one worker call, to amortise inter-process overhead."""
    return [evaluate_subject(work) for work in batch]


def _group_by_subject(evidence: Iterable[Evidence]) -> dict[str, list[Evidence]]:
    groups: dict[str, list[Evidence]] = {}
    for item in evidence:
        groups.setdefault(item.subject.key, []).append(item)
    return groups


def _applicable(specs: Sequence[CheckSpec], subject: Subject, kinds: set[str]) -> list[CheckSpec]:
    """Checks for this subject type that can judge the evidence kinds present (`CheckSpec.can_judge`)."""
    return [spec for spec in specs if spec.covers(subject.type) and spec.can_judge(kinds)]


def subject_filter(subjects: Sequence[str] | None) -> Callable[[Subject], bool]:
    """Selection by subject: each entry is a subject type (`app`) or a subject key (`app:com.foo@1.2`)."""
    if not subjects:
        return lambda _subject: True
    wanted = set(subjects)
    return lambda subject: subject.type in wanted or subject.key in wanted


def plan(
    evidence: Iterable[Evidence],
    specs: Sequence[CheckSpec],
    registry: Registry,
    run_id: str,
    overrides: Overrides | None = None,
    subjects: Sequence[str] | None = None,
) -> Iterator[SubjectWork]:
    """One unit of work per selected subject with the checks that apply to it and their effective params."""
    params_cache: dict[str, Params] = {}
    selected = subject_filter(subjects)
    for items in _group_by_subject(evidence).values():
        subject = items[0].subject
        if not selected(subject):
            continue
        chosen = _applicable(specs, subject, {item.kind for item in items})
        if not chosen:
            continue
        checks = []
        for spec in chosen:
            if spec.id not in params_cache:
                params_cache[spec.id] = params_for(registry.catalog, spec.metadata.requirements, overrides)
            checks.append((spec, params_cache[spec.id]))
        yield SubjectWork(run_id=run_id, subject=subject, evidence=tuple(items), checks=tuple(checks))


def _batches(works: Iterable[SubjectWork], size: int) -> Iterator[list[SubjectWork]]:
    batch: list[SubjectWork] = []
    for work in works:
        batch.append(work)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def new_run_id() -> str:
    """A sortable, unique run id: UTC time plus a random suffix."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8]


def evaluate(
    evidence: Sequence[Evidence],
    *,
    tasks: Sequence[str] | None = None,
    check_ids: Sequence[str] | None = None,
    requirement_ids: Sequence[str] | None = None,
    severities: Sequence[str] | None = None,
    subjects: Sequence[str] | None = None,
    overrides: Overrides | None = None,
    executor: Executor | None = None,
    run_id: str | None = None,
    registry: Registry | None = None,
    batch_size: int = 64,
    on_subject: Callable[[SubjectOutput], None] | None = None,
) -> RunOutcome:
    """Run the selected checks over `evidence` and collect every result.

    Args:
        evidence: evidence items, any order, any mix of subjects.
        tasks, check_ids, requirement_ids, severities: check selection filters (None = all).
        subjects: subject selection: subject types or subject keys (None = all).
        overrides: validated campaign param overrides.
        executor: where to run (default: in-process serial).
        run_id: reuse an id to make a re-run idempotent in the store; default a new one.
        registry: the checks to use (default: the shipped ones).
        batch_size: subjects per worker call.
        on_subject: called in the parent with each subject's output as it completes (progress, streaming).
    """
    registry = registry or default_registry()
    specs = registry.select(tasks=tasks, requirement_ids=requirement_ids, severities=severities, check_ids=check_ids)
    run_id = run_id or new_run_id()
    started = dt.datetime.now(dt.UTC)
    executor = executor or SerialExecutor()
    results: list[Result] = []
    errors: list[ItemError] = []
    evaluated = 0
    works = plan(evidence, specs, registry, run_id, overrides, subjects)
    for outputs in executor.map_unordered(evaluate_batch, _batches(works, batch_size)):
        for output in outputs:
            evaluated += 1
            results.extend(output.results)
            errors.extend(output.errors)
            if on_subject is not None:
                on_subject(output)
    return RunOutcome(
        run_id=run_id,
        started_at=started,
        finished_at=dt.datetime.now(dt.UTC),
        results=results,
        errors=errors,
        subjects=evaluated,
    )
